package dev.skein.store.sql;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.skein.model.AddressPair;
import dev.skein.model.Port;
import dev.skein.store.PortRepository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class SqlPorts implements PortRepository {
    static final TypeReference<List<AddressPair>> PAIRS = new TypeReference<>() {};
    private static final String COLUMNS = "id, project_id, network_id, name, description, admin_state_up, mac_address, "
            + "device_id, device_owner, host_id, vnic_type, allowed_address_pairs, port_security_enabled, security_groups, "
            + "status, tags, created_at, updated_at, revision_number";

    private final SqlTx tx;

    SqlPorts(SqlTx tx) { this.tx = tx; }

    @Override
    public Optional<Port> get(String id) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM ports WHERE id = :id").bind("id", id)
                .map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public Optional<Port> lock(String id) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM ports WHERE id = :id FOR UPDATE").bind("id", id)
                .map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public List<Port> getAll(Collection<String> ids) {
        return SqlHostPlans.inChunks(ids, chunk -> tx.handle().createQuery("SELECT " + COLUMNS + " FROM ports WHERE id IN (<ids>)")
                .bindList("ids", chunk).map((rs, c) -> row(rs)).list());
    }

    @Override
    public List<Port> list(String projectId, String networkId) {
        StringBuilder sql = new StringBuilder("SELECT " + prefixed() + " FROM ports p");
        if (projectId != null) sql.append(" JOIN networks n ON n.id = p.network_id");
        sql.append(" WHERE 1 = 1");
        // A project sees its own ports and every port on the networks it owns.
        if (projectId != null) sql.append(" AND (p.project_id = :p OR n.project_id = :p)");
        if (networkId != null) sql.append(" AND p.network_id = :n");
        sql.append(" ORDER BY p.seq");
        var q = tx.handle().createQuery(sql.toString());
        if (projectId != null) q.bind("p", projectId);
        if (networkId != null) q.bind("n", networkId);
        return q.map((rs, c) -> row(rs)).list();
    }

    @Override
    public List<Port> onNetworks(Collection<String> networkIds) {
        return SqlHostPlans.inChunks(networkIds, chunk -> tx.handle()
                .createQuery("SELECT " + COLUMNS + " FROM ports WHERE network_id IN (<ids>) ORDER BY seq")
                .bindList("ids", chunk).map((rs, c) -> row(rs)).list());
    }

    @Override
    public boolean tryInsert(Port p) {
        return tx.tryUnique(() -> tx.handle().createUpdate("INSERT INTO ports (" + COLUMNS + ") VALUES (:id, :project_id, "
                        + ":network_id, :name, :description, :admin_state_up, :mac_address, :device_id, :device_owner, :host_id, "
                        + ":vnic_type, :allowed_address_pairs, :port_security_enabled, :security_groups, :status, :tags, "
                        + ":created_at, :updated_at, :revision_number)")
                .bind("project_id", p.projectId()).bind("network_id", p.networkId())
                .bind("created_at", p.createdAt().getEpochSecond()).bindMap(mutable(p)).execute() == 1);
    }

    @Override
    public boolean tryUpdate(Port p) {
        return tx.tryUnique(() -> tx.handle().createUpdate("UPDATE ports SET name = :name, description = :description, "
                        + "admin_state_up = :admin_state_up, mac_address = :mac_address, device_id = :device_id, "
                        + "device_owner = :device_owner, host_id = :host_id, vnic_type = :vnic_type, "
                        + "allowed_address_pairs = :allowed_address_pairs, port_security_enabled = :port_security_enabled, "
                        + "security_groups = :security_groups, status = :status, tags = :tags, updated_at = :updated_at, "
                        + "revision_number = :revision_number WHERE id = :id")
                .bindMap(mutable(p)).execute() == 1);
    }

    @Override
    public void delete(String id) {
        tx.handle().createUpdate("DELETE FROM ports WHERE id = :id").bind("id", id).execute();
    }

    @Override
    public boolean updateStatus(String id, String hostId, String status, Instant now) {
        return tx.handle().createUpdate("UPDATE ports SET status = :s, updated_at = :t, revision_number = revision_number + 1 "
                        + "WHERE id = :id AND host_id = :h AND status <> :s")
                .bind("s", status).bind("t", now.getEpochSecond()).bind("id", id).bind("h", hostId).execute() == 1;
    }

    @Override
    public long countOnNetwork(String networkId, List<String> ignoredOwners) {
        return tx.handle().createQuery("SELECT COUNT(*) FROM ports WHERE network_id = :n AND device_owner NOT IN (<owners>)")
                .bind("n", networkId).bindList("owners", ignoredOwners).mapTo(Long.class).one();
    }

    private static Map<String, Object> mutable(Port p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("name", p.name());
        m.put("description", p.description());
        m.put("admin_state_up", p.adminStateUp());
        m.put("mac_address", p.macAddress());
        m.put("device_id", p.deviceId());
        m.put("device_owner", p.deviceOwner());
        m.put("host_id", p.hostId());
        m.put("vnic_type", p.vnicType());
        m.put("allowed_address_pairs", Json.write(p.allowedAddressPairs()));
        m.put("port_security_enabled", p.portSecurityEnabled());
        m.put("security_groups", Json.write(p.securityGroups()));
        m.put("status", p.status());
        m.put("tags", Json.write(p.tags()));
        m.put("updated_at", p.updatedAt().getEpochSecond());
        m.put("revision_number", p.revision());
        return m;
    }

    private static String prefixed() { return "p." + COLUMNS.replace(", ", ", p."); }

    private static Port row(ResultSet rs) throws SQLException {
        return new Port(rs.getString("id"), rs.getString("project_id"), rs.getString("network_id"), rs.getString("name"),
                rs.getString("description"), rs.getBoolean("admin_state_up"), rs.getString("mac_address"), List.of(),
                rs.getString("device_id"), rs.getString("device_owner"), rs.getString("host_id"), rs.getString("vnic_type"),
                Json.read(rs.getString("allowed_address_pairs"), PAIRS), rs.getBoolean("port_security_enabled"),
                Json.read(rs.getString("security_groups"), SqlNetworks.STRINGS), rs.getString("status"),
                Json.read(rs.getString("tags"), SqlNetworks.STRINGS), Instant.ofEpochSecond(rs.getLong("created_at")),
                Instant.ofEpochSecond(rs.getLong("updated_at")), rs.getLong("revision_number"));
    }
}
