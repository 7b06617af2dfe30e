package dev.skein.server;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.skein.server.Caller.attrs;
import static dev.skein.server.Caller.expect;
import static dev.skein.server.Caller.expectError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Neutron's dhcp_agent_scheduler and l3_agent_scheduler extensions: the views from agents to networks and routers
 * and back, placing and removing by hand (which binds and unbinds the ports), and their refusals.
 */
class AgentSchedulerApiTest extends SchedulingCloud {
    List<Object> ids(List<Map<String, Object>> items) { return items.stream().map(i -> i.get("id")).toList(); }

    List<Map<String, Object>> view(String path, String collection) { return expect(200, admin.get(path)).list(collection); }

    Map<String, Object> dhcpPort(Object networkId) {
        List<Map<String, Object>> ports = admin.list("ports", "device_owner=network:dhcp&network_id=" + networkId);
        assertEquals(1, ports.size(), ports.toString());
        return ports.get(0);
    }

    TestCloud.Response addNetwork(String agentId, Object networkId) {
        return admin.send("POST", "/v2.0/agents/" + agentId + "/dhcp-networks", Map.of("network_id", networkId));
    }

    TestCloud.Response addRouter(String agentId, Object routerId) {
        return admin.send("POST", "/v2.0/agents/" + agentId + "/l3-routers", Map.of("router_id", routerId));
    }

    @Test
    void agentsRegisterTheirRolesAndTheExtensionsAreListed() {
        String both = agents.register("both-1", "network", "compute");
        assertEquals(List.of("compute", "network"), ((Map<?, ?>) admin.show("agents", both).get("configurations")).get("roles"));
        expect(400, admin.send("POST", "/v2.0/skein/agents", Map.of("agent", Map.of("host", "h", "configurations", Map.of("roles", List.of("router"))))));
        expect(400, admin.send("POST", "/v2.0/skein/agents", Map.of("agent", Map.of("host", "h", "configurations", Map.of("roles", List.of())))));
        for (String alias : List.of("dhcp_agent_scheduler", "l3_agent_scheduler")) {
            assertEquals(alias, expect(200, admin.get("/v2.0/extensions/" + alias)).json("extension").get("alias"));
        }
    }

    @Test
    void theViewsShowWhichAgentRunsWhat() {
        String node = agents.register("node-1", "network");
        String compute = agents.register("compute-1", "compute");
        Object net = alice.network("viewed").get("id");
        Object subnet = alice.subnet(net, "10.10.0.0/24").get("id");
        Object router = alice.create("routers", attrs("name", "r")).get("id");
        expect(200, alice.send("PUT", "/v2.0/routers/" + router + "/add_router_interface", Map.of("subnet_id", subnet)));

        List<Map<String, Object>> networks = view("/v2.0/agents/" + node + "/dhcp-networks", "networks");
        assertEquals(List.of(net), ids(networks));
        assertEquals(List.of(subnet), networks.get(0).get("subnets"));
        assertEquals(List.of(), view("/v2.0/agents/" + compute + "/dhcp-networks", "networks"));
        List<Map<String, Object>> dhcpAgents = view("/v2.0/networks/" + net + "/dhcp-agents", "agents");
        assertEquals(List.of(node), ids(dhcpAgents));
        assertEquals("node-1", dhcpAgents.get(0).get("host"));
        assertEquals(true, dhcpAgents.get(0).get("alive"));

        assertEquals(List.of(router), ids(view("/v2.0/agents/" + node + "/l3-routers", "routers")));
        List<Map<String, Object>> l3Agents = view("/v2.0/routers/" + router + "/l3-agents", "agents");
        assertEquals(List.of(node), ids(l3Agents));
        assertTrue(l3Agents.get(0).containsKey("ha_state"));
        assertNull(l3Agents.get(0).get("ha_state"));
        assertEquals(List.of(Map.of("host", "node-1")), view("/v2.0/routers/" + router + "/l3-agents?fields=host", "agents"));

        Object quiet = alice.network("quiet").get("id");
        assertEquals(List.of(), view("/v2.0/networks/" + quiet + "/dhcp-agents", "agents"));
    }

