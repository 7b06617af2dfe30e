package dev.skein.server;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static dev.skein.server.Caller.attrs;
import static dev.skein.server.Caller.expect;
import static dev.skein.server.Caller.expectError;
import static dev.skein.server.Caller.fixedIps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DHCP port of each network: made on a network node when the network gets a DHCP-enabled subnet, following
 * its subnets, gone with the network, free of quota, one per network under concurrent writes, placed only on live
 * network nodes and moved off dead ones. Agents are registered over HTTP as the agent does; time is a test clock.
 */
class DhcpSchedulingApiTest extends SchedulingCloud {
    static final String DHCP = "network:dhcp";

    @Override
    void configure(SkeinConfig cfg) {
        // A finite quota would serialise subnet creates of a project on its own and hide a missing network lock.
        cfg.quotas.subnet = -1;
    }

    List<Map<String, Object>> dhcpPorts(Object networkId) {
        return admin.list("ports", "device_owner=" + DHCP + "&network_id=" + networkId);
    }

    Map<String, Object> dhcpPort(Object networkId) {
        List<Map<String, Object>> ports = dhcpPorts(networkId);
        assertEquals(1, ports.size(), ports.toString());
        return ports.get(0);
    }

    static Set<String> subnetsOf(Map<String, Object> port) {
        return fixedIps(port).stream().map(f -> (String) f.get("subnet_id")).collect(Collectors.toSet());
    }

    Map<String, Object> subnet(Caller who, Object networkId, String cidr, boolean dhcp) {
        return who.create("subnets", attrs("network_id", networkId, "cidr", cidr, "ip_version", 4, "enable_dhcp", dhcp));
    }

    @Test
    void aDhcpSubnetGivesTheNetworkADhcpPortOnANetworkNode() {
        agents.register("net-1", "network");
        Map<String, Object> net = alice.network("served");
        assertTrue(dhcpPorts(net.get("id")).isEmpty(), "no subnet, no DHCP server");
        Map<String, Object> subnet = alice.subnet(net.get("id"), "10.20.0.0/24");

        Map<String, Object> port = dhcpPort(net.get("id"));
        assertEquals("net-1", port.get("binding:host_id"));
        assertEquals(net.get("project_id"), port.get("project_id"), "the network's project owns it");
        String deviceId = (String) port.get("device_id");
        assertTrue(deviceId.matches("dhcp[0-9a-f-]{36}-" + net.get("id")), deviceId);
        assertEquals(List.of(), port.get("security_groups"));
        assertEquals(true, port.get("port_security_enabled"), "as the network's default");
        assertEquals(true, port.get("admin_state_up"));
        assertTrue(((String) port.get("mac_address")).startsWith("fa:16:3e:"), port.toString());
        assertEquals(1, fixedIps(port).size());
        String ip = Caller.ipOn(port, subnet.get("id"));
        assertTrue(ip.startsWith("10.20.0.") && !ip.equals("10.20.0.1"), ip);
        assertEquals(List.of(port.get("id")), alice.list("ports", "device_owner=" + DHCP).stream().map(p -> p.get("id")).toList(),
                "the network's owner sees it");

        Map<String, Object> insecure = alice.create("networks", attrs("name", "open", "port_security_enabled", false));
        alice.subnet(insecure.get("id"), "10.21.0.0/24");
        assertEquals(false, dhcpPort(insecure.get("id")).get("port_security_enabled"));

        Map<String, Object> noDhcp = alice.network("static");
        subnet(alice, noDhcp.get("id"), "10.22.0.0/24", false);
        assertTrue(dhcpPorts(noDhcp.get("id")).isEmpty(), "enable_dhcp=false needs no DHCP server");
    }

