package dev.skein.store.sql;

import dev.skein.model.RbacPolicy;
import dev.skein.store.RbacPolicyRepository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

final class SqlRbacPolicies implements RbacPolicyRepository {
    /**
     * Networks a project (bound as :p) is granted by some policy, for "id IN (...)" in visibility filters. An
     * uncorrelated subquery on the (target_project, object_id) index: one probe per list, not one per network.
     */
    static final String NETWORKS_GRANTED = "SELECT r.object_id FROM rbac_policies r WHERE r.object_type = 'network' "
            + "AND r.target_project IN (:p, '*')";
    private static final String COLUMNS = "id, project_id, object_type, object_id, action, target_project";

    private final SqlTx tx;

    SqlRbacPolicies(SqlTx tx) { this.tx = tx; }

    @Override
    public Optional<RbacPolicy> get(String id) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM rbac_policies WHERE id = :id").bind("id", id)
                .map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public Optional<RbacPolicy> lock(String id) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM rbac_policies WHERE id = :id FOR UPDATE").bind("id", id)
                .map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public List<RbacPolicy> list(String ownedBy) {
        if (ownedBy == null) {
            return tx.handle().createQuery("SELECT " + COLUMNS + " FROM rbac_policies ORDER BY seq").map((rs, c) -> row(rs)).list();
        }
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM rbac_policies WHERE project_id = :p ORDER BY seq")
                .bind("p", ownedBy).map((rs, c) -> row(rs)).list();
    }

    @Override
    public List<RbacPolicy> onObject(String objectType, String objectId) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM rbac_policies WHERE object_id = :o AND object_type = :t ORDER BY seq")
                .bind("o", objectId).bind("t", objectType).map((rs, c) -> row(rs)).list();
    }

    @Override
    public Optional<RbacPolicy> find(String objectType, String objectId, String action, String target) {
        return tx.handle().createQuery("SELECT " + COLUMNS + " FROM rbac_policies WHERE object_id = :o AND object_type = :t "
                        + "AND action = :a AND target_project = :target")
                .bind("o", objectId).bind("t", objectType).bind("a", action).bind("target", target)
                .map((rs, c) -> row(rs)).findOne();
    }

    @Override
    public boolean tryInsert(RbacPolicy p) {
        return tx.tryUnique(() -> tx.handle().createUpdate("INSERT INTO rbac_policies (" + COLUMNS + ") VALUES (:id, :p, :t, :o, :a, :target)")
                .bind("id", p.id()).bind("p", p.projectId()).bind("t", p.objectType()).bind("o", p.objectId())
                .bind("a", p.action()).bind("target", p.targetProject()).execute() == 1);
    }

    @Override
    public boolean tryUpdateTarget(String id, String target) {
        return tx.tryUnique(() -> tx.handle().createUpdate("UPDATE rbac_policies SET target_project = :target WHERE id = :id")
                .bind("id", id).bind("target", target).execute() == 1);
    }

    @Override
    public void delete(String id) {
        tx.handle().createUpdate("DELETE FROM rbac_policies WHERE id = :id").bind("id", id).execute();
    }

    @Override
    public Set<String> grants(String objectType, String objectId, String projectId) {
        return new HashSet<>(tx.handle().createQuery("SELECT DISTINCT action FROM rbac_policies WHERE object_id = :o "
                        + "AND object_type = :t AND target_project IN (:p, '*')")
                .bind("o", objectId).bind("t", objectType).bind("p", projectId).mapTo(String.class).list());
    }

    @Override
    public Set<String> objectsGranting(String objectType, String action, String projectId) {
        return new HashSet<>(tx.handle().createQuery("SELECT object_id FROM rbac_policies WHERE target_project = :p "
                        + "AND object_type = :t AND action = :a")
                .bind("p", projectId).bind("t", objectType).bind("a", action).mapTo(String.class).list());
    }

    @Override
    public long portsDependingOn(RbacPolicy policy, String networkOwner) {
        // Ports without a project (router gateways and the like) belong to the service, not to a tenant.
        String sql = "SELECT COUNT(*) FROM ports p WHERE p.network_id = :n AND p.project_id <> :owner AND p.project_id <> ''"
                + (policy.targetsAll() ? "" : " AND p.project_id = :target")
                + " AND NOT EXISTS (SELECT 1 FROM rbac_policies r WHERE r.object_id = :n AND r.object_type = 'network' "
                + "AND r.action = 'access_as_shared' AND r.id <> :removed AND r.target_project IN (p.project_id, '*'))";
        var q = tx.handle().createQuery(sql).bind("n", policy.objectId()).bind("owner", networkOwner).bind("removed", policy.id());
        if (!policy.targetsAll()) q.bind("target", policy.targetProject());
        return q.mapTo(Long.class).one();
    }

    private static RbacPolicy row(ResultSet rs) throws SQLException {
        return new RbacPolicy(rs.getString("id"), rs.getString("project_id"), rs.getString("object_type"),
                rs.getString("object_id"), rs.getString("action"), rs.getString("target_project"));
    }
}
