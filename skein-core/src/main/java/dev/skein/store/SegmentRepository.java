package dev.skein.store;

import dev.skein.model.NetworkType;

import java.math.BigInteger;

/** Segment ids in use; (type, physical network, id) is unique in the database. */
public interface SegmentRepository {
    boolean tryClaim(NetworkType type, String physicalNetwork, long id, String networkId);

    long countClaimed(NetworkType type, String physicalNetwork, BigInteger first, BigInteger last);

    void releaseOf(String networkId);
}
