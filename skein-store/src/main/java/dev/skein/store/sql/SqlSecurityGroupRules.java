package dev.skein.store.sql;

import dev.skein.model.SecurityGroupRule;
import dev.skein.secgroup.RuleKey;
import dev.skein.store.SecurityGroupRuleRepository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class SqlSecurityGroupRules implements SecurityGroupRuleRepository {
    private static final String COLUMNS = "id, project_id, security_group_id, direction, ethertype, protocol, port_range_min, "
            + "port_range_max, remote_ip_prefix, remote_group_id, description, created_at, updated_at, revision_number";
    private static final String KEY_MATCH = "security_group_id = :g AND direction = :d AND ethertype = :e AND protocol_key = :pk "
            + "AND port_min_key = :minK AND port_max_key = :maxK AND remote_ip_key = :ipK AND remote_group_key = :rgK";

    private final SqlTx tx;

    SqlSecurityGroupRules(SqlTx tx) { this.tx = tx; }

    @Override
    public Optional<SecurityGroupRule> get(String id) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM security_group_rules WHERE id = :id")
                .bind("id", id).map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public List<SecurityGroupRule> list(String projectId) {
        if (projectId == null) {
            return tx.handle().createQuery("SELECT " + COLUMNS + " FROM security_group_rules ORDER BY seq").map((rs, c) -> row(rs)).list();
        }
        return tx.handle().createQuery("SELECT " + prefixed() + " FROM security_group_rules r JOIN security_groups g "
                        + "ON g.id = r.security_group_id WHERE r.project_id = :p OR g.project_id = :p ORDER BY r.seq")
                .bind("p", projectId).map((rs, c) -> row(rs)).list();
    }

    @Override
    public List<SecurityGroupRule> ofGroups(Collection<String> groupIds) {
        List<SecurityGroupRule> out = new ArrayList<>();
        List<String> ids = List.copyOf(groupIds);
        for (int i = 0; i < ids.size(); i += SqlIpAllocations.CHUNK) {
            out.addAll(tx.handle().createQuery("SELECT " + COLUMNS + " FROM security_group_rules WHERE security_group_id IN (<ids>) ORDER BY seq")
                    .bindList("ids", ids.subList(i, Math.min(ids.size(), i + SqlIpAllocations.CHUNK)))
                    .map((rs, c) -> row(rs)).list());
        }
        return out;
    }

    @Override
    public boolean tryInsert(SecurityGroupRule r) {
        return tx.tryUnique(() -> {
            insert(r);
            return true;
        });
    }

    @Override
    public void insert(SecurityGroupRule r) {
        RuleKey k = RuleKey.of(r);
        tx.handle().createUpdate("INSERT INTO security_group_rules (" + COLUMNS + ", protocol_key, port_min_key, port_max_key, "
                        + "remote_ip_key, remote_group_key) VALUES (:id, :project_id, :g, :d, :e, :protocol, :min, :max, "
                        + ":prefix, :remote_group_id, :description, :created_at, :updated_at, :revision_number, :pk, :minK, "
                        + ":maxK, :ipK, :rgK)")
                .bind("id", r.id()).bind("project_id", r.projectId()).bind("protocol", r.protocol())
                .bind("min", r.portRangeMin()).bind("max", r.portRangeMax()).bind("prefix", r.remoteIpPrefix())
                .bind("remote_group_id", r.remoteGroupId()).bind("description", r.description())
                .bind("created_at", r.createdAt().getEpochSecond()).bind("updated_at", r.updatedAt().getEpochSecond())
                .bind("revision_number", r.revision()).bindMap(keyParams(k)).execute();
    }

    @Override
    public Optional<String> idOf(RuleKey key) {
        return tx.handle().createQuery("SELECT id FROM security_group_rules WHERE " + KEY_MATCH)
                .bindMap(keyParams(key)).mapTo(String.class).findOne();
    }

    @Override
    public long countInGroup(String groupId) {
        return tx.handle().createQuery("SELECT COUNT(*) FROM security_group_rules WHERE security_group_id = :g")
                .bind("g", groupId).mapTo(Long.class).one();
    }

    @Override
    public void delete(String id) {
        tx.handle().createUpdate("DELETE FROM security_group_rules WHERE id = :id").bind("id", id).execute();
    }

    @Override
    public List<String> groupsReferencing(String remoteGroupId) {
        return tx.handle().createQuery("SELECT DISTINCT security_group_id FROM security_group_rules "
                        + "WHERE remote_group_id = :r AND security_group_id <> :r")
                .bind("r", remoteGroupId).mapTo(String.class).list();
    }

    private static Map<String, Object> keyParams(RuleKey k) {
        return Map.of("g", k.securityGroupId(), "d", k.direction(), "e", k.ethertype(), "pk", k.protocol(),
                "minK", k.portMin(), "maxK", k.portMax(), "ipK", k.remoteIpPrefix(), "rgK", k.remoteGroupId());
    }

    private static String prefixed() { return "r." + COLUMNS.replace(", ", ", r."); }

    private static SecurityGroupRule row(ResultSet rs) throws SQLException {
        return new SecurityGroupRule(rs.getString("id"), rs.getString("project_id"), rs.getString("security_group_id"),
                rs.getString("direction"), rs.getString("ethertype"), rs.getString("protocol"),
                (Integer) rs.getObject("port_range_min"), (Integer) rs.getObject("port_range_max"),
                rs.getString("remote_ip_prefix"), rs.getString("remote_group_id"), rs.getString("description"),
                Instant.ofEpochSecond(rs.getLong("created_at")), Instant.ofEpochSecond(rs.getLong("updated_at")),
                rs.getLong("revision_number"));
    }
}
