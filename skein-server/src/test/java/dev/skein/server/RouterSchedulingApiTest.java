package dev.skein.server;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.skein.server.Caller.attrs;
import static dev.skein.server.Caller.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Routers on network nodes: a router is placed when it gets its gateway or first interface, every port of it is
 * bound to the same host, later ports follow, routers wait while no node can take them, count in a node's load
 * and move off dead nodes whole.
 */
class RouterSchedulingApiTest extends SchedulingCloud {
    /** The hosts the router's gateway and interface ports are bound to ("" for an unbound one). */
    Set<Object> hostsOf(Object routerId) {
        return admin.list("ports", "device_id=" + routerId).stream()
                .filter(p -> ((String) p.get("device_owner")).startsWith("network:router_"))
                .map(p -> p.get("binding:host_id")).collect(Collectors.toSet());
    }

    int routerPorts(Object routerId) {
        return (int) admin.list("ports", "device_id=" + routerId).stream()
                .filter(p -> ((String) p.get("device_owner")).startsWith("network:router_")).count();
    }

    Object externalNetwork(String cidr) {
        Object net = admin.create("networks", attrs("name", "public", "router:external", true)).get("id");
        admin.create("subnets", attrs("network_id", net, "cidr", cidr, "ip_version", 4, "enable_dhcp", false));
        return net;
    }

    Object tenantSubnet(String cidr) {
        Object net = alice.network("inside-" + cidr).get("id");
        return alice.create("subnets", attrs("network_id", net, "cidr", cidr, "ip_version", 4, "enable_dhcp", false)).get("id");
    }

    void addInterface(Object routerId, Object subnetId) {
        expect(200, alice.send("PUT", "/v2.0/routers/" + routerId + "/add_router_interface", Map.of("subnet_id", subnetId)));
    }

    @Test
    void aRouterIsPlacedWithItsGatewayAndItsPortsStayTogether() {
        agents.register("l3-a", "network");
        agents.register("l3-b", "network");
        Object ext = externalNetwork("203.0.113.0/24");
        Object router = alice.create("routers", attrs("name", "edge", "external_gateway_info", Map.of("network_id", ext))).get("id");
        assertEquals(Set.of("l3-a"), hostsOf(router));

        addInterface(router, tenantSubnet("10.1.0.0/24"));
        addInterface(router, tenantSubnet("10.2.0.0/24"));
        assertEquals(3, routerPorts(router));
        assertEquals(Set.of("l3-a"), hostsOf(router), "every later port joins the router's host");

        Object second = alice.create("routers", attrs("name", "inner")).get("id");
        assertEquals(0, routerPorts(second), "no port, nothing to place");
        addInterface(second, tenantSubnet("10.3.0.0/24"));
        assertEquals(Set.of("l3-b"), hostsOf(second), "placed with its first interface, on the node holding less");

        expect(200, alice.send("PUT", "/v2.0/routers/" + second, Map.of("router", Map.of("external_gateway_info", Map.of("network_id", ext)))));
        assertEquals(Set.of("l3-b"), hostsOf(second), "the gateway joins its interfaces");
    }

    @Test
    void aPortTakenOverAsAnInterfaceMovesToTheRoutersHost() {
        agents.register("l3-a", "network");
        Object subnet = tenantSubnet("10.5.0.0/24");
        Object net = alice.show("subnets", (String) subnet).get("network_id");
        Object port = admin.create("ports", attrs("network_id", net, "binding:host_id", "compute-9")).get("id");
        Object router = alice.create("routers", attrs("name", "r")).get("id");
        expect(200, alice.send("PUT", "/v2.0/routers/" + router + "/add_router_interface", Map.of("port_id", port)));
        assertEquals("l3-a", admin.show("ports", (String) port).get("binding:host_id"));
    }

    @Test
    void routersWaitForANetworkNodeAndCountInItsLoad() {
        agents.register("c-1", "compute");
        Object router = alice.create("routers", attrs("name", "waiting")).get("id");
        addInterface(router, tenantSubnet("10.6.0.0/24"));
        assertEquals(Set.of(""), hostsOf(router), "no network node: unbound");

        agents.register("n-a", "network");
        assertEquals(Set.of("n-a"), hostsOf(router), "placed when a network node registers");

        agents.register("n-b", "network");
        Object net = alice.network("dhcp").get("id");
        alice.subnet(net, "10.7.0.0/24");
        assertEquals("n-b", admin.list("ports", "device_owner=network:dhcp&network_id=" + net).get(0).get("binding:host_id"),
                "the router counts: n-a already holds one");
    }

    @Test
    void aDeadNodesRoutersMoveWhole() {
        agents.register("old", "network");
        Object ext = externalNetwork("198.18.0.0/24");
        Object router = alice.create("routers", attrs("name", "edge", "external_gateway_info", Map.of("network_id", ext))).get("id");
        addInterface(router, tenantSubnet("10.8.0.0/24"));
        assertEquals(Set.of("old"), hostsOf(router));

        clock.advance(Duration.ofSeconds(100));
        agents.register("new", "network");
        cloud.checkDeadAgents();
        assertEquals(Set.of("new"), hostsOf(router));
        assertTrue(admin.list("ports", "device_id=" + router).stream().allMatch(p -> "DOWN".equals(p.get("status"))),
                "only the new host's agent can say they are up there");
        assertEquals(List.of(), cloud.checkDeadAgents().routers());
    }
}
