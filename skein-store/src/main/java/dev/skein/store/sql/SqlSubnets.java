package dev.skein.store.sql;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.skein.model.AllocationPool;
import dev.skein.model.HostRoute;
import dev.skein.model.Subnet;
import dev.skein.store.SubnetRepository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class SqlSubnets implements SubnetRepository {
    private static final TypeReference<List<AllocationPool>> POOLS = new TypeReference<>() {};
    private static final TypeReference<List<HostRoute>> ROUTES = new TypeReference<>() {};
    private static final String COLUMNS = "id, project_id, network_id, name, description, ip_version, cidr, gateway_ip, "
            + "allocation_pools, dns_nameservers, host_routes, enable_dhcp, ipv6_ra_mode, ipv6_address_mode, tags, "
            + "created_at, updated_at, revision_number";

    private final SqlTx tx;

    SqlSubnets(SqlTx tx) { this.tx = tx; }

    @Override
    public Optional<Subnet> get(String id) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM subnets WHERE id = :id").bind("id", id)
                .map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public Optional<Subnet> lock(String id) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM subnets WHERE id = :id FOR UPDATE").bind("id", id)
                .map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public List<Subnet> onNetwork(String networkId) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM subnets WHERE network_id = :n ORDER BY seq")
                .bind("n", networkId).map((rs, c) -> row(rs)).list();
    }

    @Override
    public List<Subnet> onNetworks(Collection<String> networkIds) {
        return SqlHostPlans.inChunks(networkIds, chunk -> tx.handle()
                .createQuery("SELECT " + COLUMNS + " FROM subnets WHERE network_id IN (<ids>) ORDER BY seq")
                .bindList("ids", chunk).map((rs, c) -> row(rs)).list());
    }

    @Override
    public List<Subnet> list(String visibleToProject) {
        if (visibleToProject == null) {
            return tx.handle().createQuery("SELECT " + COLUMNS + " FROM subnets ORDER BY seq").map((rs, c) -> row(rs)).list();
        }
        return tx.handle().createQuery("SELECT " + prefixed("s") + " FROM subnets s JOIN networks n ON n.id = s.network_id "
                        + "WHERE s.project_id = :p OR n.project_id = :p OR n.shared OR n.id IN (" + SqlRbacPolicies.NETWORKS_GRANTED
                        + ") ORDER BY s.seq")
                .bind("p", visibleToProject).map((rs, c) -> row(rs)).list();
    }

    @Override
    public Map<String, List<String>> idsByNetwork(Collection<String> networkIds) {
        Map<String, List<String>> out = new HashMap<>();
        List<String> ids = List.copyOf(networkIds);
        for (int i = 0; i < ids.size(); i += SqlIpAllocations.CHUNK) {
            tx.handle().createQuery("SELECT network_id, id FROM subnets WHERE network_id IN (<ids>) ORDER BY seq")
                    .bindList("ids", ids.subList(i, Math.min(ids.size(), i + SqlIpAllocations.CHUNK)))
                    .map((rs, c) -> Map.entry(rs.getString(1), rs.getString(2)))
                    .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new java.util.ArrayList<>()).add(e.getValue()));
        }
        return out;
    }

    @Override
    public void insert(Subnet s) {
        tx.handle().createUpdate("INSERT INTO subnets (" + COLUMNS + ") VALUES (:id, :project_id, :network_id, :name, "
                        + ":description, :ip_version, :cidr, :gateway_ip, :allocation_pools, :dns_nameservers, :host_routes, "
                        + ":enable_dhcp, :ipv6_ra_mode, :ipv6_address_mode, :tags, :created_at, :updated_at, :revision_number)")
                .bind("project_id", s.projectId()).bind("network_id", s.networkId()).bind("ip_version", s.ipVersion())
                .bind("cidr", s.cidr()).bind("ipv6_ra_mode", s.ipv6RaMode()).bind("ipv6_address_mode", s.ipv6AddressMode())
                .bind("created_at", s.createdAt().getEpochSecond()).bindMap(mutable(s)).execute();
    }

    @Override
    public void update(Subnet s) {
        tx.handle().createUpdate("UPDATE subnets SET name = :name, description = :description, gateway_ip = :gateway_ip, "
                        + "allocation_pools = :allocation_pools, dns_nameservers = :dns_nameservers, host_routes = :host_routes, "
                        + "enable_dhcp = :enable_dhcp, tags = :tags, updated_at = :updated_at, revision_number = :revision_number "
                        + "WHERE id = :id")
                .bindMap(mutable(s)).execute();
    }

    @Override
    public void delete(String id) {
        tx.handle().createUpdate("DELETE FROM subnets WHERE id = :id").bind("id", id).execute();
    }

    private static Map<String, Object> mutable(Subnet s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("name", s.name());
        m.put("description", s.description());
        m.put("gateway_ip", s.gatewayIp());
        m.put("allocation_pools", Json.write(s.allocationPools()));
        m.put("dns_nameservers", Json.write(s.dnsNameservers()));
        m.put("host_routes", Json.write(s.hostRoutes()));
        m.put("enable_dhcp", s.enableDhcp());
        m.put("tags", Json.write(s.tags()));
        m.put("updated_at", s.updatedAt().getEpochSecond());
        m.put("revision_number", s.revision());
        return m;
    }

    private static String prefixed(String alias) {
        return alias + "." + COLUMNS.replace(", ", ", " + alias + ".");
    }

    private static Subnet row(ResultSet rs) throws SQLException {
        return new Subnet(rs.getString("id"), rs.getString("project_id"), rs.getString("network_id"), rs.getString("name"),
                rs.getString("description"), rs.getInt("ip_version"), rs.getString("cidr"), rs.getString("gateway_ip"),
                Json.read(rs.getString("allocation_pools"), POOLS), Json.read(rs.getString("dns_nameservers"), SqlNetworks.STRINGS),
                Json.read(rs.getString("host_routes"), ROUTES), rs.getBoolean("enable_dhcp"), rs.getString("ipv6_ra_mode"),
                rs.getString("ipv6_address_mode"), Json.read(rs.getString("tags"), SqlNetworks.STRINGS),
                Instant.ofEpochSecond(rs.getLong("created_at")), Instant.ofEpochSecond(rs.getLong("updated_at")),
                rs.getLong("revision_number"));
    }
}
