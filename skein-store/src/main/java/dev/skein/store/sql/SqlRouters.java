package dev.skein.store.sql;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.skein.model.HostRoute;
import dev.skein.model.Router;
import dev.skein.store.RouterRepository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class SqlRouters implements RouterRepository {
    private static final TypeReference<List<HostRoute>> ROUTES = new TypeReference<>() {};
    private static final String COLUMNS = "id, project_id, name, description, admin_state_up, status, gw_port_id, "
            + "enable_snat, routes, distributed, ha, tags, created_at, updated_at, revision_number";
    /** The router with its gateway port's network. */
    private static final String SELECT = "SELECT r." + COLUMNS.replace(", ", ", r.") + ", g.network_id AS gw_network_id "
            + "FROM routers r LEFT JOIN ports g ON g.id = r.gw_port_id";

    private final SqlTx tx;

    SqlRouters(SqlTx tx) { this.tx = tx; }

    @Override
    public Optional<Router> get(String id) {
        return tx.handle().createQuery(SELECT + " WHERE r.id = :id").bind("id", id).map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public List<Router> getAll(Collection<String> ids) {
        return SqlHostPlans.inChunks(ids, chunk -> tx.handle().createQuery(SELECT + " WHERE r.id IN (<ids>)")
                .bindList("ids", chunk).map((rs, c) -> row(rs)).list());
    }

    @Override
    public Optional<Router> lock(String id) {
        // Locked on its own: PostgreSQL refuses FOR UPDATE over the nullable side of the gateway join.
        boolean exists = tx.handle().createQuery("SELECT id FROM routers WHERE id = :id FOR UPDATE").bind("id", id)
                .mapTo(String.class).findOne().isPresent();
        return exists ? get(id) : Optional.empty();
    }

    @Override
    public List<Router> list(String projectId) {
        var q = tx.handle().createQuery(SELECT + (projectId == null ? "" : " WHERE r.project_id = :p") + " ORDER BY r.seq");
        if (projectId != null) q.bind("p", projectId);
        return q.map((rs, c) -> row(rs)).list();
    }

    @Override
    public void insert(Router r) {
        tx.handle().createUpdate("INSERT INTO routers (" + COLUMNS + ") VALUES (:id, :project_id, :name, :description, "
                        + ":admin_state_up, :status, :gw_port_id, :enable_snat, :routes, :distributed, :ha, :tags, "
                        + ":created_at, :updated_at, :revision_number)")
                .bind("project_id", r.projectId()).bind("created_at", r.createdAt().getEpochSecond())
                .bindMap(mutable(r)).execute();
    }

    @Override
    public void update(Router r) {
        tx.handle().createUpdate("UPDATE routers SET name = :name, description = :description, admin_state_up = :admin_state_up, "
                        + "status = :status, gw_port_id = :gw_port_id, enable_snat = :enable_snat, routes = :routes, "
                        + "distributed = :distributed, ha = :ha, tags = :tags, updated_at = :updated_at, "
                        + "revision_number = :revision_number WHERE id = :id")
                .bindMap(mutable(r)).execute();
    }

    @Override
    public void delete(String id) {
        tx.handle().createUpdate("DELETE FROM routers WHERE id = :id").bind("id", id).execute();
    }

    @Override
    public void attach(String routerId, String portId) {
        tx.handle().createUpdate("INSERT INTO router_interfaces (port_id, router_id) VALUES (:p, :r)")
                .bind("p", portId).bind("r", routerId).execute();
    }

    @Override
    public void detach(String portId) {
        tx.handle().createUpdate("DELETE FROM router_interfaces WHERE port_id = :p").bind("p", portId).execute();
    }

    @Override
    public List<String> interfacePorts(String routerId) {
        return tx.handle().createQuery("SELECT port_id FROM router_interfaces WHERE router_id = :r ORDER BY seq")
                .bind("r", routerId).mapTo(String.class).list();
    }

    @Override
    public Map<String, List<String>> interfacePorts(Collection<String> routerIds) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        SqlHostPlans.inChunks(routerIds, chunk -> tx.handle()
                        .createQuery("SELECT router_id, port_id FROM router_interfaces WHERE router_id IN (<ids>) ORDER BY seq")
                        .bindList("ids", chunk).map((rs, c) -> Map.entry(rs.getString(1), rs.getString(2))).list())
                .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return out;
    }

    @Override
    public Optional<String> routerOfInterface(String portId) {
        return tx.handle().createQuery("SELECT router_id FROM router_interfaces WHERE port_id = :p")
                .bind("p", portId).mapTo(String.class).findOne();
    }

    @Override
    public Optional<String> routerOfGateway(String portId) {
        return tx.handle().createQuery("SELECT id FROM routers WHERE gw_port_id = :p").bind("p", portId)
                .mapTo(String.class).findOne();
    }

    @Override
    public List<Hop> hops(String externalNetworkId, String subnetId) {
        return tx.handle().createQuery("SELECT i.router_id, a.ip_address FROM router_interfaces i "
                        + "JOIN ip_allocations a ON a.port_id = i.port_id "
                        + "JOIN routers r ON r.id = i.router_id "
                        + "JOIN ports g ON g.id = r.gw_port_id "
                        + "WHERE a.subnet_id = :s AND g.network_id = :n ORDER BY i.seq")
                .bind("s", subnetId).bind("n", externalNetworkId)
                .map((rs, c) -> new Hop(rs.getString(1), rs.getString(2))).list();
    }

    @Override
    public long countGatewaysOn(String networkId) {
        return tx.handle().createQuery("SELECT COUNT(*) FROM routers r JOIN ports g ON g.id = r.gw_port_id WHERE g.network_id = :n")
                .bind("n", networkId).mapTo(Long.class).one();
    }

    private static Map<String, Object> mutable(Router r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("name", r.name());
        m.put("description", r.description());
        m.put("admin_state_up", r.adminStateUp());
        m.put("status", r.status());
        m.put("gw_port_id", r.gateway() == null ? null : r.gateway().portId());
        m.put("enable_snat", r.enableSnat());
        m.put("routes", Json.write(r.routes()));
        m.put("distributed", r.distributed());
        m.put("ha", r.ha());
        m.put("tags", Json.write(r.tags()));
        m.put("updated_at", r.updatedAt().getEpochSecond());
        m.put("revision_number", r.revision());
        return m;
    }

    private static Router row(ResultSet rs) throws SQLException {
        String gwPort = rs.getString("gw_port_id");
        Router.Gateway gw = gwPort == null ? null : new Router.Gateway(gwPort, rs.getString("gw_network_id"), List.of());
        return new Router(rs.getString("id"), rs.getString("project_id"), rs.getString("name"), rs.getString("description"),
                rs.getBoolean("admin_state_up"), rs.getString("status"), gw, rs.getBoolean("enable_snat"),
                Json.read(rs.getString("routes"), ROUTES), rs.getBoolean("distributed"), rs.getBoolean("ha"),
                Json.read(rs.getString("tags"), SqlNetworks.STRINGS), Instant.ofEpochSecond(rs.getLong("created_at")),
                Instant.ofEpochSecond(rs.getLong("updated_at")), rs.getLong("revision_number"));
    }
}
