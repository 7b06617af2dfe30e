package dev.skein.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.skein.server.L3Fixture.expect;
import static dev.skein.server.L3Fixture.fails;
import static dev.skein.server.L3Fixture.revision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouterApiTest {
    @RegisterExtension
    static final L3Fixture f = new L3Fixture();
    private static final TestCloud cloud = f.cloud;

    @Test
    void createShowsNeutronDefaults() {
        Map<String, Object> r = f.create(f.alice, "routers", "router", Map.of("name", "r-defaults", "tags", List.of("a")));
        assertEquals("ACTIVE", r.get("status"));
        assertEquals(true, r.get("admin_state_up"));
        assertNull(r.get("external_gateway_info"));
        assertTrue(r.containsKey("external_gateway_info"));
        assertEquals(List.of(), r.get("routes"));
        assertEquals(r.get("project_id"), r.get("tenant_id"));
        assertEquals("", r.get("description"));
        assertEquals(List.of("a"), r.get("tags"));
        assertEquals(1L, revision(r));
        assertTrue(r.containsKey("created_at") && r.containsKey("updated_at"));
        assertFalse(r.containsKey("distributed"), "members do not see how a router is realised");
        assertFalse(r.containsKey("ha"));

        Map<String, Object> asAdmin = f.show(f.admin, "routers", "router", (String) r.get("id"));
        assertEquals(false, asAdmin.get("distributed"));
        assertEquals(false, asAdmin.get("ha"));

        fails(400, "HTTPBadRequest", cloud.post("/v2.0/routers", f.alice, Map.of("router", Map.of("name", "x",
                "routes", List.of()))));
        fails(403, "PolicyNotAuthorized", cloud.post("/v2.0/routers", f.reader, Map.of("router", Map.of("name", "x"))));
    }

    @Test
    void distributedAndHaAreAdminOnlyAndNeedTheRouterDown() {
        fails(403, "PolicyNotAuthorized", cloud.post("/v2.0/routers", f.alice, Map.of("router", Map.of("name", "x", "ha", true))));
        fails(403, "PolicyNotAuthorized", cloud.post("/v2.0/routers", f.alice, Map.of("router", Map.of("name", "x", "distributed", true))));
        Map<String, Object> r = f.create(f.admin, "routers", "router", Map.of("name", "r-ha", "ha", true, "distributed", "true"));
        assertEquals(true, r.get("ha"));
        assertEquals(true, r.get("distributed"));
        String id = (String) r.get("id");
        fails(400, "BadRequest", cloud.put("/v2.0/routers/" + id, f.admin, Map.of("router", Map.of("ha", false))));
        f.update(f.admin, "routers", "router", id, Map.of("admin_state_up", false));
        Map<String, Object> u = f.update(f.admin, "routers", "router", id, Map.of("ha", false, "distributed", false));
        assertEquals(false, u.get("ha"));
        assertEquals(false, u.get("distributed"));
        assertEquals(false, f.show(f.admin, "routers", "router", id).get("ha"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void gatewayTakesAnAddressOnTheExternalNetwork() {
        String[] ext = f.externalNetwork("gw-ext", "198.51.100.0/24", null, null);
        String r = f.router(f.alice, "r-gw");
        Map<String, Object> router = f.setGateway(f.alice, r, ext[0]);
        Map<String, Object> gw = (Map<String, Object>) router.get("external_gateway_info");
        assertEquals(ext[0], gw.get("network_id"));
        assertEquals(true, gw.get("enable_snat"));
        List<Map<String, Object>> ips = (List<Map<String, Object>>) gw.get("external_fixed_ips");
        assertEquals(1, ips.size());
        assertEquals(ext[1], ips.get(0).get("subnet_id"));
        assertTrue(((String) ips.get(0).get("ip_address")).startsWith("198.51.100."));
        assertEquals(2L, revision(router));

        List<Map<String, Object>> ports = cloud.get("/v2.0/ports?device_id=" + r, f.admin).list("ports");
        assertEquals(1, ports.size());
        Map<String, Object> port = ports.get(0);
        assertEquals("network:router_gateway", port.get("device_owner"));
        assertEquals("", port.get("project_id"), "the gateway port belongs to no project");
        assertEquals(ips.get(0).get("ip_address"), L3Fixture.firstIp(port));
        fails(404, "PortNotFound", cloud.get("/v2.0/ports/" + port.get("id"), f.alice));
        fails(409, "ServicePortInUse", cloud.delete("/v2.0/ports/" + port.get("id"), f.admin));

        fails(403, "PolicyNotAuthorized", cloud.put("/v2.0/routers/" + r, f.alice, Map.of("router", Map.of(
                "external_gateway_info", Map.of("network_id", ext[0], "enable_snat", false)))));
        fails(403, "PolicyNotAuthorized", cloud.put("/v2.0/routers/" + r, f.alice, Map.of("router", Map.of(
                "external_gateway_info", Map.of("network_id", ext[0], "external_fixed_ips", List.of(Map.of("ip_address", "198.51.100.77")))))));
        Map<String, Object> noSnat = f.update(f.admin, "routers", "router", r, Map.of("external_gateway_info",
                Map.of("network_id", ext[0], "enable_snat", false)));
        Map<String, Object> noSnatGw = (Map<String, Object>) noSnat.get("external_gateway_info");
        assertEquals(false, noSnatGw.get("enable_snat"));
        assertEquals(ips, noSnatGw.get("external_fixed_ips"), "an enable_snat change keeps the gateway port");
        Map<String, Object> again = f.setGateway(f.alice, r, ext[0]);
        assertEquals(true, ((Map<String, Object>) again.get("external_gateway_info")).get("enable_snat"),
                "external_gateway_info without enable_snat restores the default");

        Map<String, Object> pinned = f.update(f.admin, "routers", "router", r, Map.of("external_gateway_info",
                Map.of("network_id", ext[0], "external_fixed_ips", List.of(Map.of("ip_address", "198.51.100.77")))));
        assertEquals(List.of(Map.of("subnet_id", ext[1], "ip_address", "198.51.100.77")),
                ((Map<String, Object>) pinned.get("external_gateway_info")).get("external_fixed_ips"));
        assertEquals(1, cloud.get("/v2.0/ports?device_id=" + r, f.admin).list("ports").size());
        fails(400, "BadRequest", cloud.put("/v2.0/routers/" + r, f.admin, Map.of("router", Map.of("external_gateway_info",
                Map.of("network_id", ext[0], "external_fixed_ips", List.of(Map.of("ip_address", "198.51.100.1")))))));

        Map<String, Object> cleared = f.update(f.alice, "routers", "router", r, Map.of("external_gateway_info", Map.of()));
        assertNull(cleared.get("external_gateway_info"));
        assertTrue(cloud.get("/v2.0/ports?device_id=" + r, f.admin).list("ports").isEmpty(), "the gateway port is gone");
        f.setGateway(f.alice, r, ext[0]);
        Map<String, Object> nulled = new HashMap<>();
        nulled.put("external_gateway_info", null);
        assertNull(f.update(f.alice, "routers", "router", r, nulled).get("external_gateway_info"));

        String internal = f.network(f.alice, "not-external");
        fails(400, "BadRequest", cloud.put("/v2.0/routers/" + r, f.alice, Map.of("router", Map.of(
                "external_gateway_info", Map.of("network_id", internal)))));
        fails(404, "NetworkNotFound", cloud.put("/v2.0/routers/" + r, f.alice, Map.of("router", Map.of(
                "external_gateway_info", Map.of("network_id", "6a0b2fd4-3f4c-4a4e-9b47-2b0d4e1c0c01")))));
        fails(400, "HTTPBadRequest", cloud.put("/v2.0/routers/" + r, f.alice, Map.of("router", Map.of(
                "external_gateway_info", Map.of("enable_snat", true)))));
    }

    @Test
    @SuppressWarnings("unchecked")
    void gatewayOnCreateAndRouterDeleteFreesIt() {
        String[] ext = f.externalNetwork("create-ext", "192.0.2.0/28", null, null);
        Map<String, Object> router = f.create(f.alice, "routers", "router", Map.of("name", "r-create-gw",
                "external_gateway_info", Map.of("network_id", ext[0])));
        assertEquals(ext[0], ((Map<String, Object>) router.get("external_gateway_info")).get("network_id"));
        String r = (String) router.get("id");
        fails(409, "ExternalNetworkInUse", cloud.put("/v2.0/networks/" + ext[0], f.admin,
                Map.of("network", Map.of("router:external", false))));
        fails(409, "NetworkInUse", cloud.delete("/v2.0/networks/" + ext[0], f.admin));
        assertEquals(204, cloud.delete("/v2.0/routers/" + r, f.alice).status());
        assertTrue(cloud.get("/v2.0/ports?network_id=" + ext[0], f.admin).list("ports").isEmpty());
        fails(404, "RouterNotFound", cloud.get("/v2.0/routers/" + r, f.alice));
        assertEquals(204, cloud.delete("/v2.0/networks/" + ext[0], f.admin).status());
    }

    @Test
    void interfaceBySubnetTakesTheGatewayAddress() {
        String net = f.network(f.alice, "if-net");
        String subnet = f.subnet(f.alice, net, "10.10.0.0/24");
        String r = f.router(f.alice, "r-if");
        long before = revision(f.show(f.alice, "routers", "router", r));

        TestCloud.Response added = f.addInterface(f.alice, r, "subnet_id", subnet);
        assertEquals(200, added.status(), added::body);
        Map<String, Object> info = added.json();
        assertEquals(List.of("id", "tenant_id", "project_id", "port_id", "network_id", "subnet_id", "subnet_ids"),
                List.copyOf(info.keySet()));
        assertEquals(r, info.get("id"));
        assertEquals(net, info.get("network_id"));
        assertEquals(subnet, info.get("subnet_id"));
        assertEquals(List.of(subnet), info.get("subnet_ids"));
        Map<String, Object> port = f.show(f.alice, "ports", "port", (String) info.get("port_id"));
        assertEquals("network:router_interface", port.get("device_owner"));
        assertEquals(r, port.get("device_id"));
        assertEquals(info.get("project_id"), port.get("project_id"));
        assertEquals("10.10.0.1", L3Fixture.firstIp(port));
        assertEquals(before + 1, revision(f.show(f.alice, "routers", "router", r)), "an interface is a visible change");

        fails(400, "BadRequest", f.addInterface(f.alice, r, "subnet_id", subnet));
        String other = f.network(f.alice, "if-net-overlap");
        String overlapping = f.subnet(f.alice, other, "10.10.0.128/25");
        fails(400, "BadRequest", f.addInterface(f.alice, r, "subnet_id", overlapping));
        String r2 = f.router(f.alice, "r-if-2");
        fails(409, "IpAddressAlreadyAllocated", f.addInterface(f.alice, r2, "subnet_id", subnet));
        assertEquals(200, f.addInterface(f.alice, r2, "subnet_id", overlapping).status(), "another router may have it");

        String noGw = f.subnet(f.alice, Map.of("network_id", f.network(f.alice, "if-nogw"), "ip_version", 4,
                "cidr", "10.11.0.0/24", "gateway_ip", (Object) "10.11.0.254"));
        f.update(f.alice, "subnets", "subnet", noGw, nullMap("gateway_ip"));
        fails(400, "BadRequest", f.addInterface(f.alice, r, "subnet_id", noGw));

        String bobs = f.subnet(f.bob, f.network(f.bob, "bob-net"), "10.12.0.0/24");
        fails(404, "SubnetNotFound", f.addInterface(f.alice, r, "subnet_id", bobs));
        fails(404, "RouterNotFound", f.addInterface(f.bob, r, "subnet_id", bobs));
        String sharedNet = (String) f.create(f.admin, "networks", "network", Map.of("name", "shared", "shared", true)).get("id");
        String sharedSubnet = f.subnet(f.admin, sharedNet, "10.13.0.0/24");
        fails(400, "BadRequest", f.addInterface(f.alice, r, "subnet_id", sharedSubnet));

        fails(400, "BadRequest", cloud.put("/v2.0/routers/" + r + "/add_router_interface", f.alice, Map.of()));
        fails(400, "BadRequest", cloud.put("/v2.0/routers/" + r + "/add_router_interface", f.alice,
                Map.of("subnet_id", subnet, "port_id", info.get("port_id"))));
        fails(400, "BadRequest", f.addInterface(f.alice, r, "subnet_id", "not-a-uuid"));
    }

    @Test
    void interfaceByPortTakesAnUnboundPort() {
        String net = f.network(f.alice, "byport-net");
        String subnet = f.subnet(f.alice, net, "10.20.0.0/24");
        String r = f.router(f.alice, "r-byport");
        Map<String, Object> port = f.port(f.alice, net);
        String portId = (String) port.get("id");

        TestCloud.Response added = f.addInterface(f.alice, r, "port_id", portId);
        assertEquals(200, added.status(), added::body);
        assertEquals(portId, added.json().get("port_id"));
        assertEquals(List.of(subnet), added.json().get("subnet_ids"));
        Map<String, Object> now = f.show(f.alice, "ports", "port", portId);
        assertEquals("network:router_interface", now.get("device_owner"));
        assertEquals(r, now.get("device_id"));
        assertEquals(revision(port) + 1, revision(now));
        assertEquals(L3Fixture.firstIp(port), L3Fixture.firstIp(now), "the port keeps its address");

        String r2 = f.router(f.alice, "r-byport-2");
        fails(409, "PortInUse", f.addInterface(f.alice, r2, "port_id", portId));
        Map<String, Object> owned = f.create(f.alice, "ports", "port", Map.of("network_id", net, "device_id", "vm-1"));
        fails(409, "PortInUse", f.addInterface(f.alice, r2, "port_id", (String) owned.get("id")));
        Map<String, Object> bare = f.create(f.alice, "ports", "port", Map.of("network_id", net, "fixed_ips", List.of()));
        fails(400, "BadRequest", f.addInterface(f.alice, r2, "port_id", (String) bare.get("id")));
        String pooled = f.subnet(f.alice, Map.of("network_id", f.network(f.alice, "byport-pooled"), "ip_version", 4,
                "cidr", "10.21.0.0/24", "allocation_pools", List.of(Map.of("start", "10.21.0.10", "end", "10.21.0.20"))));
        Map<String, Object> outOfPool = f.create(f.alice, "ports", "port", Map.of("network_id", f.show(f.alice, "subnets", "subnet", pooled).get("network_id"),
                "fixed_ips", List.of(Map.of("subnet_id", pooled, "ip_address", "10.21.0.50"))));
        assertEquals(200, f.addInterface(f.alice, r2, "port_id", (String) outOfPool.get("id")).status(),
                "the subnet's owner may put a router on an address outside the pools");

        String sharedNet = (String) f.create(f.admin, "networks", "network", Map.of("name", "byport-shared", "shared", true)).get("id");
        String sharedSubnet = f.subnet(f.admin, Map.of("network_id", sharedNet, "ip_version", 4, "cidr", "10.22.0.0/24",
                "allocation_pools", List.of(Map.of("start", "10.22.0.10", "end", "10.22.0.20"))));
        String bobProject = (String) f.show(f.bob, "networks", "network", f.network(f.bob, "bob-probe")).get("project_id");
        Map<String, Object> hijack = f.create(f.admin, "ports", "port", Map.of("network_id", sharedNet, "project_id", bobProject,
                "fixed_ips", List.of(Map.of("subnet_id", sharedSubnet, "ip_address", "10.22.0.99"))));
        String bobsRouter = f.router(f.bob, "r-byport-bob");
        fails(400, "BadRequest", f.addInterface(f.bob, bobsRouter, "port_id", (String) hijack.get("id")));
        Map<String, Object> inPool = f.port(f.bob, sharedNet);
        assertEquals(200, f.addInterface(f.bob, bobsRouter, "port_id", (String) inPool.get("id")).status());
        fails(404, "PortNotFound", f.addInterface(f.alice, r2, "port_id", "6a0b2fd4-3f4c-4a4e-9b47-2b0d4e1c0c02"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void ipv6SubnetsOfOneNetworkShareOneInterface() {
        String net = f.network(f.alice, "v6-net");
        String a = f.subnet(f.alice, Map.of("network_id", net, "ip_version", 6, "cidr", "2001:db8:a::/64",
                "ipv6_ra_mode", "slaac", "ipv6_address_mode", "slaac"));
        String b = f.subnet(f.alice, Map.of("network_id", net, "ip_version", 6, "cidr", "2001:db8:b::/64",
                "ipv6_ra_mode", "dhcpv6-stateful", "ipv6_address_mode", "dhcpv6-stateful"));
        String r = f.router(f.alice, "r-v6");
        Map<String, Object> first = expectInfo(f.addInterface(f.alice, r, "subnet_id", a));
        Map<String, Object> second = expectInfo(f.addInterface(f.alice, r, "subnet_id", b));
        assertEquals(first.get("port_id"), second.get("port_id"), "one IPv6 interface per network carries every prefix");
        assertEquals(List.of(b), second.get("subnet_ids"), "the answer names the subnet just added");
        String port = (String) first.get("port_id");
        Map<String, Object> shown = f.show(f.alice, "ports", "port", port);
        assertEquals(List.of("2001:db8:a::1", "2001:db8:b::1"),
                ((List<Map<String, Object>>) shown.get("fixed_ips")).stream().map(x -> x.get("ip_address")).toList());
        assertEquals(2L, revision(shown));

        Map<String, Object> other = f.port(f.alice, net);
        fails(400, "BadRequest", f.addInterface(f.alice, r, "port_id", (String) other.get("id")));

        assertEquals(port, expectInfo(f.removeInterface(f.alice, r, "subnet_id", a)).get("port_id"));
        Map<String, Object> left = f.show(f.alice, "ports", "port", port);
        assertEquals(List.of("2001:db8:b::1"),
                ((List<Map<String, Object>>) left.get("fixed_ips")).stream().map(x -> x.get("ip_address")).toList());
        expectInfo(f.removeInterface(f.alice, r, "subnet_id", b));
        fails(404, "PortNotFound", cloud.get("/v2.0/ports/" + port, f.alice));

        String foreignRa = f.subnet(f.alice, Map.of("network_id", f.network(f.alice, "v6-external-ra"), "ip_version", 6,
                "cidr", "2001:db8:c::/64", "ipv6_address_mode", "slaac"));
        fails(400, "BadRequest", f.addInterface(f.alice, r, "subnet_id", foreignRa));
    }

    private static Map<String, Object> expectInfo(TestCloud.Response r) {
        assertEquals(200, r.status(), r::body);
        return r.json();
    }

    @Test
    void removeInterfaceBySubnetOrPort() {
        String net = f.network(f.alice, "rm-net");
        String s1 = f.subnet(f.alice, net, "10.30.0.0/24");
        String s2 = f.subnet(f.alice, f.network(f.alice, "rm-net-2"), "10.31.0.0/24");
        String r = f.router(f.alice, "r-rm");
        String p1 = (String) f.addInterface(f.alice, r, "subnet_id", s1).json().get("port_id");
        String p2 = (String) f.addInterface(f.alice, r, "subnet_id", s2).json().get("port_id");

        fails(400, "BadRequest", cloud.put("/v2.0/routers/" + r + "/remove_router_interface", f.alice, Map.of()));
        fails(400, "SubnetMismatchForPort", cloud.put("/v2.0/routers/" + r + "/remove_router_interface", f.alice,
                Map.of("port_id", p1, "subnet_id", s2)));
        String stray = (String) f.port(f.alice, net).get("id");
        fails(404, "RouterInterfaceNotFound", f.removeInterface(f.alice, r, "port_id", stray));
        assertEquals(204, cloud.delete("/v2.0/ports/" + stray, f.alice).status());
        long before = revision(f.show(f.alice, "routers", "router", r));

        TestCloud.Response bySubnet = f.removeInterface(f.alice, r, "subnet_id", s1);
        assertEquals(200, bySubnet.status(), bySubnet::body);
        assertEquals(p1, bySubnet.json().get("port_id"));
        assertEquals(s1, bySubnet.json().get("subnet_id"));
        fails(404, "PortNotFound", cloud.get("/v2.0/ports/" + p1, f.alice));
        fails(404, "RouterInterfaceNotFoundForSubnet", f.removeInterface(f.alice, r, "subnet_id", s1));

        TestCloud.Response byPort = f.removeInterface(f.alice, r, "port_id", p2);
        assertEquals(200, byPort.status(), byPort::body);
        assertEquals(List.of(s2), byPort.json().get("subnet_ids"));
        fails(404, "PortNotFound", cloud.get("/v2.0/ports/" + p2, f.alice));
        assertEquals(before + 2, revision(f.show(f.alice, "routers", "router", r)));
        assertEquals(204, cloud.delete("/v2.0/subnets/" + s1, f.alice).status(), "the gateway address is free again");
    }

    @Test
    void interfacesKeepTheirRouterSubnetAndNetworkInUse() {
        String net = f.network(f.alice, "inuse-net");
        String subnet = f.subnet(f.alice, net, "10.40.0.0/24");
        String r = f.router(f.alice, "r-inuse");
        String port = (String) f.addInterface(f.alice, r, "subnet_id", subnet).json().get("port_id");

        TestCloud.Response routerInUse = cloud.delete("/v2.0/routers/" + r, f.alice);
        fails(409, "RouterInUse", routerInUse);
        assertTrue(routerInUse.body().contains(port), routerInUse::body);
        fails(409, "ServicePortInUse", cloud.delete("/v2.0/ports/" + port, f.alice));
        f.update(f.alice, "ports", "port", port, Map.of("device_id", "", "device_owner", ""));
        fails(409, "ServicePortInUse", cloud.delete("/v2.0/ports/" + port, f.alice), "still linked to the router");
        fails(409, "SubnetInUse", cloud.delete("/v2.0/subnets/" + subnet, f.alice));
        fails(409, "NetworkInUse", cloud.delete("/v2.0/networks/" + net, f.alice));

        assertEquals(200, f.removeInterface(f.alice, r, "port_id", port).status());
        assertEquals(204, cloud.delete("/v2.0/routers/" + r, f.alice).status());
        assertEquals(204, cloud.delete("/v2.0/networks/" + net, f.alice).status());
    }

    @Test
    @SuppressWarnings("unchecked")
    void routesNeedAConnectedNexthopAndPinTheirInterface() {
        String[] ext = f.externalNetwork("routes-ext", "203.0.113.0/24", "203.0.113.100", "203.0.113.150");
        String net = f.network(f.alice, "routes-net");
        String subnet = f.subnet(f.alice, net, "10.50.0.0/24");
        String r = f.router(f.alice, "r-routes");
        f.addInterface(f.alice, r, "subnet_id", subnet);

        fails(400, "InvalidRoutes", setRoutes(r, route("172.16.0.0/16", "10.99.0.5")));
        fails(400, "InvalidRoutes", setRoutes(r, route("172.16.0.0/16", "10.50.0.1")));
        fails(400, "HTTPBadRequest", setRoutes(r, route("172.16.0.0/16", "10.50.0.5"), route("172.16.0.0/16", "10.50.0.5")));
        fails(400, "HTTPBadRequest", setRoutes(r, route("172.16.0.1/16", "10.50.0.5")));
        fails(400, "HTTPBadRequest", setRoutes(r, Map.of("destination", "172.16.0.0/16")));
        fails(400, "InvalidRoutes", setRoutes(r, route("203.0.113.128/25", "203.0.113.9")), "no gateway yet");

        TestCloud.Response set = setRoutes(r, route("172.16.0.0/16", "10.50.0.5"), route("172.17.0.0/16", "10.50.0.6"));
        Map<String, Object> router = expect(200, "router", set);
        assertEquals(List.of(route("172.16.0.0/16", "10.50.0.5"), route("172.17.0.0/16", "10.50.0.6")), router.get("routes"));
        Map<String, Object> replaced = expect(200, "router", setRoutes(r, route("172.18.0.0/16", "10.50.0.7")));
        assertEquals(List.of(route("172.18.0.0/16", "10.50.0.7")), replaced.get("routes"), "routes on PUT replace the list");

        fails(409, "RouterInterfaceInUseByRoute", f.removeInterface(f.alice, r, "subnet_id", subnet));

        f.setGateway(f.alice, r, ext[0]);
        Map<String, Object> viaGw = expect(200, "router", setRoutes(r, route("0.0.0.0/0", "203.0.113.9")));
        assertEquals(List.of(route("0.0.0.0/0", "203.0.113.9")), viaGw.get("routes"));
        fails(400, "InvalidRoutes", cloud.put("/v2.0/routers/" + r, f.alice, Map.of("router", Map.of("external_gateway_info", Map.of()))),
                "clearing the gateway would strand the route");

        Map<String, Object> cleared = new HashMap<>();
        cleared.put("routes", null);
        assertEquals(List.of(), f.update(f.alice, "routers", "router", r, cleared).get("routes"));
        assertEquals(200, f.removeInterface(f.alice, r, "subnet_id", subnet).status());
    }

    @Test
    void extraRoutesAddAndRemoveAtomically() {
        String net = f.network(f.alice, "atomic-net");
        String subnet = f.subnet(f.alice, net, "10.60.0.0/24");
        String r = f.router(f.alice, "r-atomic");
        f.addInterface(f.alice, r, "subnet_id", subnet);
        long rev = revision(f.show(f.alice, "routers", "router", r));

        Map<String, Object> added = expect(200, "router", cloud.put("/v2.0/routers/" + r + "/add_extraroutes", f.alice,
                Map.of("router", Map.of("routes", List.of(route("172.20.0.0/16", "10.60.0.5"), route("172.21.0.0/16", "10.60.0.5"))))));
        assertEquals(List.of(route("172.20.0.0/16", "10.60.0.5"), route("172.21.0.0/16", "10.60.0.5")), added.get("routes"));
        assertEquals(rev + 1, revision(added));
        Map<String, Object> again = expect(200, "router", cloud.put("/v2.0/routers/" + r + "/add_extraroutes", f.alice,
                Map.of("router", Map.of("routes", List.of(route("172.21.0.0/16", "10.60.0.5"), route("172.22.0.0/16", "10.60.0.6"))))));
        assertEquals(3, ((List<?>) again.get("routes")).size(), "adding a route already there is no error");
        Map<String, Object> removed = expect(200, "router", cloud.put("/v2.0/routers/" + r + "/remove_extraroutes", f.alice,
                Map.of("router", Map.of("routes", List.of(route("172.20.0.0/16", "10.60.0.5"), route("172.99.0.0/16", "10.60.0.9"))))));
        assertEquals(List.of(route("172.21.0.0/16", "10.60.0.5"), route("172.22.0.0/16", "10.60.0.6")), removed.get("routes"));
        fails(400, "InvalidRoutes", cloud.put("/v2.0/routers/" + r + "/add_extraroutes", f.alice,
                Map.of("router", Map.of("routes", List.of(route("172.23.0.0/16", "192.168.255.1"))))));
        fails(400, "HTTPBadRequest", cloud.put("/v2.0/routers/" + r + "/add_extraroutes", f.alice, Map.of("routes", List.of())));
        fails(404, "RouterNotFound", cloud.put("/v2.0/routers/" + r + "/add_extraroutes", f.bob,
                Map.of("router", Map.of("routes", List.of()))));
    }

    @Test
    void projectsSeeOnlyTheirRoutersAndAdminSeesAll() {
        String mine = f.router(f.alice, "r-alice-only");
        String bobs = f.router(f.bob, "r-bob-only");
        List<Object> aliceSees = cloud.get("/v2.0/routers", f.alice).list("routers").stream().map(x -> x.get("id")).toList();
        assertTrue(aliceSees.contains(mine));
        assertFalse(aliceSees.contains(bobs));
        List<Object> adminSees = cloud.get("/v2.0/routers", f.admin).list("routers").stream().map(x -> x.get("id")).toList();
        assertTrue(adminSees.containsAll(List.of(mine, bobs)));
        fails(404, "RouterNotFound", cloud.get("/v2.0/routers/" + bobs, f.alice));
        fails(404, "RouterNotFound", cloud.put("/v2.0/routers/" + bobs, f.alice, Map.of("router", Map.of("name", "x"))));
        fails(404, "RouterNotFound", cloud.delete("/v2.0/routers/" + bobs, f.alice));
        fails(403, "PolicyNotAuthorized", cloud.post("/v2.0/routers", f.alice, Map.of("router", Map.of("name", "x",
                "project_id", f.show(f.admin, "routers", "router", bobs).get("project_id")))));
        assertEquals(f.show(f.admin, "routers", "router", bobs).get("project_id"),
                f.create(f.admin, "routers", "router", Map.of("name", "for-bob",
                        "project_id", f.show(f.admin, "routers", "router", bobs).get("project_id"))).get("project_id"));
        fails(403, "PolicyNotAuthorized", cloud.put("/v2.0/routers/" + mine, f.reader, Map.of("router", Map.of("name", "x"))));
        assertEquals(List.of(Map.of("name", "r-alice-only")),
                cloud.get("/v2.0/routers?name=r-alice-only&fields=name", f.alice).list("routers"));
        fails(400, "HTTPBadRequest", cloud.get("/v2.0/routers?ha=true", f.alice));
    }

    @Test
    void updatesTagsAndRevisions() {
        String r = f.router(f.alice, "r-update");
        Map<String, Object> u = f.update(f.alice, "routers", "router", r, Map.of("name", "renamed", "description", "d",
                "admin_state_up", false));
        assertEquals("renamed", u.get("name"));
        assertEquals("d", u.get("description"));
        assertEquals(false, u.get("admin_state_up"));
        assertEquals(2L, revision(u));
        fails(400, "HTTPBadRequest", cloud.put("/v2.0/routers/" + r, f.alice, Map.of("router", Map.of("status", "DOWN"))));
        fails(412, "RevisionNumberConstraintFailed", cloud.request("PUT", "/v2.0/routers/" + r, f.alice,
                Map.of("router", Map.of("name", "x")), Map.of("If-Match", "revision_number=1")));
        assertEquals(201, cloud.put("/v2.0/routers/" + r + "/tags/blue", f.alice, null).status());
        assertEquals(List.of("blue"), cloud.get("/v2.0/routers/" + r + "/tags", f.alice).json().get("tags"));
        assertEquals(1, cloud.get("/v2.0/routers?tags=blue", f.alice).list("routers").size());
        assertEquals(3L, revision(f.show(f.alice, "routers", "router", r)));
    }

    @Test
    void extensionsListTheL3Aliases() {
        List<Object> aliases = cloud.get("/v2.0/extensions", f.alice).list("extensions").stream().map(e -> e.get("alias")).toList();
        assertTrue(aliases.containsAll(List.of("router", "ext-gw-mode", "extraroute", "extraroute-atomic", "l3-ha", "dvr",
                "fip-port-details")), aliases::toString);
        List<Object> resources = cloud.get("/v2.0", f.alice).list("resources").stream().map(e -> e.get("collection")).toList();
        assertTrue(resources.containsAll(List.of("routers", "floatingips")));
        assertNotEquals(405, cloud.put("/v2.0/routers/x/add_router_interface", f.alice, Map.of("subnet_id", "y")).status());
    }

    private static TestCloud.Response setRoutes(String router, Map<?, ?>... routes) {
        return cloud.put("/v2.0/routers/" + router, f.alice, Map.of("router", Map.of("routes", List.of(routes))));
    }

    private static Map<String, String> route(String destination, String nexthop) {
        return Map.of("destination", destination, "nexthop", nexthop);
    }

    private static Map<String, Object> nullMap(String key) {
        Map<String, Object> m = new HashMap<>();
        m.put(key, null);
        return m;
    }
}
