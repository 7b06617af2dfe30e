package dev.skein.store.sql;

import dev.skein.model.RbacPolicy;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Networks made shared or external before RBAC existed keep those flags as policies for every project. */
class RbacMigrationTest {
    private static final String PLAIN = "11111111-1111-4111-8111-111111111111";
    private static final String SHARED = "22222222-2222-4222-8222-222222222222";
    private static final String BOTH = "3a3a3a3a-3333-4333-8333-333333333333";

    @Test
    void sharedAndExternalNetworksGetTheirPolicies(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("skein") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").target("1").load().migrate();
        try (Connection c = DriverManager.getConnection(url)) {
            network(c, PLAIN, false, false);
            network(c, SHARED, true, false);
            network(c, BOTH, true, true);
        }

        try (SqlStore store = SqlStore.embedded(dir)) {
            List<RbacPolicy> policies = store.read(tx -> tx.rbacPolicies().list(null));
            Set<String> described = policies.stream()
                    .map(p -> p.objectId() + " " + p.action() + " " + p.targetProject() + " " + p.projectId())
                    .collect(Collectors.toSet());
            assertEquals(Set.of(SHARED + " access_as_shared * owner", BOTH + " access_as_shared * owner",
                    BOTH + " access_as_external * owner"), described);
            assertEquals(3, policies.stream().map(RbacPolicy::id).distinct().count(), "policy ids are distinct");
            assertEquals(Set.of("access_as_shared", "access_as_external"),
                    store.read(tx -> tx.rbacPolicies().grants("network", BOTH, "anyone")));
        }
    }

    private static void network(Connection c, String id, boolean shared, boolean external) throws Exception {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO networks (id, project_id, name, description, admin_state_up, "
                + "shared, router_external, mtu, port_security_enabled, status, network_type, tags, created_at, updated_at, "
                + "revision_number) VALUES (?, 'owner', '', '', TRUE, ?, ?, 1450, TRUE, 'ACTIVE', 'vxlan', '[]', 0, 0, 1)")) {
            s.setString(1, id);
            s.setBoolean(2, shared);
            s.setBoolean(3, external);
            s.executeUpdate();
        }
    }
}
