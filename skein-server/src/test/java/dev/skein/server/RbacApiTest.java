package dev.skein.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RbacApiTest {
    private TestCloud cloud;
    private String admin, alice, bob, carol, alpha, beta, gamma, net;

    @BeforeEach
    void start() {
        cloud = new TestCloud(Tenants.config());
        admin = cloud.adminToken();
        alice = Tenants.token(cloud, "alice");
        bob = Tenants.token(cloud, "bob");
        carol = Tenants.token(cloud, "carol");
        alpha = Tenants.projectId(cloud, "alpha");
        beta = Tenants.projectId(cloud, "beta");
        gamma = Tenants.projectId(cloud, "gamma");
        net = Tenants.networkWithSubnet(cloud, alice, "alpha-net", "10.10.0.0/24");
    }

    @AfterEach
    void stop() { cloud.close(); }

    @Test
    void sharingWithOneProjectLetsItSeeAndAttach() {
        assertFalse(sees(bob, net));
        TestCloud.Response created = share(alice, net, "access_as_shared", beta);
        assertEquals(201, created.status(), created.body());
        Map<String, Object> p = created.json("rbac_policy");
        assertEquals("network", p.get("object_type"));
        assertEquals(net, p.get("object_id"));
        assertEquals("access_as_shared", p.get("action"));
        assertEquals(beta, p.get("target_tenant"));
        assertEquals(beta, p.get("target_project"));
        assertEquals(alpha, p.get("project_id"));
        assertEquals(alpha, p.get("tenant_id"));

        assertTrue(sees(bob, net));
        Map<String, Object> seenByBob = cloud.get("/v2.0/networks/" + net, bob).json("network");
        assertEquals(true, seenByBob.get("shared"), "shared with the caller's project, as Neutron shows it");
        assertEquals(false, cloud.get("/v2.0/networks/" + net, alice).json("network").get("shared"));
        assertEquals(List.of("alpha-net-subnet"), names(cloud.get("/v2.0/subnets", bob).list("subnets")));
        assertEquals(List.of("alpha-net"), names(cloud.get("/v2.0/networks?shared=true", bob).list("networks")));
        assertEquals(201, cloud.post("/v2.0/ports", bob, Map.of("port", Map.of("network_id", net))).status());

        assertFalse(sees(carol, net));
        assertTrue(cloud.get("/v2.0/subnets", carol).list("subnets").isEmpty());
        assertEquals(404, cloud.post("/v2.0/ports", carol, Map.of("port", Map.of("network_id", net))).status());
    }

    @Test
    void aPolicyInUseCannotBeRemovedOrRetargeted() {
        String id = id(share(alice, net, "access_as_shared", beta));
        String port = (String) cloud.post("/v2.0/ports", bob, Map.of("port", Map.of("network_id", net))).json("port").get("id");

        TestCloud.Response inUse = cloud.delete("/v2.0/rbac-policies/" + id, alice);
        assertEquals(409, inUse.status());
        assertEquals("RbacPolicyInUse", inUse.errorType());
        TestCloud.Response retarget = cloud.put("/v2.0/rbac-policies/" + id, alice, Map.of("rbac_policy", Map.of("target_tenant", gamma)));
        assertEquals(409, retarget.status());
        assertEquals("RbacPolicyInUse", retarget.errorType());

        // Another policy covering beta (here: sharing with everyone) frees this one.
        String all = id(share(admin, net, "access_as_shared", "*"));
        assertEquals(204, cloud.delete("/v2.0/rbac-policies/" + id, alice).status());
        TestCloud.Response allInUse = cloud.delete("/v2.0/rbac-policies/" + all, admin);
        assertEquals(409, allInUse.status(), "beta's port now depends on the policy for every project");
        TestCloud.Response unshare = cloud.put("/v2.0/networks/" + net, admin, Map.of("network", Map.of("shared", false)));
        assertEquals(409, unshare.status());
        assertEquals("InvalidSharedSetting", unshare.errorType());

        assertEquals(204, cloud.delete("/v2.0/ports/" + port, bob).status());
        assertEquals(204, cloud.delete("/v2.0/rbac-policies/" + all, admin).status());
        assertFalse(sees(bob, net));
    }

    @Test
    void retargetingMovesAccess() {
        String id = id(share(alice, net, "access_as_shared", beta));
        TestCloud.Response moved = cloud.put("/v2.0/rbac-policies/" + id, alice, Map.of("rbac_policy", Map.of("target_tenant", gamma)));
        assertEquals(200, moved.status(), moved.body());
        assertEquals(gamma, moved.json("rbac_policy").get("target_tenant"));
        assertFalse(sees(bob, net));
        assertTrue(sees(carol, net));

        TestCloud.Response readOnly = cloud.put("/v2.0/rbac-policies/" + id, alice, Map.of("rbac_policy", Map.of("action", "access_as_external")));
        assertEquals(400, readOnly.status());
        assertEquals(403, cloud.put("/v2.0/rbac-policies/" + id, alice, Map.of("rbac_policy", Map.of("target_tenant", "*"))).status());
    }

    @Test
    void sharingWithEveryoneIsTheSharedFlag() {
        int revision = ((Number) cloud.get("/v2.0/networks/" + net, alice).json("network").get("revision_number")).intValue();
        assertEquals(403, share(alice, net, "access_as_shared", "*").status(), "only admin may share with every project");
        String all = id(share(admin, net, "access_as_shared", "*"));
        Map<String, Object> n = cloud.get("/v2.0/networks/" + net, alice).json("network");
        assertEquals(true, n.get("shared"));
        assertTrue(((Number) n.get("revision_number")).intValue() > revision, "a policy change revises the network");
        assertTrue(sees(carol, net));
        assertEquals(201, cloud.post("/v2.0/ports", carol, Map.of("port", Map.of("network_id", net))).status());

        // The same policy stands behind "shared" in the other direction: setting the flag makes or removes it.
        assertEquals(204, cloud.delete("/v2.0/ports/" + cloud.get("/v2.0/ports", carol).list("ports").get(0).get("id"), carol).status());
        assertEquals(false, cloud.put("/v2.0/networks/" + net, admin, Map.of("network", Map.of("shared", false))).json("network").get("shared"));
        assertEquals(404, cloud.get("/v2.0/rbac-policies/" + all, admin).status());
        assertFalse(sees(carol, net));

        Map<String, Object> shared = cloud.post("/v2.0/networks", admin, Map.of("network", Map.of("name", "public",
                "shared", true, "project_id", beta))).json("network");
        List<Map<String, Object>> policies = cloud.get("/v2.0/rbac-policies?object_id=" + shared.get("id"), admin).list("rbac_policies");
        assertEquals(1, policies.size());
        assertEquals("*", policies.get(0).get("target_tenant"));
        assertEquals(beta, policies.get(0).get("project_id"), "the policy belongs to the network's project");
        assertEquals(1, cloud.get("/v2.0/rbac-policies", bob).list("rbac_policies").size(), "and so its owner sees it");
        assertTrue(sees(carol, (String) shared.get("id")));
        assertEquals(204, cloud.delete("/v2.0/networks/" + shared.get("id"), admin).status());
        assertTrue(cloud.get("/v2.0/rbac-policies", admin).list("rbac_policies").isEmpty(), "deleting a network deletes its policies");
    }

    @Test
    void externalAccessShowsTheNetworkAsExternalToItsTarget() {
        TestCloud.Response ext = share(admin, net, "access_as_external", beta);
        assertEquals(201, ext.status(), ext.body());
        Map<String, Object> seen = cloud.get("/v2.0/networks/" + net, bob).json("network");
        assertEquals(true, seen.get("router:external"));
        assertEquals(false, seen.get("shared"));
        assertEquals(true, cloud.get("/v2.0/networks/" + net, alice).json("network").get("router:external"));
        assertFalse(sees(carol, net));
        assertEquals(403, cloud.post("/v2.0/ports", bob, Map.of("port", Map.of("network_id", net))).status(),
                "external access is for routers, not ports");

        assertEquals(204, cloud.delete("/v2.0/rbac-policies/" + id(ext), admin).status());
        assertEquals(false, cloud.get("/v2.0/networks/" + net, alice).json("network").get("router:external"),
                "the last external policy gone, the network is internal again");

        assertEquals(true, cloud.put("/v2.0/networks/" + net, admin, Map.of("network", Map.of("router:external", true)))
                .json("network").get("router:external"));
        assertTrue(sees(carol, net), "router:external=true opens the network to every project");
        List<Map<String, Object>> policies = cloud.get("/v2.0/rbac-policies", alice).list("rbac_policies");
        assertEquals(1, policies.size());
        assertEquals("access_as_external", policies.get(0).get("action"));
        assertEquals("*", policies.get(0).get("target_tenant"));
        cloud.put("/v2.0/networks/" + net, admin, Map.of("network", Map.of("router:external", false)));
        assertFalse(sees(carol, net));
        assertTrue(cloud.get("/v2.0/rbac-policies", alice).list("rbac_policies").isEmpty());
    }

    @Test
    void policiesAreValidatedAndUnique() {
        assertEquals(201, share(alice, net, "access_as_shared", beta).status());
        TestCloud.Response dup = share(alice, net, "access_as_shared", beta);
        assertEquals(409, dup.status());
        assertEquals("DuplicateRbacPolicy", dup.errorType());

        assertEquals(400, share(alice, net, "access_as_owner", beta).status());
        assertEquals("InvalidActionForType", share(alice, net, "access_as_owner", beta).errorType());
        assertEquals(400, share(alice, net, "access_as_shared", "beta").status(), "a target is a project id, not a name");
        assertEquals(400, cloud.post("/v2.0/rbac-policies", alice, Map.of("rbac_policy", Map.of("object_type", "qos_policy",
                "object_id", net, "action", "access_as_shared", "target_tenant", beta))).status());
        assertEquals(400, cloud.post("/v2.0/rbac-policies", alice, Map.of("rbac_policy", Map.of("object_type", "network",
                "object_id", net, "action", "access_as_shared"))).status(), "a target is required");
        String nowhere = "00000000-0000-4000-8000-000000000000";
        assertEquals(400, share(alice, nowhere, "access_as_shared", beta).status());
        TestCloud.Response byProject = cloud.post("/v2.0/rbac-policies", alice, Map.of("rbac_policy", Map.of("object_type", "network",
                "object_id", net, "action", "access_as_shared", "target_project", gamma)));
        assertEquals(201, byProject.status(), "target_project is accepted as the newer name of target_tenant");
    }

    @Test
    void onlyTheOwnerOrAdminMayShareAndPoliciesAreSeenByTheirOwner() {
        String id = id(share(alice, net, "access_as_shared", beta));
        TestCloud.Response foreign = share(bob, net, "access_as_shared", gamma);
        assertEquals(400, foreign.status(), "bob sees the network but does not own it");
        assertTrue(foreign.body().contains("Only admins can manipulate policies on networks they do not own"), foreign.body());

        assertEquals(404, cloud.get("/v2.0/rbac-policies/" + id, bob).status(), "the target does not see the policy");
        assertTrue(cloud.get("/v2.0/rbac-policies", bob).list("rbac_policies").isEmpty());
        assertEquals(404, cloud.delete("/v2.0/rbac-policies/" + id, bob).status());
        assertEquals(1, cloud.get("/v2.0/rbac-policies", alice).list("rbac_policies").size());
        assertEquals(1, cloud.get("/v2.0/rbac-policies", admin).list("rbac_policies").size());
        assertEquals(id, cloud.get("/v2.0/rbac-policies?target_tenant=" + beta, alice).list("rbac_policies").get(0).get("id"));

        TestCloud.Response byAdmin = share(admin, net, "access_as_shared", gamma);
        assertEquals(201, byAdmin.status());
        assertEquals(Tenants.projectId(cloud, "admin"), byAdmin.json("rbac_policy").get("project_id"));
    }

    @Test
    void policiesCountAgainstTheRbacQuota() {
        cloud.put("/v2.0/quotas/" + alpha, admin, Map.of("quota", Map.of("rbac_policy", 1)));
        assertEquals(201, share(alice, net, "access_as_shared", beta).status());
        TestCloud.Response over = share(alice, net, "access_as_shared", gamma);
        assertEquals(409, over.status());
        assertEquals("OverQuota", over.errorType());
    }

    private TestCloud.Response share(String token, String network, String action, String target) {
        return cloud.post("/v2.0/rbac-policies", token, Map.of("rbac_policy", Map.of("object_type", "network",
                "object_id", network, "action", action, "target_tenant", target)));
    }

    private boolean sees(String token, String network) {
        int status = cloud.get("/v2.0/networks/" + network, token).status();
        boolean listed = cloud.get("/v2.0/networks", token).list("networks").stream().anyMatch(n -> network.equals(n.get("id")));
        assertEquals(status == 200, listed, "GET and list agree");
        return listed;
    }

    private static String id(TestCloud.Response created) {
        assertEquals(201, created.status(), created.body());
        return (String) created.json("rbac_policy").get("id");
    }

    private static List<Object> names(List<Map<String, Object>> items) {
        return items.stream().map(i -> i.get("name")).toList();
    }
}
