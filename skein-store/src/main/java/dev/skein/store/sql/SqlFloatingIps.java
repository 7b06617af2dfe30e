package dev.skein.store.sql;

import dev.skein.model.FloatingIp;
import dev.skein.store.FloatingIpRepository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class SqlFloatingIps implements FloatingIpRepository {
    private static final String COLUMNS = "id, project_id, description, floating_network_id, floating_ip_address, "
            + "floating_port_id, port_id, fixed_ip_address, router_id, status, tags, created_at, updated_at, revision_number";

    private final SqlTx tx;

    SqlFloatingIps(SqlTx tx) { this.tx = tx; }

    @Override
    public Optional<FloatingIp> get(String id) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM floating_ips WHERE id = :id").bind("id", id)
                .map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public Optional<FloatingIp> lock(String id) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM floating_ips WHERE id = :id FOR UPDATE").bind("id", id)
                .map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public List<FloatingIp> list(String projectId) {
        var q = tx.handle().createQuery("SELECT " + COLUMNS + " FROM floating_ips"
                + (projectId == null ? "" : " WHERE project_id = :p") + " ORDER BY seq");
        if (projectId != null) q.bind("p", projectId);
        return q.map((rs, c) -> row(rs)).list();
    }

    @Override
    public boolean tryInsert(FloatingIp f) {
        return tx.tryUnique(() -> tx.handle().createUpdate("INSERT INTO floating_ips (" + COLUMNS + ") VALUES (:id, "
                        + ":project_id, :description, :floating_network_id, :floating_ip_address, :floating_port_id, :port_id, "
                        + ":fixed_ip_address, :router_id, :status, :tags, :created_at, :updated_at, :revision_number)")
                .bind("project_id", f.projectId()).bind("floating_network_id", f.floatingNetworkId())
                .bind("floating_ip_address", f.floatingIpAddress()).bind("floating_port_id", f.floatingPortId())
                .bind("created_at", f.createdAt().getEpochSecond()).bindMap(mutable(f)).execute() == 1);
    }

    @Override
    public boolean tryUpdate(FloatingIp f) {
        return tx.tryUnique(() -> tx.handle().createUpdate("UPDATE floating_ips SET description = :description, "
                        + "port_id = :port_id, fixed_ip_address = :fixed_ip_address, router_id = :router_id, status = :status, "
                        + "tags = :tags, updated_at = :updated_at, revision_number = :revision_number WHERE id = :id")
                .bindMap(mutable(f)).execute() == 1);
    }

    @Override
    public void delete(String id) {
        tx.handle().createUpdate("DELETE FROM floating_ips WHERE id = :id").bind("id", id).execute();
    }

    @Override
    public Optional<FloatingIp> ofFloatingPort(String portId) {
        return where("floating_port_id = :v", portId).stream().findFirst();
    }

    @Override
    public List<FloatingIp> onPort(String portId) {
        return where("port_id = :v", portId);
    }

    @Override
    public List<FloatingIp> viaRouter(String routerId) {
        return where("router_id = :v", routerId);
    }

    @Override
    public List<FloatingIp> viaRouters(Collection<String> routerIds) {
        return SqlHostPlans.inChunks(routerIds, chunk -> tx.handle()
                .createQuery("SELECT " + COLUMNS + " FROM floating_ips WHERE router_id IN (<ids>) ORDER BY seq")
                .bindList("ids", chunk).map((rs, c) -> row(rs)).list());
    }

    @Override
    public List<FloatingIp> unassociatedOn(String networkId) {
        return where("floating_network_id = :v AND port_id IS NULL", networkId);
    }

    private List<FloatingIp> where(String condition, String value) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM floating_ips WHERE " + condition + " ORDER BY seq")
                .bind("v", value).map((rs, c) -> row(rs)).list();
    }

    private static Map<String, Object> mutable(FloatingIp f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", f.id());
        m.put("description", f.description());
        m.put("port_id", f.portId());
        m.put("fixed_ip_address", f.fixedIpAddress());
        m.put("router_id", f.routerId());
        m.put("status", f.status());
        m.put("tags", Json.write(f.tags()));
        m.put("updated_at", f.updatedAt().getEpochSecond());
        m.put("revision_number", f.revision());
        return m;
    }

    private static FloatingIp row(ResultSet rs) throws SQLException {
        return new FloatingIp(rs.getString("id"), rs.getString("project_id"), rs.getString("description"),
                rs.getString("floating_network_id"), rs.getString("floating_ip_address"), rs.getString("floating_port_id"),
                rs.getString("port_id"), rs.getString("fixed_ip_address"), rs.getString("router_id"), rs.getString("status"),
                Json.read(rs.getString("tags"), SqlNetworks.STRINGS), Instant.ofEpochSecond(rs.getLong("created_at")),
                Instant.ofEpochSecond(rs.getLong("updated_at")), rs.getLong("revision_number"));
    }
}
