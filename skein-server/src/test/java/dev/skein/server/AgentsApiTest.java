package dev.skein.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Neutron's agents API and the endpoints agents use (registration, heartbeats, host plans, status reports), over
 * HTTP against a real controller whose agent_down_time is two seconds so that a silent agent dies quickly.
 */
class AgentsApiTest {
    static TestCloud cloud;
    static String admin;
    static String member;

    @BeforeAll
    static void start() {
        SkeinConfig cfg = new TenantConfig().projects("tenant").user("alice", "alice-secret", "tenant").build();
        cfg.agents.agentDownTime = 2;
        cloud = new TestCloud(cfg);
        admin = cloud.adminToken();
        member = cloud.token("alice", "alice-secret", "tenant");
    }

    @AfterAll
    static void stop() {
        if (cloud != null) cloud.close();
    }

    static Map<String, Object> register(String host, String localIp, Map<String, Object> extra) {
        Map<String, Object> agent = new java.util.HashMap<>(Map.of("host", host, "local_ip", localIp));
        agent.putAll(extra);
        TestCloud.Response r = cloud.post("/v2.0/skein/agents", admin, Map.of("agent", agent));
        assertEquals(200, r.status(), r.body());
        return r.json("agent");
    }

    static Map<String, Object> agent(String id) {
        TestCloud.Response r = cloud.get("/v2.0/agents/" + id, admin);
        assertEquals(200, r.status(), r.body());
        return r.json("agent");
    }

    static void heartbeat(String id) {
        assertEquals(204, cloud.put("/v2.0/skein/agents/" + id + "/heartbeat", admin, Map.of()).status());
    }

