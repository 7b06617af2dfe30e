package dev.skein.server;

import dev.skein.server.AllInOne.Login;
import dev.skein.server.AllInOne.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static dev.skein.server.AllInOne.OBJECT;
import static dev.skein.server.AllInOne.ROWS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RBAC sharing and quotas through the real openstack CLI against ./skein all-in-one, as admin and as a demo user. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuotaRbacCliIT {
    private static final Login ADMIN = new Login("admin", "qr-admin-secret", "admin");
    private static final Login DEMO = new Login("demo", "qr-demo-secret", "demo");

    @RegisterExtension
    static final AllInOne skein = AllInOne.perClass(ADMIN.password(), String.join("\n",
            "identity:",
            "  projects:",
            "    - name: demo",
            "  users:",
            "    - name: demo",
            "      password: " + DEMO.password(),
            "      project: demo",
            AllInOne.COMPUTE_ONLY_AGENT));
    private static String demoProject;

    @BeforeAll
    static void findDemoProject() throws Exception {
        demoProject = (String) skein.json(ADMIN, OBJECT, "project", "show", "demo").get("id");
    }

    @Test
    @Order(1)
    void shareANetworkWithTheDemoProject() throws Exception {
        skein.json(ADMIN, OBJECT, "network", "create", "shared-with-demo");
        skein.json(ADMIN, OBJECT, "subnet", "create", "--network", "shared-with-demo", "--subnet-range", "198.51.100.0/24", "demo-subnet");
        assertFalse(networkNames(DEMO).contains("shared-with-demo"));

        Map<String, Object> policy = skein.json(ADMIN, OBJECT, "network", "rbac", "create", "--target-project", "demo",
                "--action", "access_as_shared", "--type", "network", "shared-with-demo");
        String id = (String) policy.get("id");
        assertEquals(demoProject, policy.get("target_project_id"), "--target-project demo was looked up by name");
        assertEquals("access_as_shared", policy.get("action"));
        assertEquals("network", policy.get("object_type"));

        assertTrue(skein.json(ADMIN, ROWS, "network", "rbac", "list").stream().anyMatch(r -> id.equals(r.get("ID"))));
        Map<String, Object> shown = skein.json(ADMIN, OBJECT, "network", "rbac", "show", id);
        assertEquals(policy.get("object_id"), shown.get("object_id"));
        assertEquals(demoProject, shown.get("target_project_id"));

        List<Map<String, Object>> seen = skein.json(DEMO, ROWS, "network", "list", "--long");
        Map<String, Object> net = seen.stream().filter(n -> "shared-with-demo".equals(n.get("Name"))).findFirst().orElseThrow(() ->
                new AssertionError("demo does not see the shared network: " + seen));
        assertEquals(true, net.get("Shared"));
        assertTrue(skein.json(DEMO, ROWS, "network", "rbac", "list").isEmpty(), "the policy is admin's, not demo's");
        Map<String, Object> port = skein.json(DEMO, OBJECT, "port", "create", "--network", "shared-with-demo", "demo-port");

        Result inUse = skein.cli(ADMIN, "network", "rbac", "delete", id);
        assertFalse(inUse.ok());
        assertTrue(inUse.out().contains("cannot be removed because other objects depend on it"), inUse.out());

        assertTrue(skein.cli(DEMO, "port", "delete", (String) port.get("id")).ok());
        Result deleted = skein.cli(ADMIN, "network", "rbac", "delete", id);
        assertTrue(deleted.ok(), deleted.out());
        assertFalse(networkNames(DEMO).contains("shared-with-demo"));
    }

    @Test
    @Order(2)
    void sharingWithEveryProjectIsTheShareFlag() throws Exception {
        assertTrue(skein.cli(ADMIN, "network", "set", "--share", "shared-with-demo").ok());
        List<Map<String, Object>> policies = skein.json(ADMIN, ROWS, "network", "rbac", "list", "--long");
        assertEquals(1, policies.size(), policies::toString);
        assertEquals("access_as_shared", policies.get(0).get("Action"));
        assertTrue(networkNames(DEMO).contains("shared-with-demo"));
        assertTrue(skein.cli(ADMIN, "network", "set", "--no-share", "shared-with-demo").ok());
        assertTrue(skein.json(ADMIN, ROWS, "network", "rbac", "list").isEmpty());
    }

    @Test
    @Order(3)
    void quotaListShowsOverridesAndDetails() throws Exception {
        assertTrue(skein.json(ADMIN, ROWS, "quota", "list", "--network").isEmpty(), "no project has overrides yet");
        String token = skein.cli(ADMIN, "token", "issue", "-f", "value", "-c", "id").out().trim();
        var put = skein.http("PUT", "/v2.0/quotas/" + demoProject, token, "{\"quota\": {\"network\": 1, \"port\": 40}}");
        assertEquals(200, put.statusCode(), put.body());

        List<Map<String, Object>> rows = skein.json(ADMIN, ROWS, "quota", "list", "--network");
        assertEquals(1, rows.size(), rows::toString);
        assertEquals(demoProject, rows.get(0).get("Project ID"));
        assertEquals(1, rows.get(0).get("Networks"));
        assertEquals(40, rows.get(0).get("Ports"));
        assertEquals(100, rows.get(0).get("Subnets"));

        assertTrue(skein.cli(DEMO, "network", "create", "demo-only").ok());
        Result over = skein.cli(DEMO, "network", "create", "one-too-many");
        assertFalse(over.ok());
        assertTrue(over.out().contains("Quota exceeded for resources: ['network']"), over.out());

        List<Map<String, Object>> details = skein.json(DEMO, ROWS, "quota", "list", "--network", "--detail");
        Map<String, Object> networks = details.stream().filter(d -> "networks".equals(d.get("Resource"))).findFirst().orElseThrow();
        assertEquals(Map.of("Resource", "networks", "In Use", 1, "Reserved", 0, "Limit", 1), networks);
    }

    private static List<Object> networkNames(Login login) throws Exception {
        return skein.json(login, ROWS, "network", "list").stream().map(n -> n.get("Name")).toList();
    }
}
