package dev.skein.store.sql;

import dev.skein.model.FixedIp;
import dev.skein.store.IpAllocationRepository;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

final class SqlIpAllocations implements IpAllocationRepository {
    /** Keeps IN lists well below every database's bind-parameter limit. */
    static final int CHUNK = 500;

    private final SqlTx tx;

    SqlIpAllocations(SqlTx tx) { this.tx = tx; }

    @Override
    public boolean tryClaim(String portId, String subnetId, String networkId, String address, BigInteger value) {
        return tx.tryUnique(() -> tx.handle().createUpdate("INSERT INTO ip_allocations (subnet_id, ip_address, ip_value, port_id, "
                        + "network_id) VALUES (:s, :a, :v, :p, :n)")
                .bind("s", subnetId).bind("a", address).bind("v", new BigDecimal(value)).bind("p", portId)
                .bind("n", networkId).execute() == 1);
    }

    @Override
    public long countInRange(String subnetId, BigInteger first, BigInteger last) {
        return tx.handle().createQuery("SELECT COUNT(*) FROM ip_allocations WHERE subnet_id = :s AND ip_value BETWEEN :f AND :l")
                .bind("s", subnetId).bind("f", new BigDecimal(first)).bind("l", new BigDecimal(last)).mapTo(Long.class).one();
    }

    @Override
    public List<FixedIp> ofPort(String portId) {
        return tx.handle().createQuery("SELECT subnet_id, ip_address FROM ip_allocations WHERE port_id = :p ORDER BY seq")
                .bind("p", portId).map((rs, c) -> new FixedIp(rs.getString(1), rs.getString(2))).list();
    }

    @Override
    public Map<String, List<FixedIp>> ofPorts(Collection<String> portIds) {
        Map<String, List<FixedIp>> out = new HashMap<>();
        List<String> ids = List.copyOf(portIds);
        for (int i = 0; i < ids.size(); i += CHUNK) {
            tx.handle().createQuery("SELECT port_id, subnet_id, ip_address FROM ip_allocations WHERE port_id IN (<ids>) ORDER BY seq")
                    .bindList("ids", ids.subList(i, Math.min(ids.size(), i + CHUNK)))
                    .map((rs, c) -> Map.entry(rs.getString(1), new FixedIp(rs.getString(2), rs.getString(3))))
                    .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        }
        return out;
    }

    @Override
    public void release(String portId, String subnetId, String address) {
        tx.handle().createUpdate("DELETE FROM ip_allocations WHERE port_id = :p AND subnet_id = :s AND ip_address = :a")
                .bind("p", portId).bind("s", subnetId).bind("a", address).execute();
    }

    @Override
    public void releaseAll(String portId) {
        tx.handle().createUpdate("DELETE FROM ip_allocations WHERE port_id = :p").bind("p", portId).execute();
    }
}