    @Test
    void aNetworkMovesByHandAndKeepsItsDhcpPort() {
        String a = agents.register("dhcp-a", "network");
        String b = agents.register("dhcp-b", "network");
        Object net = alice.network("moved").get("id");
        alice.subnet(net, "10.11.0.0/24");
        Map<String, Object> before = dhcpPort(net);
        assertEquals("dhcp-a", before.get("binding:host_id"));

        expectError(409, "NetworkHostedByDHCPAgent", addNetwork(a, net));
        expectError(409, "NetworkHostedByDHCPAgent", addNetwork(b, net));
        expectError(409, "NetworkNotHostedByDhcpAgent", admin.send("DELETE", "/v2.0/agents/" + b + "/dhcp-networks/" + net, null));

        expect(204, admin.send("DELETE", "/v2.0/agents/" + a + "/dhcp-networks/" + net, null));
        Map<String, Object> reserved = dhcpPort(net);
        assertEquals("", reserved.get("binding:host_id"));
        assertEquals("reserved_dhcp_port", reserved.get("device_id"));
        assertEquals(before.get("fixed_ips"), reserved.get("fixed_ips"), "the port keeps its addresses for the next agent");
        assertEquals(List.of(), view("/v2.0/networks/" + net + "/dhcp-agents", "agents"));

        TestCloud.Response added = addNetwork(b, net);
        expect(201, added);
        assertEquals("null", added.body());
        Map<String, Object> after = dhcpPort(net);
        assertEquals(before.get("id"), after.get("id"));
        assertEquals("dhcp-b", after.get("binding:host_id"));
        assertEquals(before.get("fixed_ips"), after.get("fixed_ips"));
        assertEquals(List.of(b), ids(view("/v2.0/networks/" + net + "/dhcp-agents", "agents")));

        clock.advance(Duration.ofSeconds(100));
        agents.heartbeat("dhcp-a");
        expect(201, addNetwork(a, net));
        assertEquals("dhcp-a", dhcpPort(net).get("binding:host_id"), "a network on a dead agent may be taken over by hand");
    }

    @Test
    void placingANetworkByHandRefusesWhatCannotRunIt() {
        String compute = agents.register("only-compute", "compute");
        String disabled = agents.register("disabled", "network");
        admin.update("agents", disabled, attrs("admin_state_up", false));
        String dead = agents.register("dead", "network");
        clock.advance(Duration.ofSeconds(100));
        agents.heartbeat("only-compute", "disabled");
        Object net = alice.network("n").get("id");
        alice.subnet(net, "10.12.0.0/24");

        for (String unfit : List.of(compute, disabled, dead)) expectError(404, "InvalidDHCPAgent", addNetwork(unfit, net));
        expectError(404, "AgentNotFound", addNetwork("00000000-0000-0000-0000-000000000000", net));
        expectError(404, "NetworkNotFound", addNetwork(compute, "00000000-0000-0000-0000-000000000000"));
        expect(400, admin.send("POST", "/v2.0/agents/" + compute + "/dhcp-networks", Map.of()));
        expect(400, admin.send("POST", "/v2.0/agents/" + compute + "/dhcp-networks", Map.of("network_id", net, "colour", "red")));

        String live = agents.register("live", "network");
        Object bare = alice.network("bare").get("id");
        expectError(409, "NetworkNotDhcpEnabled", addNetwork(live, bare));
        assertEquals("live", dhcpPort(net).get("binding:host_id"), "placed as the first fit node registered");
    }