    @Test
    void theDhcpPortFollowsTheSubnetsAndLeavesWithTheLast() {
        agents.register("net-1", "network");
        Object net = alice.network("multi").get("id");
        Map<String, Object> first = alice.subnet(net, "10.30.0.0/24");
        String portId = (String) dhcpPort(net).get("id");

        Map<String, Object> second = alice.subnet(net, "10.31.0.0/24");
        assertEquals(Set.of(first.get("id"), second.get("id")), subnetsOf(dhcpPort(net)), "one port, an address on each");
        Map<String, Object> plain = subnet(alice, net, "10.32.0.0/24", false);
        assertEquals(Set.of(first.get("id"), second.get("id")), subnetsOf(dhcpPort(net)));

        alice.update("subnets", (String) plain.get("id"), attrs("enable_dhcp", true));
        assertEquals(Set.of(first.get("id"), second.get("id"), plain.get("id")), subnetsOf(dhcpPort(net)));
        alice.update("subnets", (String) first.get("id"), attrs("enable_dhcp", false));
        assertEquals(Set.of(second.get("id"), plain.get("id")), subnetsOf(dhcpPort(net)));

        alice.delete("subnets", (String) second.get("id"));
        Map<String, Object> port = dhcpPort(net);
        assertEquals(Set.of(plain.get("id")), subnetsOf(port), "a subnet only the DHCP port uses can be deleted");
        assertEquals(portId, port.get("id"), "the same port throughout");

        Map<String, Object> vm = alice.create("ports", attrs("network_id", net, "fixed_ips", List.of(Map.of("subnet_id", plain.get("id")))));
        expectError(409, "SubnetInUse", alice.tryDelete("subnets", (String) plain.get("id")));
        alice.delete("ports", (String) vm.get("id"));
        alice.delete("subnets", (String) plain.get("id"));
        assertTrue(dhcpPorts(net).isEmpty(), "no DHCP-enabled subnet left");
        assertEquals(List.of(), admin.list("ports", "network_id=" + net));
        alice.delete("subnets", (String) first.get("id"));
    }

    @Test
    void deletingTheNetworkTakesItsDhcpPort() {
        agents.register("net-1", "network");
        Object net = alice.network("doomed").get("id");
        alice.subnet(net, "10.40.0.0/24");
        String port = (String) dhcpPort(net).get("id");
        alice.delete("networks", (String) net);
        expect(404, admin.tryShow("ports", port));

        Object used = alice.network("used").get("id");
        alice.subnet(used, "10.41.0.0/24");
        alice.port(used);
        expectError(409, "NetworkInUse", alice.tryDelete("networks", (String) used));
    }

    @Test
    void dhcpPortsAreNotChargedToTheProjectsPortQuota() {
        agents.register("net-1", "network");
        String alpha = (String) alice.network("probe").get("project_id");
        expect(200, admin.send("PUT", "/v2.0/quotas/" + alpha, Map.of("quota", Map.of("port", 1))));
        Object net = alice.network("q").get("id");
        alice.subnet(net, "10.50.0.0/24");
        dhcpPort(net);
        alice.port(net);
        expectError(409, "OverQuota", alice.tryCreate("ports", attrs("network_id", net)));
        Map<String, Object> details = expect(200, alice.get("/v2.0/quotas/" + alpha + "/details")).json("quota");
        assertEquals(1, ((Number) ((Map<?, ?>) details.get("port")).get("used")).intValue());
    }

    @Test
    void subnetsCreatedOrEnabledConcurrentlyOnOneNetworkShareOneDhcpPort() throws Exception {
        agents.register("net-1", "network");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 6; round++) {
                Object net = alice.network("race-" + round).get("id");
                List<Callable<Map<String, Object>>> creates = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    String cidr = "10." + (60 + round) + "." + i + ".0/24";
                    creates.add(() -> alice.subnet(net, cidr));
                }
                Set<Object> subnets = new java.util.HashSet<>();
                for (Future<Map<String, Object>> f : pool.invokeAll(creates)) subnets.add(f.get().get("id"));
                assertEquals(subnets, subnetsOf(dhcpPort(net)), "round " + round);

