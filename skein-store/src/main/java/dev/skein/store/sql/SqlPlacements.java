package dev.skein.store.sql;

import dev.skein.model.Port;
import dev.skein.model.Router;
import dev.skein.store.PlacementRepository;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Placement read off the ports; the (device_owner, host_id) index keeps every query to the service ports. */
final class SqlPlacements implements PlacementRepository {
    private static final List<String> ROUTER_OWNERS = List.of(Router.GATEWAY_OWNER, Router.INTERFACE_OWNER);

    private final SqlTx tx;

    SqlPlacements(SqlTx tx) { this.tx = tx; }

    @Override
    public List<Port> dhcpPorts(String networkId) {
        return ports(tx.handle().createQuery("SELECT id FROM ports WHERE network_id = :n AND device_owner = :o")
                .bind("n", networkId).bind("o", Port.DHCP_OWNER).mapTo(String.class).list());
    }

    @Override
    public List<Port> routerPorts(String routerId) {
        return ports(tx.handle().createQuery("SELECT id FROM ports WHERE device_id = :r AND device_owner IN (<owners>)")
                .bind("r", routerId).bindList("owners", ROUTER_OWNERS).mapTo(String.class).list());
    }

    @Override
    public Map<String, Integer> load(Collection<String> hosts) {
        Map<String, Integer> out = new HashMap<>();
        if (hosts.isEmpty()) return out;
        SqlHostPlans.inChunks(hosts, chunk -> tx.handle().createQuery("SELECT host_id, COUNT(DISTINCT network_id) AS n FROM ports "
                        + "WHERE device_owner = :o AND host_id IN (<hosts>) GROUP BY host_id")
                .bind("o", Port.DHCP_OWNER).bindList("hosts", chunk)
                .map((rs, c) -> Map.entry(rs.getString("host_id"), rs.getInt("n"))).list())
                .forEach(e -> out.merge(e.getKey(), e.getValue(), Integer::sum));
        SqlHostPlans.inChunks(hosts, chunk -> tx.handle().createQuery("SELECT host_id, COUNT(DISTINCT device_id) AS n FROM ports "
                        + "WHERE device_owner IN (<owners>) AND host_id IN (<hosts>) GROUP BY host_id")
                .bindList("owners", ROUTER_OWNERS).bindList("hosts", chunk)
                .map((rs, c) -> Map.entry(rs.getString("host_id"), rs.getInt("n"))).list())
                .forEach(e -> out.merge(e.getKey(), e.getValue(), Integer::sum));
        return out;
    }

    @Override
    public Set<String> serviceHosts() {
        return new TreeSet<>(tx.handle().createQuery("SELECT DISTINCT host_id FROM ports WHERE device_owner IN (<owners>) AND host_id <> ''")
                .bindList("owners", serviceOwners()).mapTo(String.class).list());
    }

    @Override
    public Set<String> dhcpNetworksOn(Collection<String> hosts) {
        if (hosts.isEmpty()) return Set.of();
        return new TreeSet<>(SqlHostPlans.inChunks(hosts, chunk -> tx.handle()
                .createQuery("SELECT DISTINCT network_id FROM ports WHERE device_owner = :o AND host_id IN (<hosts>)")
                .bind("o", Port.DHCP_OWNER).bindList("hosts", chunk).mapTo(String.class).list()));
    }

    @Override
    public Set<String> routersOn(Collection<String> hosts) {
        if (hosts.isEmpty()) return Set.of();
        return new TreeSet<>(SqlHostPlans.inChunks(hosts, chunk -> tx.handle()
                .createQuery("SELECT DISTINCT device_id FROM ports WHERE device_owner IN (<owners>) AND host_id IN (<hosts>)")
                .bindList("owners", ROUTER_OWNERS).bindList("hosts", chunk).mapTo(String.class).list()));
    }

    @Override
    public List<String> networksAwaitingDhcp() {
        return tx.handle().createQuery("SELECT DISTINCT s.network_id FROM subnets s WHERE s.enable_dhcp = TRUE AND NOT EXISTS "
                        + "(SELECT 1 FROM ports p WHERE p.network_id = s.network_id AND p.device_owner = :o AND p.host_id <> '') "
                        + "ORDER BY s.network_id")
                .bind("o", Port.DHCP_OWNER).mapTo(String.class).list();
    }

    @Override
    public List<String> routersAwaitingHost() {
        return tx.handle().createQuery("SELECT DISTINCT device_id FROM ports WHERE device_owner IN (<owners>) AND host_id = '' "
                        + "ORDER BY device_id")
                .bindList("owners", ROUTER_OWNERS).mapTo(String.class).list();
    }

    @Override
    public long allocationsBesidesDhcp(String subnetId) {
        return tx.handle().createQuery("SELECT COUNT(*) FROM ip_allocations a JOIN ports p ON p.id = a.port_id "
                        + "WHERE a.subnet_id = :s AND p.device_owner <> :o")
                .bind("s", subnetId).bind("o", Port.DHCP_OWNER).mapTo(Long.class).one();
    }

    private List<Port> ports(List<String> ids) {
        if (ids.isEmpty()) return List.of();
        return tx.ports().getAll(ids).stream()
                .sorted(Comparator.comparing(Port::createdAt).thenComparing(Port::id)).toList();
    }

    private static List<String> serviceOwners() {
        return List.of(Port.DHCP_OWNER, Router.GATEWAY_OWNER, Router.INTERFACE_OWNER);
    }
}
