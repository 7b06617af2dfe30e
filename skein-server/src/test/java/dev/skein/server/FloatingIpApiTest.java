package dev.skein.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.skein.server.L3Fixture.expect;
import static dev.skein.server.L3Fixture.fails;
import static dev.skein.server.L3Fixture.firstIp;
import static dev.skein.server.L3Fixture.revision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloatingIpApiTest {
    @RegisterExtension
    static final L3Fixture f = new L3Fixture();
    private static final TestCloud cloud = f.cloud;

    /** {@code after} is {@code before} let go of its port in one update: no port, router or fixed address, DOWN. */
    private static void assertDisassociated(Map<String, Object> before, Map<String, Object> after) {
        assertNull(after.get("port_id"));
        assertNull(after.get("fixed_ip_address"));
        assertNull(after.get("router_id"));
        assertEquals("DOWN", after.get("status"));
        assertEquals(revision(before) + 1, revision(after));
        assertEquals(before.get("floating_ip_address"), after.get("floating_ip_address"));
    }

    /** An external network, an internal network of the token's project and a router joining them. */
    private record Topology(String extNet, String extSubnet, String net, String subnet, String router) {}

    private static Topology topology(String token, String name, String extCidr, String cidr) {
        String[] ext = f.externalNetwork(name + "-ext", extCidr, null, null);
        String net = f.network(token, name + "-net");
        String subnet = f.subnet(token, net, cidr);
        String router = f.router(token, name + "-router");
        f.setGateway(token, router, ext[0]);
        assertEquals(200, f.addInterface(token, router, "subnet_id", subnet).status());
        return new Topology(ext[0], ext[1], net, subnet, router);
    }

    private static Map<String, Object> fip(String token, Map<String, Object> attrs) {
        return f.create(token, "floatingips", "floatingip", attrs);
    }

    private static TestCloud.Response setPort(String token, String fip, Object portId) {
        Map<String, Object> body = new HashMap<>();
        body.put("port_id", portId);
        return cloud.put("/v2.0/floatingips/" + fip, token, Map.of("floatingip", body));
    }

    @Test
    void allocatesAnAddressHeldByASystemPort() {
        String[] ext = f.externalNetwork("alloc-ext", "198.18.0.0/24", "198.18.0.10", "198.18.0.20");
        Map<String, Object> fip = fip(f.alice, Map.of("floating_network_id", ext[0], "description", "web"));
        String address = (String) fip.get("floating_ip_address");
        int last = Integer.parseInt(address.substring(address.lastIndexOf('.') + 1));
        assertTrue(address.startsWith("198.18.0.") && last >= 10 && last <= 20, address);
        assertEquals(ext[0], fip.get("floating_network_id"));
        assertEquals("DOWN", fip.get("status"));
        assertNull(fip.get("router_id"));
        assertNull(fip.get("port_id"));
        assertNull(fip.get("fixed_ip_address"));
        assertNull(fip.get("port_details"));
        assertTrue(fip.containsKey("port_details"));
        assertEquals("web", fip.get("description"));
        assertEquals(fip.get("project_id"), fip.get("tenant_id"));
        assertEquals(1L, revision(fip));

        List<Map<String, Object>> ports = cloud.get("/v2.0/ports?device_id=" + fip.get("id"), f.admin).list("ports");
        assertEquals(1, ports.size());
        assertEquals("network:floatingip", ports.get(0).get("device_owner"));
        assertEquals("", ports.get(0).get("project_id"));
        assertEquals(address, firstIp(ports.get(0)));
        fails(409, "ServicePortInUse", cloud.delete("/v2.0/ports/" + ports.get(0).get("id"), f.admin));

        assertEquals(List.of(Map.of("id", fip.get("id"))), cloud.get("/v2.0/floatingips?floating_ip_address=" + address
                + "&fields=id", f.alice).list("floatingips"));
        assertEquals(204, cloud.delete("/v2.0/floatingips/" + fip.get("id"), f.alice).status());
        assertTrue(cloud.get("/v2.0/ports?device_id=" + fip.get("id"), f.admin).list("ports").isEmpty());
        fails(404, "FloatingIPNotFound", cloud.get("/v2.0/floatingips/" + fip.get("id"), f.alice));
        Map<String, Object> again = fip(f.admin, Map.of("floating_network_id", ext[0], "floating_ip_address", address));
        assertEquals(address, again.get("floating_ip_address"), "a deleted floating IP's address is free again");
    }

    @Test
    void createRules() {
        String[] ext = f.externalNetwork("rules-ext", "198.18.1.0/24", null, null);
        fails(403, "PolicyNotAuthorized", cloud.post("/v2.0/floatingips", f.alice, Map.of("floatingip",
                Map.of("floating_network_id", ext[0], "floating_ip_address", "198.18.1.50"))));
        Map<String, Object> chosen = fip(f.admin, Map.of("floating_network_id", ext[0], "floating_ip_address", "198.18.1.50"));
        assertEquals("198.18.1.50", chosen.get("floating_ip_address"));
        fails(409, "IpAddressAlreadyAllocated", cloud.post("/v2.0/floatingips", f.admin, Map.of("floatingip",
                Map.of("floating_network_id", ext[0], "floating_ip_address", "198.18.1.50"))));
        fails(400, "InvalidIpForSubnet", cloud.post("/v2.0/floatingips", f.admin, Map.of("floatingip",
                Map.of("floating_network_id", ext[0], "subnet_id", ext[1], "floating_ip_address", "198.18.2.50"))));
        assertTrue(((String) fip(f.alice, Map.of("floating_network_id", ext[0], "subnet_id", ext[1]))
                .get("floating_ip_address")).startsWith("198.18.1."));

        String internal = f.network(f.alice, "rules-internal");
        f.subnet(f.alice, internal, "10.70.0.0/24");
        fails(400, "BadRequest", cloud.post("/v2.0/floatingips", f.alice, Map.of("floatingip", Map.of("floating_network_id", internal))));
        String empty = (String) f.create(f.admin, "networks", "network", Map.of("name", "rules-v6", "router:external", true)).get("id");
        f.subnet(f.admin, Map.of("network_id", empty, "ip_version", 6, "cidr", "2001:db8:70::/64"));
        fails(400, "BadRequest", cloud.post("/v2.0/floatingips", f.alice, Map.of("floatingip", Map.of("floating_network_id", empty))));
        String v6 = f.subnet(f.admin, Map.of("network_id", ext[0], "ip_version", 6, "cidr", "2001:db8:71::/64"));
        fails(400, "ExternalIpAddressExhausted", cloud.post("/v2.0/floatingips", f.alice, Map.of("floatingip",
                Map.of("floating_network_id", ext[0], "subnet_id", v6))));
        fails(404, "NetworkNotFound", cloud.post("/v2.0/floatingips", f.alice, Map.of("floatingip",
                Map.of("floating_network_id", "6a0b2fd4-3f4c-4a4e-9b47-2b0d4e1c0c03"))));
        fails(400, "HTTPBadRequest", cloud.post("/v2.0/floatingips", f.alice, Map.of("floatingip", Map.of("description", "x"))));
        fails(400, "BadRequest", cloud.post("/v2.0/floatingips", f.alice, Map.of("floatingip",
                Map.of("floating_network_id", ext[0], "fixed_ip_address", "10.70.0.5"))));
        fails(403, "PolicyNotAuthorized", cloud.post("/v2.0/floatingips", f.reader, Map.of("floatingip", Map.of("floating_network_id", ext[0]))));
        fails(400, "HTTPBadRequest", cloud.put("/v2.0/floatingips/" + chosen.get("id"), f.admin,
                Map.of("floatingip", Map.of("floating_ip_address", "198.18.1.51"))));
    }

    @Test
    @SuppressWarnings("unchecked")
    void associateOnCreateAndDisassociate() {
        Topology t = topology(f.alice, "assoc", "198.18.2.0/24", "10.71.0.0/24");
        Map<String, Object> vm = f.create(f.alice, "ports", "port", Map.of("network_id", t.net(), "name", "vm", "device_id", "vm-1"));
        Map<String, Object> fip = fip(f.alice, Map.of("floating_network_id", t.extNet(), "port_id", vm.get("id")));
        assertEquals(vm.get("id"), fip.get("port_id"));
        assertEquals(firstIp(vm), fip.get("fixed_ip_address"));
        assertEquals(t.router(), fip.get("router_id"));
        assertEquals("ACTIVE", fip.get("status"));
        Map<String, Object> details = (Map<String, Object>) fip.get("port_details");
        assertEquals("vm", details.get("name"));
        assertEquals(t.net(), details.get("network_id"));
        assertEquals(vm.get("mac_address"), details.get("mac_address"));
        assertEquals("vm-1", details.get("device_id"));
        assertEquals(Set.of("name", "network_id", "mac_address", "admin_state_up", "status", "device_id", "device_owner"), details.keySet());

        String id = (String) fip.get("id");
        Map<String, Object> off = expect(200, "floatingip", setPort(f.alice, id, null));
        assertDisassociated(fip, off);
        assertNull(off.get("port_details"));

        Map<String, Object> on = expect(200, "floatingip", setPort(f.alice, id, vm.get("id")));
        assertEquals(t.router(), on.get("router_id"));
        assertEquals(revision(off) + 1, revision(on));
        assertEquals(List.of(id), cloud.get("/v2.0/floatingips?port_id=" + vm.get("id"), f.alice).list("floatingips")
                .stream().map(x -> x.get("id")).toList());
        fails(400, "BadRequest", cloud.put("/v2.0/floatingips/" + id, f.alice, Map.of("floatingip", Map.of("fixed_ip_address", firstIp(vm)))));
        Map<String, Object> described = f.update(f.alice, "floatingips", "floatingip", id, Map.of("description", "kept"));
        assertEquals(vm.get("id"), described.get("port_id"), "an update without port_id keeps the association");
    }

    @Test
    void associationNeedsARouterBetweenSubnetAndExternalNetwork() {
        String[] ext = f.externalNetwork("reach-ext", "198.18.3.0/24", null, null);
        String net = f.network(f.alice, "reach-net");
        String subnet = f.subnet(f.alice, net, "10.72.0.0/24");
        Map<String, Object> vm = f.port(f.alice, net);
        String fip = (String) fip(f.alice, Map.of("floating_network_id", ext[0])).get("id");
        fails(404, "ExternalGatewayForFloatingIPNotFound", setPort(f.alice, fip, vm.get("id")));

        String r = f.router(f.alice, "reach-router");
        f.addInterface(f.alice, r, "subnet_id", subnet);
        fails(404, "ExternalGatewayForFloatingIPNotFound", setPort(f.alice, fip, vm.get("id")), "an interface but no gateway");
        String[] otherExt = f.externalNetwork("reach-other-ext", "198.18.4.0/24", null, null);
        f.setGateway(f.alice, r, otherExt[0]);
        fails(404, "ExternalGatewayForFloatingIPNotFound", setPort(f.alice, fip, vm.get("id")), "a gateway elsewhere");
        f.setGateway(f.alice, r, ext[0]);
        assertEquals(r, expect(200, "floatingip", setPort(f.alice, fip, vm.get("id"))).get("router_id"));
    }

    @Test
    void theFixedAddressMustBeOneIpv4AddressOfTheProjectsPort() {
        Topology t = topology(f.alice, "fixed", "198.18.5.0/24", "10.73.0.0/24");
        String v6 = f.subnet(f.alice, Map.of("network_id", t.net(), "ip_version", 6, "cidr", "2001:db8:73::/64"));
        Map<String, Object> two = f.create(f.alice, "ports", "port", Map.of("network_id", t.net(), "fixed_ips", List.of(
                Map.of("subnet_id", t.subnet(), "ip_address", "10.73.0.10"), Map.of("subnet_id", t.subnet(), "ip_address", "10.73.0.11"),
                Map.of("subnet_id", v6))));
        String fip = (String) fip(f.alice, Map.of("floating_network_id", t.extNet())).get("id");
        fails(400, "BadRequest", setPort(f.alice, fip, two.get("id")), "two IPv4 addresses and none chosen");
        fails(400, "BadRequest", cloud.put("/v2.0/floatingips/" + fip, f.alice, Map.of("floatingip",
                Map.of("port_id", two.get("id"), "fixed_ip_address", "10.73.0.99"))), "not the port's address");
        String v6Address = ((List<Map<String, String>>) (List<?>) f.show(f.alice, "ports", "port", (String) two.get("id"))
                .get("fixed_ips")).stream().filter(x -> x.get("ip_address").contains(":")).findFirst().orElseThrow().get("ip_address");
        fails(400, "BadRequest", cloud.put("/v2.0/floatingips/" + fip, f.alice, Map.of("floatingip",
                Map.of("port_id", two.get("id"), "fixed_ip_address", v6Address))), "an IPv6 address");
        Map<String, Object> chosen = expect(200, "floatingip", cloud.put("/v2.0/floatingips/" + fip, f.alice, Map.of("floatingip",
                Map.of("port_id", two.get("id"), "fixed_ip_address", "10.73.0.11"))));
        assertEquals("10.73.0.11", chosen.get("fixed_ip_address"));

        String second = (String) fip(f.alice, Map.of("floating_network_id", t.extNet())).get("id");
        fails(409, "FloatingIPPortAlreadyAssociated", cloud.put("/v2.0/floatingips/" + second, f.alice, Map.of("floatingip",
                Map.of("port_id", two.get("id"), "fixed_ip_address", "10.73.0.11"))));
        assertEquals("10.73.0.10", expect(200, "floatingip", cloud.put("/v2.0/floatingips/" + second, f.alice, Map.of("floatingip",
                Map.of("port_id", two.get("id"), "fixed_ip_address", "10.73.0.10")))).get("fixed_ip_address"));

        fails(400, "BadRequest", cloud.put("/v2.0/ports/" + two.get("id"), f.alice, Map.of("port", Map.of("fixed_ips",
                List.of(Map.of("subnet_id", t.subnet(), "ip_address", "10.73.0.10"))))), "the address has a floating IP");

        Map<String, Object> bobsPort = f.port(f.bob, f.network(f.bob, "fixed-bob-net"));
        fails(404, "PortNotFound", setPort(f.alice, fip, bobsPort.get("id")));
        Map<String, Object> dhcp = f.create(f.alice, "ports", "port", Map.of("network_id", t.net(), "device_owner", "network:dhcp"));
        fails(400, "BadRequest", setPort(f.alice, second, dhcp.get("id")));
    }

    @Test
    void deletingTheAssociatedPortDisassociates() {
        Topology t = topology(f.alice, "portdel", "198.18.6.0/24", "10.74.0.0/24");
        Map<String, Object> vm = f.port(f.alice, t.net());
        Map<String, Object> fip = fip(f.alice, Map.of("floating_network_id", t.extNet(), "port_id", vm.get("id")));
        assertEquals(204, cloud.delete("/v2.0/ports/" + vm.get("id"), f.alice).status());
        Map<String, Object> after = f.show(f.alice, "floatingips", "floatingip", (String) fip.get("id"));
        assertDisassociated(fip, after);
        assertEquals(200, f.removeInterface(f.alice, t.router(), "subnet_id", t.subnet()).status(), "nothing needs the interface now");
    }

    @Test
    void floatingIpsPinTheirInterfaceAndGateway() {
        Topology t = topology(f.alice, "pin", "198.18.7.0/24", "10.75.0.0/24");
        Map<String, Object> vm = f.port(f.alice, t.net());
        Map<String, Object> fip = fip(f.alice, Map.of("floating_network_id", t.extNet(), "port_id", vm.get("id")));
        fails(409, "RouterInterfaceInUseByFloatingIP", f.removeInterface(f.alice, t.router(), "subnet_id", t.subnet()));
        String interfacePort = (String) cloud.get("/v2.0/ports?device_owner=network:router_interface&network_id=" + t.net(), f.alice)
                .list("ports").get(0).get("id");
        fails(409, "RouterInterfaceInUseByFloatingIP", f.removeInterface(f.alice, t.router(), "port_id", interfacePort));
        fails(409, "RouterExternalGatewayInUseByFloatingIp", cloud.put("/v2.0/routers/" + t.router(), f.alice,
                Map.of("router", Map.of("external_gateway_info", Map.of()))));
        String[] other = f.externalNetwork("pin-other", "198.18.8.0/24", null, null);
        fails(409, "RouterExternalGatewayInUseByFloatingIp", cloud.put("/v2.0/routers/" + t.router(), f.alice,
                Map.of("router", Map.of("external_gateway_info", Map.of("network_id", other[0])))));
        fails(409, "NetworkInUse", cloud.delete("/v2.0/networks/" + t.extNet(), f.admin));

        expect(200, "floatingip", setPort(f.alice, (String) fip.get("id"), null));
        assertEquals(200, f.removeInterface(f.alice, t.router(), "subnet_id", t.subnet()).status());
        assertEquals(204, cloud.delete("/v2.0/routers/" + t.router(), f.alice).status());
        assertEquals(204, cloud.delete("/v2.0/networks/" + t.extNet(), f.admin).status(),
                "the network goes, and its unassociated floating IPs with it");
        fails(404, "FloatingIPNotFound", cloud.get("/v2.0/floatingips/" + fip.get("id"), f.alice));
    }

    @Test
    void projectsSeeOnlyTheirFloatingIps() {
        String[] ext = f.externalNetwork("seen-ext", "198.18.9.0/24", null, null);
        String mine = (String) fip(f.alice, Map.of("floating_network_id", ext[0])).get("id");
        String bobs = (String) fip(f.bob, Map.of("floating_network_id", ext[0])).get("id");
        List<Object> aliceSees = cloud.get("/v2.0/floatingips", f.alice).list("floatingips").stream().map(x -> x.get("id")).toList();
        assertTrue(aliceSees.contains(mine));
        assertFalse(aliceSees.contains(bobs));
        assertTrue(cloud.get("/v2.0/floatingips", f.admin).list("floatingips").stream().map(x -> x.get("id")).toList()
                .containsAll(List.of(mine, bobs)));
        fails(404, "FloatingIPNotFound", cloud.get("/v2.0/floatingips/" + bobs, f.alice));
        fails(404, "FloatingIPNotFound", setPort(f.alice, bobs, null));
        fails(404, "FloatingIPNotFound", cloud.delete("/v2.0/floatingips/" + bobs, f.alice));

        Topology t = topology(f.alice, "seen", "198.18.10.0/24", "10.76.0.0/24");
        Map<String, Object> vm = f.port(f.alice, t.net());
        String aliceProject = (String) vm.get("project_id");
        Map<String, Object> forAlice = fip(f.admin, Map.of("floating_network_id", t.extNet(), "project_id", aliceProject,
                "port_id", vm.get("id")));
        assertEquals(aliceProject, forAlice.get("project_id"));
        assertEquals(t.router(), forAlice.get("router_id"));

        String bobProject = (String) f.show(f.admin, "floatingips", "floatingip", bobs).get("project_id");
        Map<String, Object> foreign = f.create(f.admin, "ports", "port", Map.of("network_id", t.net(), "project_id", bobProject));
        String aliceFip = (String) fip(f.alice, Map.of("floating_network_id", t.extNet())).get("id");
        fails(400, "BadRequest", setPort(f.alice, aliceFip, foreign.get("id")), "a port of another project");

        Map<String, Object> adminOwn = fip(f.admin, Map.of("floating_network_id", t.extNet()));
        Map<String, Object> vm2 = f.port(f.alice, t.net());
        expect(200, "floatingip", setPort(f.admin, (String) adminOwn.get("id"), vm2.get("id")));
        fails(409, "FipAssociated", cloud.delete("/v2.0/ports/" + vm2.get("id"), f.alice));
        assertEquals(204, cloud.delete("/v2.0/ports/" + vm2.get("id"), f.admin).status());
        assertNull(f.show(f.admin, "floatingips", "floatingip", (String) adminOwn.get("id")).get("port_id"));
    }

    @Test
    void tagsAndRevisions() {
        String[] ext = f.externalNetwork("tags-ext", "198.18.11.0/24", null, null);
        Map<String, Object> fip = fip(f.alice, Map.of("floating_network_id", ext[0], "tags", List.of("x")));
        assertEquals(List.of("x"), fip.get("tags"));
        String id = (String) fip.get("id");
        assertEquals(201, cloud.put("/v2.0/floatingips/" + id + "/tags/y", f.alice, null).status());
        assertEquals(2L, revision(f.show(f.alice, "floatingips", "floatingip", id)));
        assertEquals(1, cloud.get("/v2.0/floatingips?tags=y", f.alice).list("floatingips").size());
        fails(412, "RevisionNumberConstraintFailed", cloud.request("PUT", "/v2.0/floatingips/" + id, f.alice,
                Map.of("floatingip", Map.of("description", "d")), Map.of("If-Match", "revision_number=1")));
    }

    @Test
    void concurrentAllocationFromASmallPoolHandsOutEachAddressOnce() throws Exception {
        String[] ext = f.externalNetwork("race-ext", "198.18.12.0/24", "198.18.12.10", "198.18.12.17");
        int attempts = 24;
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<TestCloud.Response>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < attempts; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return cloud.post("/v2.0/floatingips", f.alice, Map.of("floatingip", Map.of("floating_network_id", ext[0])));
                }));
            }
            go.countDown();
            List<String> addresses = new ArrayList<>();
            int conflicts = 0;
            for (Future<TestCloud.Response> fu : futures) {
                TestCloud.Response r = fu.get();
                assertTrue(r.status() < 500, r::body);
                if (r.status() == 201) {
                    addresses.add((String) r.json("floatingip").get("floating_ip_address"));
                } else {
                    fails(409, "IpAddressGenerationFailure", r);
                    conflicts++;
                }
            }
            assertEquals(8, addresses.size(), addresses::toString);
            assertEquals(8, new HashSet<>(addresses).size(), "no address twice: " + addresses);
            assertEquals(attempts - 8, conflicts);
            assertEquals(8, cloud.get("/v2.0/floatingips?floating_network_id=" + ext[0], f.alice).list("floatingips").size());
            assertEquals(8, cloud.get("/v2.0/ports?network_id=" + ext[0], f.admin).list("ports").size(), "failed creates left no port");
        } finally {
            pool.shutdownNow();
        }
    }
}
