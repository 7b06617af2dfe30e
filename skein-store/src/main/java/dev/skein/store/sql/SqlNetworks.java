package dev.skein.store.sql;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.skein.model.Network;
import dev.skein.model.NetworkType;
import dev.skein.model.Segment;
import dev.skein.store.NetworkRepository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

final class SqlNetworks implements NetworkRepository {
    static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
    private static final String COLUMNS = "id, project_id, name, description, admin_state_up, shared, router_external, mtu, "
            + "port_security_enabled, status, network_type, physical_network, segmentation_id, tags, created_at, updated_at, revision_number";

    private final SqlTx tx;

    SqlNetworks(SqlTx tx) { this.tx = tx; }

    @Override
    public Optional<Network> get(String id) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM networks WHERE id = :id")
                .bind("id", id).map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public List<Network> getAll(Collection<String> ids) {
        return SqlHostPlans.inChunks(ids, chunk -> tx.handle().createQuery("SELECT " + COLUMNS + " FROM networks WHERE id IN (<ids>)")
                .bindList("ids", chunk).map((rs, c) -> row(rs)).list());
    }

    @Override
    public Optional<Network> lock(String id) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM networks WHERE id = :id FOR UPDATE")
                .bind("id", id).map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public List<Network> list(String visibleToProject) {
        if (visibleToProject == null) {
            return tx.handle().createQuery("SELECT " + COLUMNS + " FROM networks ORDER BY seq").map((rs, c) -> row(rs)).list();
        }
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM networks WHERE project_id = :p OR shared OR id IN ("
                        + SqlRbacPolicies.NETWORKS_GRANTED + ") ORDER BY seq")
                .bind("p", visibleToProject).map((rs, c) -> row(rs)).list();
    }

    @Override
    public void insert(Network n) {
        tx.handle().createUpdate("INSERT INTO networks (" + COLUMNS + ") VALUES (:id, :project_id, :name, :description, "
                        + ":admin_state_up, :shared, :router_external, :mtu, :port_security_enabled, :status, :network_type, "
                        + ":physical_network, :segmentation_id, :tags, :created_at, :updated_at, :revision_number)")
                .bind("id", n.id()).bind("project_id", n.projectId()).bind("network_type", n.segment().type().wireName())
                .bind("physical_network", n.segment().physicalNetwork()).bind("segmentation_id", n.segment().segmentationId())
                .bind("created_at", n.createdAt().getEpochSecond())
                .bindMap(mutable(n)).execute();
    }

    @Override
    public void update(Network n) {
        tx.handle().createUpdate("UPDATE networks SET name = :name, description = :description, admin_state_up = :admin_state_up, "
                        + "shared = :shared, router_external = :router_external, mtu = :mtu, port_security_enabled = :port_security_enabled, "
                        + "status = :status, tags = :tags, updated_at = :updated_at, revision_number = :revision_number WHERE id = :id")
                .bind("id", n.id()).bindMap(mutable(n)).execute();
    }

    @Override
    public void delete(String id) {
        tx.handle().createUpdate("DELETE FROM networks WHERE id = :id").bind("id", id).execute();
    }

    private static java.util.Map<String, Object> mutable(Network n) {
        java.util.Map<String, Object> m = new java.util.HashMap<>();
        m.put("name", n.name());
        m.put("description", n.description());
        m.put("admin_state_up", n.adminStateUp());
        m.put("shared", n.shared());
        m.put("router_external", n.external());
        m.put("mtu", n.mtu());
        m.put("port_security_enabled", n.portSecurityEnabled());
        m.put("status", n.status());
        m.put("tags", Json.write(n.tags()));
        m.put("updated_at", n.updatedAt().getEpochSecond());
        m.put("revision_number", n.revision());
        return m;
    }

    private static Network row(ResultSet rs) throws SQLException {
        Integer segId = (Integer) rs.getObject("segmentation_id");
        return new Network(rs.getString("id"), rs.getString("project_id"), rs.getString("name"), rs.getString("description"),
                rs.getBoolean("admin_state_up"), rs.getBoolean("shared"), rs.getBoolean("router_external"), rs.getInt("mtu"),
                rs.getBoolean("port_security_enabled"), rs.getString("status"),
                new Segment(NetworkType.fromWire(rs.getString("network_type")), rs.getString("physical_network"), segId),
                Json.read(rs.getString("tags"), STRINGS), Instant.ofEpochSecond(rs.getLong("created_at")),
                Instant.ofEpochSecond(rs.getLong("updated_at")), rs.getLong("revision_number"));
    }
}
