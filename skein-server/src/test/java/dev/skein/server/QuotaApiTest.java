package dev.skein.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuotaApiTest {
    private static final Map<String, Object> NEUTRON_DEFAULTS = Map.of("network", 100, "subnet", 100, "port", 500,
            "router", 10, "floatingip", 50, "security_group", 10, "security_group_rule", 100, "rbac_policy", 10);

    private TestCloud cloud;
    private String admin, alice, bob, alpha, beta;

    @BeforeEach
    void start() {
        cloud = new TestCloud(Tenants.config());
        admin = cloud.adminToken();
        alice = Tenants.token(cloud, "alice");
        bob = Tenants.token(cloud, "bob");
        alpha = Tenants.projectId(cloud, "alpha");
        beta = Tenants.projectId(cloud, "beta");
    }

    @AfterEach
    void stop() { cloud.close(); }

    @Test
    void defaultsAreNeutronsAndAMemberMayReadItsOwn() {
        assertEquals(NEUTRON_DEFAULTS, cloud.get("/v2.0/quotas/" + alpha, alice).json("quota"));
        assertEquals(NEUTRON_DEFAULTS, cloud.get("/v2.0/quotas/" + alpha + "/default", alice).json("quota"));
        assertEquals(Map.of("tenant_id", alpha), cloud.get("/v2.0/quotas/tenant", alice).json("tenant"));
        assertEquals(Map.of("project_id", alpha), cloud.get("/v2.0/quotas/project", alice).json("project"));
        assertTrue(cloud.get("/v2.0/quotas", admin).list("quotas").isEmpty(), "no overrides yet");

        List<Map<String, Object>> ext = cloud.get("/v2.0/extensions", alice).list("extensions");
        for (String alias : List.of("quotas", "quota_details", "rbac-policies")) {
            assertTrue(ext.stream().anyMatch(e -> alias.equals(e.get("alias"))), alias);
        }
    }

    @Test
    void configuredDefaultsApply() {
        cloud.close();
        SkeinConfig cfg = Tenants.config();
        cfg.quotas.network = 1;
        cfg.quotas.port = -1;
        cloud = new TestCloud(cfg);
        alice = Tenants.token(cloud, "alice");
        alpha = Tenants.projectId(cloud, "alpha");
        Map<String, Object> q = cloud.get("/v2.0/quotas/" + alpha, alice).json("quota");
        assertEquals(1, q.get("network"));
        assertEquals(-1, q.get("port"));
        assertEquals(201, cloud.post("/v2.0/networks", alice, Map.of("network", Map.of("name", "one"))).status());
        TestCloud.Response over = cloud.post("/v2.0/networks", alice, Map.of("network", Map.of("name", "two")));
        assertEquals(409, over.status());
        assertEquals("OverQuota", over.errorType());
    }

    @Test
    void adminOverridesResetsAndLists() {
        TestCloud.Response put = cloud.put("/v2.0/quotas/" + alpha, admin, Map.of("quota", Map.of("network", 2, "port", "7")));
        assertEquals(200, put.status(), put.body());
        Map<String, Object> q = put.json("quota");
        assertEquals(2, q.get("network"));
        assertEquals(7, q.get("port"));
        assertEquals(100, q.get("subnet"));
        assertEquals(q, cloud.get("/v2.0/quotas/" + alpha, alice).json("quota"));
        assertEquals(NEUTRON_DEFAULTS, cloud.get("/v2.0/quotas/" + alpha + "/default", alice).json("quota"));

        List<Map<String, Object>> all = cloud.get("/v2.0/quotas", admin).list("quotas");
        assertEquals(1, all.size());
        assertEquals(alpha, all.get(0).get("project_id"));
        assertEquals(alpha, all.get(0).get("tenant_id"));
        assertEquals(2, all.get(0).get("network"));

        assertEquals(204, cloud.delete("/v2.0/quotas/" + alpha, admin).status());
        assertEquals(NEUTRON_DEFAULTS, cloud.get("/v2.0/quotas/" + alpha, alice).json("quota"));
        TestCloud.Response again = cloud.delete("/v2.0/quotas/" + alpha, admin);
        assertEquals(404, again.status());
        assertEquals("TenantQuotaNotFound", again.errorType());
    }

    @Test
    void membersMayNotSetOrSeeOtherProjects() {
        assertForbidden(cloud.put("/v2.0/quotas/" + alpha, alice, Map.of("quota", Map.of("network", 1000))));
        assertForbidden(cloud.delete("/v2.0/quotas/" + alpha, alice));
        assertForbidden(cloud.get("/v2.0/quotas", alice));
        assertForbidden(cloud.get("/v2.0/quotas/" + beta, alice));
        assertForbidden(cloud.get("/v2.0/quotas/" + beta + "/default", alice));
        TestCloud.Response details = cloud.get("/v2.0/quotas/" + beta + "/details", alice);
        assertEquals(403, details.status());
        assertEquals("AdminRequired", details.errorType());
        assertEquals(200, cloud.get("/v2.0/quotas/" + beta + "/details", admin).status());
    }

    @Test
    void limitsAreValidated() {
        for (Object bad : List.of(-2, "many", 3.5, 2147483648L)) {
            TestCloud.Response r = cloud.put("/v2.0/quotas/" + alpha, admin, Map.of("quota", Map.of("network", bad)));
            assertEquals(400, r.status(), bad + ": " + r.body());
        }
        TestCloud.Response unknown = cloud.put("/v2.0/quotas/" + alpha, admin, Map.of("quota", Map.of("widget", 3)));
        assertEquals(400, unknown.status());
        assertTrue(unknown.body().contains("widget"), unknown.body());
        assertEquals(400, cloud.put("/v2.0/quotas/" + alpha, admin, Map.of("network", 3)).status());
        assertEquals(-1, cloud.put("/v2.0/quotas/" + alpha, admin, Map.of("quota", Map.of("network", -1))).json("quota").get("network"));
        assertEquals(501, cloud.post("/v2.0/quotas", admin, Map.of("quota", Map.of())).status());
    }

    @Test
    void detailsCountWhatAProjectHas() {
        String net = Tenants.networkWithSubnet(cloud, alice, "counted", "10.1.0.0/24");
        cloud.post("/v2.0/networks", alice, Map.of("network", Map.of("name", "second")));
        for (int i = 0; i < 3; i++) cloud.post("/v2.0/ports", alice, Map.of("port", Map.of("network_id", net)));
        cloud.put("/v2.0/quotas/" + alpha, admin, Map.of("quota", Map.of("port", 20)));

        Map<String, Object> d = cloud.get("/v2.0/quotas/" + alpha + "/details", alice).json("quota");
        assertEquals(Map.of("limit", 100, "used", 2, "reserved", 0), d.get("network"));
        assertEquals(Map.of("limit", 100, "used", 1, "reserved", 0), d.get("subnet"));
        assertEquals(Map.of("limit", 20, "used", 3, "reserved", 0), d.get("port"));
        assertEquals(Map.of("limit", 10, "used", 0, "reserved", 0), d.get("rbac_policy"));
        Map<String, Object> other = cloud.get("/v2.0/quotas/" + beta + "/details", bob).json("quota");
        assertEquals(0, ((Map<?, ?>) other.get("port")).get("used"));

        TestCloud.Response below = cloud.put("/v2.0/quotas/" + alpha, admin, Map.of("quota", Map.of("port", 2)));
        assertEquals(400, below.status());
        assertTrue(below.body().contains("must be greater than or equal to already used 3"), below.body());
        assertEquals(2, cloud.put("/v2.0/quotas/" + alpha, admin, Map.of("quota", Map.of("port", 2, "force", true)))
                .json("quota").get("port"));
    }

    @Test
    void createsBeyondTheLimitAreRefusedAndLeaveNothing() {
        String net = Tenants.networkWithSubnet(cloud, alice, "net", "10.2.0.0/24");
        cloud.put("/v2.0/quotas/" + alpha, admin, Map.of("quota", Map.of("port", 2, "network", 1, "subnet", 1)));
        assertEquals(201, cloud.post("/v2.0/ports", alice, Map.of("port", Map.of("network_id", net))).status());

        TestCloud.Response bulk = cloud.post("/v2.0/ports", alice, Map.of("ports",
                List.of(Map.of("network_id", net), Map.of("network_id", net))));
        assertEquals(409, bulk.status());
        assertEquals("OverQuota", bulk.errorType());
        assertEquals("Quota exceeded for resources: ['port'].", ((Map<?, ?>) bulk.json().get("NeutronError")).get("message"));
        assertEquals(1, cloud.get("/v2.0/ports", alice).list("ports").size(), "the refused bulk created nothing");

        assertEquals(201, cloud.post("/v2.0/ports", alice, Map.of("port", Map.of("network_id", net))).status());
        assertEquals("OverQuota", cloud.post("/v2.0/ports", alice, Map.of("port", Map.of("network_id", net))).errorType());
        assertEquals("OverQuota", cloud.post("/v2.0/networks", alice, Map.of("network", Map.of())).errorType());
        assertEquals("OverQuota", cloud.post("/v2.0/subnets", alice, Map.of("subnet",
                Map.of("network_id", net, "ip_version", 4, "cidr", "10.3.0.0/24"))).errorType());

        // The limit is the owning project's: admin creating in alpha's name is held to it, beta is not.
        assertEquals("OverQuota", cloud.post("/v2.0/networks", admin, Map.of("network", Map.of("project_id", alpha))).errorType());
        assertEquals(201, cloud.post("/v2.0/networks", bob, Map.of("network", Map.of())).status());

        cloud.put("/v2.0/quotas/" + alpha, admin, Map.of("quota", Map.of("port", -1)));
        for (int i = 0; i < 3; i++) assertEquals(201, cloud.post("/v2.0/ports", alice, Map.of("port", Map.of("network_id", net))).status());
    }

    @Test
    void routersAndFloatingIpsAreCountedToo() {
        String ext = (String) cloud.post("/v2.0/networks", admin, Map.of("network", Map.of("router:external", true)))
                .json("network").get("id");
        assertEquals(201, cloud.post("/v2.0/subnets", admin, Map.of("subnet",
                Map.of("network_id", ext, "ip_version", 4, "cidr", "198.51.100.0/24"))).status());
        cloud.put("/v2.0/quotas/" + alpha, admin, Map.of("quota", Map.of("router", 1, "floatingip", 1)));
        assertEquals(201, cloud.post("/v2.0/routers", alice, Map.of("router", Map.of("name", "r1"))).status());
        assertEquals("OverQuota", cloud.post("/v2.0/routers", alice, Map.of("router", Map.of("name", "r2"))).errorType());
        Map<String, Object> fip = Map.of("floatingip", Map.of("floating_network_id", ext));
        assertEquals(201, cloud.post("/v2.0/floatingips", alice, fip).status());
        assertEquals("OverQuota", cloud.post("/v2.0/floatingips", alice, fip).errorType());
        assertEquals(1, cloud.get("/v2.0/floatingips", alice).list("floatingips").size());
        assertEquals(201, cloud.post("/v2.0/routers", bob, Map.of("router", Map.of("name", "r1"))).status());
    }

    @Test
    void concurrentPortCreatesStopExactlyAtTheLimit() throws Exception {
        String net = Tenants.networkWithSubnet(cloud, alice, "race", "10.4.0.0/24");
        int limit = 6;
        cloud.put("/v2.0/quotas/" + alpha, admin, Map.of("quota", Map.of("port", limit)));
        List<Integer> statuses = race(24, () -> cloud.post("/v2.0/ports", alice, Map.of("port", Map.of("network_id", net))).status());
        assertEquals(limit, statuses.stream().filter(s -> s == 201).count(), statuses::toString);
        assertTrue(statuses.stream().allMatch(s -> s == 201 || s == 409), statuses::toString);
        assertEquals(limit, cloud.get("/v2.0/ports", alice).list("ports").size());
    }

    @Test
    void concurrentNetworkCreatesInAFreshProjectStopExactlyAtTheLimit() throws Exception {
        // A fresh project: the racers also race to create the row they lock.
        int limit = 3;
        cloud.put("/v2.0/quotas/" + beta, admin, Map.of("quota", Map.of("network", limit)));
        List<Integer> statuses = race(16, () -> cloud.post("/v2.0/networks", bob, Map.of("network", Map.of())).status());
        assertEquals(limit, statuses.stream().filter(s -> s == 201).count(), statuses::toString);
        assertFalse(statuses.stream().anyMatch(s -> s >= 500), statuses::toString);
        assertEquals(limit, cloud.get("/v2.0/networks", bob).list("networks").size());
    }

    private static List<Integer> race(int n, Callable<Integer> request) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) futures.add(pool.submit(request));
            List<Integer> out = new ArrayList<>();
            for (Future<Integer> f : futures) out.add(f.get());
            return out;
        }
    }

    private static void assertForbidden(TestCloud.Response r) {
        assertEquals(403, r.status(), r.body());
    }
}
