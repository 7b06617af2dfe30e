package dev.skein.store.sql;

import dev.skein.model.Port;
import dev.skein.store.HostPlanRepository;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

final class SqlHostPlans implements HostPlanRepository {

    private final SqlTx tx;

    SqlHostPlans(SqlTx tx) { this.tx = tx; }

    @Override
    public long revision(String host) {
        return tx.handle().createQuery("SELECT revision FROM host_plans WHERE host = :h").bind("h", host)
                .mapTo(Long.class).findOne().orElse(0L);
    }

    @Override
    public Map<String, Long> revisions() {
        Map<String, Long> out = new LinkedHashMap<>();
        tx.handle().createQuery("SELECT host, revision FROM host_plans ORDER BY host")
                .map((rs, c) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public Map<String, Long> bump(SortedSet<String> hosts) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String host : hosts) {
            // The update takes the row lock that orders this host's revisions across every controller; a host never
            // seen before gets its row, and of two writers racing to create it the loser updates the winner's.
            if (increment(host) == 0
                    && !tx.tryUnique(() -> tx.handle().createUpdate("INSERT INTO host_plans (host, revision) VALUES (:h, 1)")
                            .bind("h", host).execute() == 1)) {
                increment(host);
            }
            out.put(host, revision(host));
        }
        return out;
    }

    private int increment(String host) {
        return tx.handle().createUpdate("UPDATE host_plans SET revision = revision + 1 WHERE host = :h").bind("h", host).execute();
    }

    @Override
    public Set<String> hostsOnNetworks(Collection<String> networkIds) {
        return new TreeSet<>(inChunks(networkIds, chunk -> tx.handle()
                .createQuery("SELECT DISTINCT host_id FROM ports WHERE network_id IN (<ids>) AND host_id <> ''")
                .bindList("ids", chunk).mapTo(String.class).list()));
    }

    @Override
    public Set<String> networksOfHost(String host) {
        return new TreeSet<>(tx.handle().createQuery("SELECT DISTINCT network_id FROM ports WHERE host_id = :h")
                .bind("h", host).mapTo(String.class).list());
    }

    @Override
    public Set<String> hostsInGroups(Collection<String> groupIds) {
        return new TreeSet<>(inChunks(groupIds, chunk -> tx.handle().createQuery(
                        "SELECT DISTINCT p.host_id FROM port_security_groups m JOIN ports p ON p.id = m.port_id"
                                + " WHERE m.security_group_id IN (<ids>) AND p.host_id <> ''")
                .bindList("ids", chunk).mapTo(String.class).list()));
    }

    @Override
    public Set<String> hostsReferencingGroups(Collection<String> groupIds) {
        return new TreeSet<>(inChunks(groupIds, chunk -> tx.handle().createQuery(
                        "SELECT DISTINCT p.host_id FROM security_group_rules r"
                                + " JOIN port_security_groups m ON m.security_group_id = r.security_group_id"
                                + " JOIN ports p ON p.id = m.port_id"
                                + " WHERE r.remote_group_id IN (<ids>) AND p.host_id <> ''")
                .bindList("ids", chunk).mapTo(String.class).list()));
    }

    @Override
    public Map<String, List<String>> groupMembers(Collection<String> groupIds) {
        Map<String, List<String>> out = new TreeMap<>();
        inChunks(groupIds, chunk -> tx.handle().createQuery(
                        "SELECT security_group_id, port_id FROM port_security_groups WHERE security_group_id IN (<ids>) ORDER BY port_id")
                .bindList("ids", chunk).map((rs, c) -> Map.entry(rs.getString(1), rs.getString(2))).list())
                .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return out;
    }

    @Override
    public Set<String> dhcpNetworksOfHost(String host) {
        return new TreeSet<>(tx.handle().createQuery("SELECT DISTINCT network_id FROM ports WHERE host_id = :h AND device_owner = :o")
                .bind("h", host).bind("o", Port.DHCP_OWNER).mapTo(String.class).list());
    }

