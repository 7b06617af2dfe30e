package dev.skein.store;

import dev.skein.model.FixedIp;

import java.math.BigInteger;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Which port holds which address; (subnet, address) is unique in the database. */
public interface IpAllocationRepository {
    /** Claims the address for the port; false if any port already holds it on that subnet. */
    boolean tryClaim(String portId, String subnetId, String networkId, String address, BigInteger value);

    long countInRange(String subnetId, BigInteger first, BigInteger last);

    List<FixedIp> ofPort(String portId);

    Map<String, List<FixedIp>> ofPorts(Collection<String> portIds);

    void release(String portId, String subnetId, String address);

    void releaseAll(String portId);
}
