package dev.skein.store.sql;

import dev.skein.model.SecurityGroup;
import dev.skein.model.SecurityGroupRule;
import dev.skein.store.SecurityGroupRepository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

final class SqlSecurityGroups implements SecurityGroupRepository {
    private static final String COLUMNS = "id, project_id, name, description, stateful, tags, created_at, updated_at, revision_number";

    private final SqlTx tx;

    SqlSecurityGroups(SqlTx tx) { this.tx = tx; }

    @Override
    public Optional<SecurityGroup> get(String id) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM security_groups WHERE id = :id")
                .bind("id", id).map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public Optional<SecurityGroup> lock(String id) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM security_groups WHERE id = :id FOR UPDATE")
                .bind("id", id).map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public List<SecurityGroup> list(String projectId) {
        if (projectId == null) {
            return tx.handle().createQuery("SELECT " + COLUMNS + " FROM security_groups ORDER BY seq").map((rs, c) -> row(rs)).list();
        }
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM security_groups WHERE project_id = :p ORDER BY seq")
                .bind("p", projectId).map((rs, c) -> row(rs)).list();
    }

    @Override
    public List<SecurityGroup> getAll(Collection<String> ids) {
        List<SecurityGroup> out = new ArrayList<>();
        List<String> all = List.copyOf(ids);
        for (int i = 0; i < all.size(); i += SqlIpAllocations.CHUNK) {
            out.addAll(tx.handle().createQuery("SELECT " + COLUMNS + " FROM security_groups WHERE id IN (<ids>)")
                    .bindList("ids", all.subList(i, Math.min(all.size(), i + SqlIpAllocations.CHUNK)))
                    .map((rs, c) -> row(rs)).list());
        }
        return out;
    }

    /** Each group has this many pin rows; a join locks one at random, a delete all of them. */
    static final int PIN_SLOTS = 16;

    @Override
    public List<String> pinAll(Collection<String> ids) {
        int slot = ThreadLocalRandom.current().nextInt(PIN_SLOTS);
        List<String> out = new ArrayList<>();
        List<String> sorted = ids.stream().distinct().sorted().toList();
        for (int i = 0; i < sorted.size(); i += SqlIpAllocations.CHUNK) {
            out.addAll(tx.handle().createQuery("SELECT security_group_id FROM security_group_pins WHERE slot = :slot "
                            + "AND security_group_id IN (<ids>) ORDER BY security_group_id FOR UPDATE")
                    .bind("slot", slot).bindList("ids", sorted.subList(i, Math.min(sorted.size(), i + SqlIpAllocations.CHUNK)))
                    .mapTo(String.class).list());
        }
        return out;
    }

    @Override
    public void insert(SecurityGroup g) {
        tx.handle().createUpdate("INSERT INTO security_groups (" + COLUMNS + ") VALUES (:id, :project_id, :name, :description, "
                        + ":stateful, :tags, :created_at, :updated_at, :revision_number)")
                .bind("project_id", g.projectId()).bind("created_at", g.createdAt().getEpochSecond())
                .bindMap(mutable(g)).execute();
        var pins = tx.handle().prepareBatch("INSERT INTO security_group_pins (security_group_id, slot) VALUES (:g, :slot)");
        for (int slot = 0; slot < PIN_SLOTS; slot++) pins.bind("g", g.id()).bind("slot", slot).add();
        pins.execute();
    }

    @Override
    public void update(SecurityGroup g) {
        tx.handle().createUpdate("UPDATE security_groups SET name = :name, description = :description, stateful = :stateful, "
                + "tags = :tags, updated_at = :updated_at, revision_number = :revision_number WHERE id = :id")
                .bindMap(mutable(g)).execute();
    }

    @Override
    public void delete(String id) {
        tx.handle().createUpdate("DELETE FROM security_groups WHERE id = :id").bind("id", id).execute();
    }

    @Override
    public Optional<String> defaultOf(String projectId) {
        return tx.handle().createQuery("SELECT security_group_id FROM default_security_groups WHERE project_id = :p")
                .bind("p", projectId).mapTo(String.class).findOne();
    }

    @Override
    public boolean isDefault(String id) {
        return tx.handle().createQuery("SELECT COUNT(*) FROM default_security_groups WHERE security_group_id = :id")
                .bind("id", id).mapTo(Long.class).one() > 0;
    }

    @Override
    public boolean tryInsertDefault(SecurityGroup g, List<SecurityGroupRule> rules) {
        return tx.tryUnique(() -> {
            insert(g);
            tx.handle().createUpdate("INSERT INTO default_security_groups (project_id, security_group_id) VALUES (:p, :g)")
                    .bind("p", g.projectId()).bind("g", g.id()).execute();
            SqlSecurityGroupRules ruleRows = new SqlSecurityGroupRules(tx);
            for (SecurityGroupRule r : rules) ruleRows.insert(r);
            return true;
        });
    }

    @Override
    public void addPortGroups(String portId, List<String> groupIds) {
        for (String g : groupIds) {
            tx.handle().createUpdate("INSERT INTO port_security_groups (port_id, security_group_id) VALUES (:p, :g)")
                    .bind("p", portId).bind("g", g).execute();
        }
    }

    @Override
    public void setPortGroups(String portId, List<String> groupIds) {
        tx.handle().createUpdate("DELETE FROM port_security_groups WHERE port_id = :p").bind("p", portId).execute();
        addPortGroups(portId, groupIds);
    }

    @Override
    public Map<String, List<String>> ofPorts(Collection<String> portIds) {
        Map<String, List<String>> out = new HashMap<>();
        List<String> ids = List.copyOf(portIds);
        for (int i = 0; i < ids.size(); i += SqlIpAllocations.CHUNK) {
            tx.handle().createQuery("SELECT port_id, security_group_id FROM port_security_groups WHERE port_id IN (<ids>) ORDER BY seq")
                    .bindList("ids", ids.subList(i, Math.min(ids.size(), i + SqlIpAllocations.CHUNK)))
                    .map((rs, c) -> Map.entry(rs.getString(1), rs.getString(2)))
                    .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        }
        return out;
    }

    @Override
    public long lockMembers(String groupId) {
        tx.handle().createQuery("SELECT slot FROM security_group_pins WHERE security_group_id = :g ORDER BY slot FOR UPDATE")
                .bind("g", groupId).mapTo(Integer.class).list();
        return tx.handle().createQuery("SELECT COUNT(*) FROM port_security_groups WHERE security_group_id = :g")
                .bind("g", groupId).mapTo(Long.class).one();
    }

    private static Map<String, Object> mutable(SecurityGroup g) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", g.id());
        m.put("name", g.name());
        m.put("description", g.description());
        m.put("stateful", g.stateful());
        m.put("tags", Json.write(g.tags()));
        m.put("updated_at", g.updatedAt().getEpochSecond());
        m.put("revision_number", g.revision());
        return m;
    }

    private static SecurityGroup row(ResultSet rs) throws SQLException {
        return new SecurityGroup(rs.getString("id"), rs.getString("project_id"), rs.getString("name"),
                rs.getString("description"), rs.getBoolean("stateful"), Json.read(rs.getString("tags"), SqlNetworks.STRINGS),
                Instant.ofEpochSecond(rs.getLong("created_at")), Instant.ofEpochSecond(rs.getLong("updated_at")),
                rs.getLong("revision_number"));
    }
}
