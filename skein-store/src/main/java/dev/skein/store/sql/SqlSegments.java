package dev.skein.store.sql;

import dev.skein.model.NetworkType;
import dev.skein.store.SegmentRepository;

import java.math.BigInteger;

final class SqlSegments implements SegmentRepository {
    private final SqlTx tx;

    SqlSegments(SqlTx tx) { this.tx = tx; }

    @Override
    public boolean tryClaim(NetworkType type, String physicalNetwork, long id, String networkId) {
        return tx.tryUnique(() -> tx.handle().createUpdate("INSERT INTO network_segments (network_type, physical_network, "
                        + "segmentation_key, network_id) VALUES (:t, :p, :k, :n)")
                .bind("t", type.wireName()).bind("p", physicalNetwork == null ? "" : physicalNetwork)
                .bind("k", id).bind("n", networkId).execute() == 1);
    }

    @Override
    public long countClaimed(NetworkType type, String physicalNetwork, BigInteger first, BigInteger last) {
        return tx.handle().createQuery("SELECT COUNT(*) FROM network_segments WHERE network_type = :t AND physical_network = :p "
                        + "AND segmentation_key BETWEEN :f AND :l")
                .bind("t", type.wireName()).bind("p", physicalNetwork == null ? "" : physicalNetwork)
                .bind("f", first.longValueExact()).bind("l", last.longValueExact()).mapTo(Long.class).one();
    }

    @Override
    public void releaseOf(String networkId) {
        tx.handle().createUpdate("DELETE FROM network_segments WHERE network_id = :n").bind("n", networkId).execute();
    }
}