    @Test
    void aRouterMovesByHandWithAllItsPorts() {
        String a = agents.register("l3-a", "network");
        String b = agents.register("l3-b", "network");
        Object ext = admin.create("networks", attrs("name", "public", "router:external", true)).get("id");
        admin.create("subnets", attrs("network_id", ext, "cidr", "203.0.113.0/24", "ip_version", 4, "enable_dhcp", false));
        Object router = alice.create("routers", attrs("name", "edge", "external_gateway_info", Map.of("network_id", ext))).get("id");
        Object net = alice.network("inside").get("id");
        Object subnet = alice.create("subnets", attrs("network_id", net, "cidr", "10.13.0.0/24", "ip_version", 4, "enable_dhcp", false)).get("id");
        expect(200, alice.send("PUT", "/v2.0/routers/" + router + "/add_router_interface", Map.of("subnet_id", subnet)));
        assertEquals(List.of(a), ids(view("/v2.0/routers/" + router + "/l3-agents", "agents")));

        expect(201, addRouter(a, router));
        expectError(409, "RouterHostedByL3Agent", addRouter(b, router));
        expectError(409, "RouterNotHostedByL3Agent", admin.send("DELETE", "/v2.0/agents/" + b + "/l3-routers/" + router, null));
        expect(204, admin.send("DELETE", "/v2.0/agents/" + a + "/l3-routers/" + router, null));
        assertEquals(List.of(), view("/v2.0/routers/" + router + "/l3-agents", "agents"));
        assertTrue(admin.list("ports", "device_id=" + router).stream().allMatch(p -> "".equals(p.get("binding:host_id"))));

        expect(201, addRouter(b, router));
        assertEquals(List.of(b), ids(view("/v2.0/routers/" + router + "/l3-agents", "agents")));
        assertTrue(admin.list("ports", "device_id=" + router).stream().allMatch(p -> "l3-b".equals(p.get("binding:host_id"))));
        assertEquals(List.of(router), ids(view("/v2.0/agents/" + b + "/l3-routers", "routers")));
        assertEquals(List.of(), view("/v2.0/agents/" + a + "/l3-routers", "routers"));

        Object bare = alice.create("routers", attrs("name", "bare")).get("id");
        expectError(409, "RouterSchedulingFailed", addRouter(a, bare));
        expectError(404, "RouterNotFound", addRouter(a, "00000000-0000-0000-0000-000000000000"));
        String compute = agents.register("c", "compute");
        expectError(404, "InvalidL3Agent", addRouter(compute, router));
    }

    @Test
    void onlyAdminsSeeOrChangePlacement() {
        String node = agents.register("node", "network");
        Object net = alice.network("mine").get("id");
        alice.subnet(net, "10.14.0.0/24");
        Object router = alice.create("routers", attrs("name", "mine")).get("id");
        expect(403, alice.get("/v2.0/agents/" + node + "/dhcp-networks"));
        expect(403, alice.get("/v2.0/networks/" + net + "/dhcp-agents"));
        expect(403, alice.get("/v2.0/agents/" + node + "/l3-routers"));
        expect(403, alice.get("/v2.0/routers/" + router + "/l3-agents"));
        expect(403, alice.send("POST", "/v2.0/agents/" + node + "/dhcp-networks", Map.of("network_id", net)));
        expect(403, alice.send("DELETE", "/v2.0/agents/" + node + "/dhcp-networks/" + net, null));
        expect(403, alice.send("POST", "/v2.0/agents/" + node + "/l3-routers", Map.of("router_id", router)));
        expect(403, alice.send("DELETE", "/v2.0/agents/" + node + "/l3-routers/" + router, null));
        assertEquals("node", dhcpPort(net).get("binding:host_id"), "nothing changed");
        expectError(404, "AgentNotFound", admin.get("/v2.0/agents/00000000-0000-0000-0000-000000000000/dhcp-networks"));
        expectError(404, "NetworkNotFound", admin.get("/v2.0/networks/00000000-0000-0000-0000-000000000000/dhcp-agents"));
        expectError(404, "RouterNotFound", admin.get("/v2.0/routers/00000000-0000-0000-0000-000000000000/l3-agents"));
    }
}
