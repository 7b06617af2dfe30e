package dev.skein.store.sql;

import dev.skein.model.Port;
import dev.skein.store.QuotaRepository;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

final class SqlQuotas implements QuotaRepository {
    /** Where each quota resource lives; every table has an indexed project_id column. */
    private static final Map<String, String> TABLES = Map.of(
            "network", "networks",
            "subnet", "subnets",
            "port", "ports",
            "router", "routers",
            "floatingip", "floating_ips",
            "security_group", "security_groups",
            "security_group_rule", "security_group_rules",
            "rbac_policy", "rbac_policies");

    private final SqlTx tx;
    private final Set<String> tables;

    SqlQuotas(SqlTx tx, Set<String> tables) {
        this.tx = tx;
        this.tables = tables;
    }

    @Override
    public OptionalInt limit(String projectId, String resource) {
        return tx.handle().createQuery("SELECT hard_limit FROM quotas WHERE project_id = :p AND resource = :r")
                .bind("p", projectId).bind("r", resource).mapTo(Integer.class).findOne()
                .map(OptionalInt::of).orElse(OptionalInt.empty());
    }

    @Override
    public Map<String, Integer> limits(String projectId) {
        Map<String, Integer> out = new HashMap<>();
        tx.handle().createQuery("SELECT resource, hard_limit FROM quotas WHERE project_id = :p").bind("p", projectId)
                .map((rs, c) -> Map.entry(rs.getString(1), rs.getInt(2))).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public Map<String, Map<String, Integer>> allLimits() {
        Map<String, Map<String, Integer>> out = new HashMap<>();
        tx.handle().createQuery("SELECT project_id, resource, hard_limit FROM quotas")
                .map((rs, c) -> new Object[]{rs.getString(1), rs.getString(2), rs.getInt(3)})
                .forEach(r -> out.computeIfAbsent((String) r[0], k -> new HashMap<>()).put((String) r[1], (Integer) r[2]));
        return out;
    }

    @Override
    public void setLimit(String projectId, String resource, int limit) {
        for (;;) {
            int updated = tx.handle().createUpdate("UPDATE quotas SET hard_limit = :l WHERE project_id = :p AND resource = :r")
                    .bind("p", projectId).bind("r", resource).bind("l", limit).execute();
            if (updated == 1) return;
            boolean inserted = tx.tryUnique(() -> tx.handle().createUpdate("INSERT INTO quotas (project_id, resource, hard_limit) "
                    + "VALUES (:p, :r, :l)").bind("p", projectId).bind("r", resource).bind("l", limit).execute() == 1);
            if (inserted) return;
        }
    }

    @Override
    public int clearLimits(String projectId) {
        return tx.handle().createUpdate("DELETE FROM quotas WHERE project_id = :p").bind("p", projectId).execute();
    }

    @Override
    public void lockUsage(String projectId, String resource) {
        // The row may not exist yet. Whoever inserts it holds its lock; a concurrent inserter waits on the unique
        // key until that transaction ends and then finds the row committed, so the loop turns at most twice.
        for (;;) {
            boolean locked = tx.handle().createQuery("SELECT 1 FROM quota_usages WHERE project_id = :p AND resource = :r FOR UPDATE")
                    .bind("p", projectId).bind("r", resource).mapTo(Integer.class).findOne().isPresent();
            if (locked) return;
            boolean created = tx.tryUnique(() -> tx.handle().createUpdate("INSERT INTO quota_usages (project_id, resource) VALUES (:p, :r)")
                    .bind("p", projectId).bind("r", resource).execute() == 1);
            if (created) return;
        }
    }

    @Override
    public OptionalLong count(String resource, String projectId) {
        String table = TABLES.get(resource);
        if (table == null || !tables.contains(table)) return OptionalLong.empty();
        // DHCP ports are the network's, made by Skein for every DHCP-enabled network: a project never pays for them.
        String notDhcp = table.equals("ports") ? " AND device_owner <> '" + Port.DHCP_OWNER + "'" : "";
        return OptionalLong.of(tx.handle().createQuery("SELECT COUNT(*) FROM " + table + " WHERE project_id = :p" + notDhcp)
                .bind("p", projectId).mapTo(Long.class).one());
    }
}