    @Test
    void aRegisteredAgentIsShownInNeutronsShape() {
        Map<String, Object> a = register("compute-1", "198.51.100.11", Map.of("bridge_mappings", Map.of("physnet1", "eth1"),
                "configurations", Map.of("netns", "sim-1")));
        Map<String, Object> shown = agent((String) a.get("id"));
        assertEquals(Set.of("id", "agent_type", "binary", "topic", "host", "admin_state_up", "alive", "heartbeat_timestamp",
                "created_at", "started_at", "description", "availability_zone", "resources_synced", "configurations"), shown.keySet());
        assertEquals("Skein agent", shown.get("agent_type"));
        assertEquals("skein-agent", shown.get("binary"));
        assertEquals("compute-1", shown.get("host"));
        assertEquals(true, shown.get("alive"));
        assertEquals(true, shown.get("admin_state_up"));
        assertTrue(((String) shown.get("heartbeat_timestamp")).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"), shown.toString());
        assertEquals(Map.of("local_ip", "198.51.100.11", "bridge_mappings", Map.of("physnet1", "eth1"), "tunnel_types", List.of("vxlan"),
                "netns", "sim-1", "roles", List.of("compute")), shown.get("configurations"), "an agent that names no roles runs VMs only");

        List<Map<String, Object>> byHost = cloud.get("/v2.0/agents?host=compute-1&fields=id&fields=alive", admin).list("agents");
        assertEquals(List.of(Map.of("id", a.get("id"), "alive", true)), byHost);
        assertEquals(List.of(), cloud.get("/v2.0/agents?host=nowhere", admin).list("agents"));

        Map<String, Object> again = register("compute-1", "198.51.100.11", Map.of());
        assertEquals(a.get("id"), again.get("id"), "one agent per host: registering again keeps its id");
    }

    @Test
    void aSilentAgentTurnsDeadAndOnlyThenMayBeDeleted() throws Exception {
        String id = (String) register("compute-2", "198.51.100.12", Map.of()).get("id");
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < deadline) {
            heartbeat(id);
            assertEquals(true, agent(id).get("alive"), "heartbeats keep it alive");
            Thread.sleep(300);
        }
        TestCloud.Response refused = cloud.delete("/v2.0/agents/" + id, admin);
        assertEquals(409, refused.status(), refused.body());
        assertEquals("AgentAlive", refused.errorType());

        deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Boolean.TRUE.equals(agent(id).get("alive"))) {
            if (System.nanoTime() > deadline) fail("agent still alive 10 s after its last heartbeat");
            Thread.sleep(100);
        }
        assertEquals(204, cloud.delete("/v2.0/agents/" + id, admin).status());
        assertEquals("AgentNotFound", cloud.get("/v2.0/agents/" + id, admin).errorType());
        assertEquals(404, cloud.put("/v2.0/skein/agents/" + id + "/heartbeat", admin, Map.of()).status(),
                "a deleted agent's heartbeat tells it to register again");
    }

    @Test
    void adminStateAndDescriptionAreTheOnlyWritableAttributes() {
        String id = (String) register("compute-3", "198.51.100.13", Map.of()).get("id");
        TestCloud.Response r = cloud.put("/v2.0/agents/" + id, admin, Map.of("agent", Map.of("admin_state_up", false, "description", "drained")));
        assertEquals(200, r.status(), r.body());
        assertEquals(false, r.json("agent").get("admin_state_up"));
        assertEquals("drained", agent(id).get("description"));
        assertEquals(400, cloud.put("/v2.0/agents/" + id, admin, Map.of("agent", Map.of("host", "elsewhere"))).status());
        assertEquals(false, register("compute-3", "198.51.100.13", Map.of()).get("admin_state_up"), "re-registering keeps the operator's choice");
    }

    @Test
    void onlyAdminsSeeOrDriveAgents() {
        String id = (String) register("compute-4", "198.51.100.14", Map.of()).get("id");
        assertEquals(List.of(), cloud.get("/v2.0/agents", member).list("agents"));
        assertEquals(404, cloud.get("/v2.0/agents/" + id, member).status());
        assertEquals(404, cloud.put("/v2.0/agents/" + id, member, Map.of("agent", Map.of("description", "x"))).status());
        assertEquals(404, cloud.delete("/v2.0/agents/" + id, member).status());
        assertEquals(403, cloud.post("/v2.0/skein/agents", member, Map.of("agent", Map.of("host", "evil"))).status());
        assertEquals(403, cloud.get("/v2.0/skein/host-plans/compute-4", member).status());
        assertEquals(403, cloud.put("/v2.0/skein/host-plans/compute-4/status", member,
                Map.of("status", Map.of("realised_revision", 1, "ports", Map.of()))).status());
        assertEquals(401, cloud.get("/v2.0/agents", null).status());
    }

    @Test
    void registrationsAreValidated() {
        assertEquals(400, cloud.post("/v2.0/skein/agents", admin, Map.of("agent", Map.of("host", "h", "local_ip", "300.1.1.1"))).status());
        assertEquals(400, cloud.post("/v2.0/skein/agents", admin, Map.of("agent", Map.of("host", "bad host"))).status());
        assertEquals(400, cloud.post("/v2.0/skein/agents", admin, Map.of("agent", Map.of("host", "h",
                "bridge_mappings", Map.of("physnet1", "eth1; rm -rf /")))).status());
        assertEquals(400, cloud.post("/v2.0/skein/agents", admin, Map.of("agent", Map.of("host", "h", "color", "red"))).status());
        assertEquals(405, cloud.post("/v2.0/agents", admin, Map.of("agent", Map.of("host", "h"))).status());
    }

    @Test
    void aHostPlanFollowsThePortsBoundToTheHostAndStatusReportsChangeNoPlan() {
        register("compute-5", "198.51.100.15", Map.of());
        String net = (String) cloud.post("/v2.0/networks", admin, Map.of("network", Map.of("name", "plan-net"))).json("network").get("id");
        Map<String, Object> port = cloud.post("/v2.0/ports", admin, Map.of("port", Map.of("network_id", net,
                "binding:host_id", "compute-5"))).json("port");
        String portId = (String) port.get("id");
        assertEquals("DOWN", port.get("status"));

        Map<String, Object> plan = cloud.get("/v2.0/skein/host-plans/compute-5", admin).json("host_plan");
        long revision = ((Number) plan.get("revision")).longValue();
        assertTrue(revision >= 2, "registration and port each raised it: " + plan);
        @SuppressWarnings("unchecked")
        Map<String, Object> network = ((List<Map<String, Object>>) ((Map<String, Object>) plan.get("l2")).get("networks")).get(0);
        assertEquals(net, network.get("network_id"));
        assertEquals("tap" + portId.substring(0, 11), ((List<Map<String, Object>>) network.get("plugs")).get(0).get("tap"));
        assertEquals("vxlan", ((Map<?, ?>) network.get("uplink")).get("type"));

        TestCloud.Response report = cloud.put("/v2.0/skein/host-plans/compute-5/status", admin,
                Map.of("status", Map.of("realised_revision", revision, "ports", Map.of(portId, "ACTIVE"))));
        assertEquals(200, report.status(), report.body());
        assertEquals(Map.of("changed_ports", 1), report.json("status"));
        Map<String, Object> after = cloud.get("/v2.0/ports/" + portId, admin).json("port");
        assertEquals("ACTIVE", after.get("status"));
        assertEquals(((Number) port.get("revision_number")).longValue() + 1, ((Number) after.get("revision_number")).longValue());
        assertEquals(revision, ((Number) cloud.get("/v2.0/skein/host-plans/compute-5", admin).json("host_plan").get("revision")).longValue(),
                "a status report is no plan change");

        List<Map<String, Object>> hosts = cloud.get("/v2.0/skein/host-plans", admin).list("host_plans");
        Map<String, Object> mine = hosts.stream().filter(h -> h.get("host").equals("compute-5")).findFirst().orElseThrow();
        assertEquals(revision, ((Number) mine.get("revision")).longValue());
        assertEquals(revision, ((Number) mine.get("realised_revision")).longValue());

        assertEquals(400, cloud.put("/v2.0/skein/host-plans/compute-5/status", admin,
                Map.of("status", Map.of("realised_revision", revision, "ports", Map.of(portId, "GREAT")))).status());
        assertEquals(400, cloud.put("/v2.0/skein/host-plans/compute-5/status", admin, Map.of("status", Map.of("ports", Map.of()))).status());
        assertNotNull(cloud.get("/v2.0/extensions/agent", admin).json("extension"));
        assertFalse(cloud.get("/v2.0/skein/host-plans/compute-9", admin).json("host_plan").isEmpty(), "an unknown host has an empty plan");
    }
}
