package dev.skein.server;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Agents that exist only as registrations and heartbeats, sent over the agents' HTTP endpoints exactly as
 * {@code skein agent} sends them: enough for the controller to schedule DHCP servers and routers onto them.
 */
final class FakeAgents {
    private final TestCloud cloud;
    private final String admin;
    private final Map<String, String> ids = new HashMap<>();

    FakeAgents(TestCloud cloud, String adminToken) {
        this.cloud = cloud;
        this.admin = adminToken;
    }

    /** Registers the agent of host with the given roles ("compute", "network"); returns its id. */
    String register(String host, String... roles) {
        Map<String, Object> agent = Map.of("host", host, "local_ip", "198.51.100." + (1 + Math.floorMod(host.hashCode(), 250)),
                "configurations", Map.of("roles", List.of(roles)));
        TestCloud.Response r = cloud.post("/v2.0/skein/agents", admin, Map.of("agent", agent));
        assertEquals(200, r.status(), r.body());
        String id = (String) r.json("agent").get("id");
        ids.put(host, id);
        return id;
    }

    String id(String host) { return ids.get(host); }

    void heartbeat(String... hosts) {
        for (String h : hosts) {
            TestCloud.Response r = cloud.put("/v2.0/skein/agents/" + ids.get(h) + "/heartbeat", admin, Map.of());
            assertEquals(204, r.status(), r.body());
        }
    }
}
