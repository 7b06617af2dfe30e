package dev.skein.store.sql;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.skein.model.Agent;
import dev.skein.model.AgentState;
import dev.skein.store.AgentRepository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class SqlAgents implements AgentRepository {
    private static final TypeReference<Map<String, String>> MAPPINGS = new TypeReference<>() {};
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};
    private static final String COLUMNS = "id, agent_type, binary_name, host, topic, local_ip, bridge_mappings, "
            + "configurations, admin_state_up, description, created_at, started_at";

    private final SqlTx tx;

    SqlAgents(SqlTx tx) { this.tx = tx; }

    @Override
    public Optional<Agent> get(String id) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM agents WHERE id = :id").bind("id", id)
                .map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public Optional<Agent> byHost(String agentType, String host) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM agents WHERE agent_type = :t AND host = :h")
                .bind("t", agentType).bind("h", host).map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public List<Agent> list() {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM agents ORDER BY seq").map((rs, c) -> row(rs)).list();
    }

    @Override
    public List<Agent> onHosts(String agentType, Collection<String> hosts) {
        if (hosts.isEmpty()) return List.of();
        return SqlHostPlans.inChunks(hosts, chunk -> tx.handle()
                .createQuery("SELECT " + COLUMNS + " FROM agents WHERE agent_type = :t AND host IN (<hosts>) ORDER BY seq")
                .bind("t", agentType).bindList("hosts", chunk).map((rs, c) -> row(rs)).list());
    }

    @Override
    public boolean tryInsert(Agent a) {
        return tx.tryUnique(() -> tx.handle().createUpdate("INSERT INTO agents (" + COLUMNS + ") VALUES (:id, :agent_type, "
                        + ":binary_name, :host, :topic, :local_ip, :bridge_mappings, :configurations, :admin_state_up, "
                        + ":description, :created_at, :started_at)")
                .bind("id", a.id()).bind("agent_type", a.agentType()).bind("binary_name", a.binary()).bind("host", a.host())
                .bind("topic", a.topic()).bind("local_ip", a.localIp()).bind("bridge_mappings", Json.write(a.bridgeMappings()))
                .bind("configurations", Json.write(a.configurations())).bind("admin_state_up", a.adminStateUp())
                .bind("description", a.description()).bind("created_at", a.createdAt().getEpochSecond())
                .bind("started_at", a.startedAt().getEpochSecond()).execute() == 1);
    }

    @Override
    public void update(Agent a) {
        tx.handle().createUpdate("UPDATE agents SET local_ip = :local_ip, bridge_mappings = :bridge_mappings, "
                        + "configurations = :configurations, admin_state_up = :admin_state_up, description = :description, "
                        + "started_at = :started_at WHERE id = :id")
                .bind("id", a.id()).bind("local_ip", a.localIp()).bind("bridge_mappings", Json.write(a.bridgeMappings()))
                .bind("configurations", Json.write(a.configurations())).bind("admin_state_up", a.adminStateUp())
                .bind("description", a.description()).bind("started_at", a.startedAt().getEpochSecond()).execute();
    }

    @Override
    public void delete(String id) {
        tx.handle().createUpdate("DELETE FROM agent_states WHERE agent_id = :id").bind("id", id).execute();
        tx.handle().createUpdate("DELETE FROM agents WHERE id = :id").bind("id", id).execute();
    }

    @Override
    public Optional<AgentState> state(String agentId) {
        return tx.handle().createQuery("SELECT agent_id, heartbeat_at, realised_revision FROM agent_states WHERE agent_id = :id")
                .bind("id", agentId).map((rs, c) -> stateRow(rs)).findOne();
    }

    @Override
    public List<AgentState> states() {
        return tx.handle().createQuery("SELECT agent_id, heartbeat_at, realised_revision FROM agent_states")
                .map((rs, c) -> stateRow(rs)).list();
    }

    @Override
    public boolean heartbeat(String agentId, Instant at) {
        if (tx.handle().createUpdate("UPDATE agent_states SET heartbeat_at = :t WHERE agent_id = :id")
                .bind("t", at.getEpochSecond()).bind("id", agentId).execute() == 1) {
            return true;
        }
        if (get(agentId).isEmpty()) return false;
        // Two first heartbeats can race to create the row; the loser's update then finds it.
        return tx.tryUnique(() -> tx.handle().createUpdate("INSERT INTO agent_states (agent_id, heartbeat_at, realised_revision) "
                        + "VALUES (:id, :t, 0)").bind("id", agentId).bind("t", at.getEpochSecond()).execute() == 1)
                || tx.handle().createUpdate("UPDATE agent_states SET heartbeat_at = :t WHERE agent_id = :id")
                        .bind("t", at.getEpochSecond()).bind("id", agentId).execute() == 1;
    }

    @Override
    public boolean realised(String agentId, long revision) {
        return tx.handle().createUpdate("UPDATE agent_states SET realised_revision = :r WHERE agent_id = :id AND realised_revision < :r")
                .bind("r", revision).bind("id", agentId).execute() == 1;
    }

    private static AgentState stateRow(ResultSet rs) throws SQLException {
        return new AgentState(rs.getString("agent_id"), Instant.ofEpochSecond(rs.getLong("heartbeat_at")), rs.getLong("realised_revision"));
    }

    private static Agent row(ResultSet rs) throws SQLException {
        return new Agent(rs.getString("id"), rs.getString("agent_type"), rs.getString("binary_name"), rs.getString("host"),
                rs.getString("topic"), rs.getString("local_ip"), Json.read(rs.getString("bridge_mappings"), MAPPINGS),
                Json.read(rs.getString("configurations"), OBJECT), rs.getBoolean("admin_state_up"), rs.getString("description"),
                Instant.ofEpochSecond(rs.getLong("created_at")), Instant.ofEpochSecond(rs.getLong("started_at")));
    }
}