    @Override
    public Set<String> dhcpHostsOnNetworks(Collection<String> networkIds) {
        return new TreeSet<>(inChunks(networkIds, chunk -> tx.handle().createQuery(
                        "SELECT DISTINCT host_id FROM ports WHERE network_id IN (<ids>) AND device_owner = :o AND host_id <> ''")
                .bindList("ids", chunk).bind("o", Port.DHCP_OWNER).mapTo(String.class).list()));
    }

    @Override
    public Set<String> routersOfHost(String host) {
        // A router's ports are its interfaces (router_interfaces) and its gateway (routers.gw_port_id), whatever
        // their device_owner says.
        return new TreeSet<>(tx.handle().createQuery(
                        "SELECT i.router_id FROM router_interfaces i JOIN ports p ON p.id = i.port_id WHERE p.host_id = :h"
                                + " UNION SELECT r.id FROM routers r JOIN ports p ON p.id = r.gw_port_id WHERE p.host_id = :h")
                .bind("h", host).mapTo(String.class).list());
    }

    @Override
    public Set<String> routerHosts(Collection<String> routerIds) {
        return new TreeSet<>(inChunks(routerIds, chunk -> tx.handle().createQuery(
                        "SELECT p.host_id FROM router_interfaces i JOIN ports p ON p.id = i.port_id"
                                + " WHERE i.router_id IN (<ids>) AND p.host_id <> ''"
                                + " UNION SELECT p.host_id FROM routers r JOIN ports p ON p.id = r.gw_port_id"
                                + " WHERE r.id IN (<ids>) AND p.host_id <> ''")
                .bindList("ids", chunk).mapTo(String.class).list()));
    }

    @Override
    public Set<String> routerPortHostsOnNetworks(Collection<String> networkIds) {
        return new TreeSet<>(inChunks(networkIds, chunk -> tx.handle().createQuery(
                        "SELECT p.host_id FROM ports p JOIN router_interfaces i ON i.port_id = p.id"
                                + " WHERE p.network_id IN (<ids>) AND p.host_id <> ''"
                                + " UNION SELECT p.host_id FROM ports p JOIN routers r ON r.gw_port_id = p.id"
                                + " WHERE p.network_id IN (<ids>) AND p.host_id <> ''")
                .bindList("ids", chunk).mapTo(String.class).list()));
    }

    @Override
    public Map<String, List<String>> memberAddresses(Collection<String> groupIds) {
        Map<String, TreeSet<String>> found = new TreeMap<>();
        inChunks(groupIds, chunk -> tx.handle().createQuery(
                        "SELECT m.security_group_id, a.ip_address FROM port_security_groups m JOIN ip_allocations a ON a.port_id = m.port_id"
                                + " WHERE m.security_group_id IN (<ids>)")
                .bindList("ids", chunk).map((rs, c) -> Map.entry(rs.getString(1), rs.getString(2))).list())
                .forEach(e -> found.computeIfAbsent(e.getKey(), k -> new TreeSet<>()).add(e.getValue()));
        inChunks(groupIds, chunk -> tx.handle().createQuery(
                        "SELECT m.security_group_id, p.allowed_address_pairs FROM port_security_groups m JOIN ports p ON p.id = m.port_id"
                                + " WHERE m.security_group_id IN (<ids>) AND p.allowed_address_pairs <> '[]'")
                .bindList("ids", chunk).map((rs, c) -> Map.entry(rs.getString(1), rs.getString(2))).list())
                .forEach(e -> Json.read(e.getValue(), SqlPorts.PAIRS)
                        .forEach(pair -> found.computeIfAbsent(e.getKey(), k -> new TreeSet<>()).add(pair.ipAddress())));
        Map<String, List<String>> out = new TreeMap<>();
        found.forEach((group, addresses) -> out.put(group, List.copyOf(addresses)));
        return out;
    }

    /** Runs an IN-list query in slices that stay well below every database's bind-parameter limit. */
    static <T> List<T> inChunks(Collection<String> values, Function<List<String>, List<T>> query) {
        List<String> all = List.copyOf(values);
        List<T> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += SqlIpAllocations.CHUNK) {
            out.addAll(query.apply(all.subList(i, Math.min(all.size(), i + SqlIpAllocations.CHUNK))));
        }
        return out;
    }
}