                Object later = alice.network("enabled-" + round).get("id");
                List<Callable<Map<String, Object>>> enables = new ArrayList<>();
                Set<Object> enabled = new java.util.HashSet<>();
                for (int i = 0; i < 4; i++) {
                    String id = (String) subnet(alice, later, "10." + (100 + round) + "." + i + ".0/24", false).get("id");
                    enabled.add(id);
                    enables.add(() -> alice.update("subnets", id, attrs("enable_dhcp", true)));
                }
                for (Future<Map<String, Object>> f : pool.invokeAll(enables)) f.get();
                assertEquals(enabled, subnetsOf(dhcpPort(later)), "round " + round + " of enabling DHCP");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void placementSkipsDeadDisabledAndComputeOnlyAgents() {
        agents.register("a-compute", "compute");
        agents.register("b-dead", "network", "compute");
        agents.register("c-disabled", "network");
        admin.update("agents", agents.id("c-disabled"), attrs("admin_state_up", false));
        clock.advance(Duration.ofSeconds(100));
        agents.heartbeat("a-compute", "c-disabled");

        Object net = alice.network("waiting").get("id");
        alice.subnet(net, "10.70.0.0/24");
        assertTrue(dhcpPorts(net).isEmpty(), "no agent can take it yet");

        agents.register("d-live", "network");
        assertEquals("d-live", dhcpPort(net).get("binding:host_id"), "placed as soon as a network node registers");

        Object other = alice.network("second").get("id");
        alice.subnet(other, "10.71.0.0/24");
        assertEquals("d-live", dhcpPort(other).get("binding:host_id"));

        agents.heartbeat("b-dead");
        Object third = alice.network("third").get("id");
        alice.subnet(third, "10.72.0.0/24");
        assertEquals("b-dead", dhcpPort(third).get("binding:host_id"), "back alive, and it holds the least");
    }

    @Test
    void networksWaitingForANodeArePlacedWhenOneComesBackOrIsEnabled() {
        agents.register("n-1", "network");
        admin.update("agents", agents.id("n-1"), attrs("admin_state_up", false));
        Object net = alice.network("w1").get("id");
        alice.subnet(net, "10.75.0.0/24");
        assertTrue(dhcpPorts(net).isEmpty());
        admin.update("agents", agents.id("n-1"), attrs("admin_state_up", true));
        assertEquals("n-1", dhcpPort(net).get("binding:host_id"), "placed when the node is enabled");

        clock.advance(Duration.ofSeconds(100));
        Object later = alice.network("w2").get("id");
        alice.subnet(later, "10.76.0.0/24");
        assertTrue(dhcpPorts(later).isEmpty(), "its only node is dead");
        agents.heartbeat("n-1");
        assertEquals("n-1", dhcpPort(later).get("binding:host_id"), "placed when the node comes back");
    }

    @Test
    void theLeastLoadedNodeGetsTheNextNetworkAndEqualLoadsGoByHostName() {
        agents.register("node-b", "network");
        agents.register("node-a", "network");
        List<Object> hosts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Object net = alice.network("spread-" + i).get("id");
            alice.subnet(net, "10.80." + i + ".0/24");
            hosts.add(dhcpPort(net).get("binding:host_id"));
        }
        assertEquals(List.of("node-a", "node-b", "node-a", "node-b"), hosts);
    }

    @Test
    void theDhcpPortOfADeadAgentMovesWithItsAddresses() {
        agents.register("old-node", "network");
        Object net = alice.network("moving").get("id");
        alice.subnet(net, "10.90.0.0/24");
        Map<String, Object> before = dhcpPort(net);
        assertEquals("old-node", before.get("binding:host_id"));

        clock.advance(Duration.ofSeconds(100));
        assertEquals(List.of(), cloud.checkDeadAgents().networks(), "no live node to move it to");
        assertEquals("old-node", dhcpPort(net).get("binding:host_id"));

        agents.register("new-node", "network");
        cloud.checkDeadAgents();
        Map<String, Object> after = dhcpPort(net);
        assertEquals("new-node", after.get("binding:host_id"));
        assertEquals(before.get("id"), after.get("id"));
        assertEquals(before.get("mac_address"), after.get("mac_address"));
        assertEquals(before.get("fixed_ips"), after.get("fixed_ips"));
        assertNotEquals(before.get("device_id"), after.get("device_id"), "the device is the new host's DHCP server");
        assertEquals("DOWN", after.get("status"));
        assertTrue(cloud.checkDeadAgents().isEmpty(), "nothing left to move");

        agents.heartbeat("old-node");
        assertEquals("new-node", dhcpPort(net).get("binding:host_id"), "a node that comes back does not take it back");
    }

    @Test
    void anAgentThatStopsBeingANetworkNodeLosesItsNetworks() {
        agents.register("flip", "network", "compute");
        agents.register("steady", "network");
        Object net = alice.network("flipped").get("id");
        alice.subnet(net, "10.95.0.0/24");
        assertEquals("flip", dhcpPort(net).get("binding:host_id"));
        agents.register("flip", "compute");
        cloud.checkDeadAgents();
        assertEquals("steady", dhcpPort(net).get("binding:host_id"));
    }
}
