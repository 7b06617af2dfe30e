package dev.skein.server;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Routers and floating IPs through the real `openstack` CLI against ./skein all-in-one, one step building on the last. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SuppressWarnings("unchecked")
class L3CliIT {
    @RegisterExtension
    static final AllInOne skein = AllInOne.perClass("l3-cli-secret", AllInOne.COMPUTE_ONLY_AGENT);
    private static String publicNet;
    private static String publicSubnet;
    private static String floatingAddress;

    private static Map<String, Object> json(String... args) throws Exception {
        return skein.show(args);
    }

    private static void ok(String... args) throws Exception {
        AllInOne.Result out = skein.cli(args);
        assertEquals(0, out.exit(), () -> "openstack " + String.join(" ", args) + ":\n" + out.out());
    }

    private static void refused(String status, String words, String... args) throws Exception {
        AllInOne.Result out = skein.cli(args);
        assertTrue(!out.ok(), () -> "openstack " + String.join(" ", args) + " should have failed:\n" + out.out());
        assertTrue(out.out().contains(status) && out.out().contains(words), out::out);
    }

    @Test
    @Order(1)
    void externalAndInternalNetworks() throws Exception {
        Map<String, Object> net = json("network", "create", "--external", "public");
        assertEquals(true, net.get("router:external"));
        publicNet = (String) net.get("id");
        Map<String, Object> subnet = json("subnet", "create", "--network", "public", "--subnet-range", "203.0.113.0/24",
                "--no-dhcp", "public-v4");
        publicSubnet = (String) subnet.get("id");
        json("network", "create", "l3-private");
        json("subnet", "create", "--network", "l3-private", "--subnet-range", "10.0.0.0/24", "l3-private-v4");
    }

    @Test
    @Order(2)
    void routerWithGatewayInterfaceAndRoute() throws Exception {
        Map<String, Object> r = json("router", "create", "r1");
        assertEquals("ACTIVE", r.get("status"));
        assertNull(r.get("external_gateway_info"));

        ok("router", "set", "--external-gateway", "public", "r1");
        Map<String, Object> gw = (Map<String, Object>) json("router", "show", "r1").get("external_gateway_info");
        assertEquals(publicNet, gw.get("network_id"));
        assertEquals(true, gw.get("enable_snat"));
        Map<String, Object> extIp = ((List<Map<String, Object>>) gw.get("external_fixed_ips")).get(0);
        assertEquals(publicSubnet, extIp.get("subnet_id"));
        assertTrue(((String) extIp.get("ip_address")).startsWith("203.0.113."), extIp::toString);

        ok("router", "add", "subnet", "r1", "l3-private-v4");
        ok("router", "set", "--route", "destination=172.16.0.0/16,gateway=10.0.0.5", "r1");
        Map<String, Object> shown = json("router", "show", "r1");
        List<Map<String, Object>> interfaces = (List<Map<String, Object>>) shown.get("interfaces_info");
        assertEquals(List.of("10.0.0.1"), interfaces.stream().map(i -> i.get("ip_address")).toList());
        assertEquals(List.of(Map.of("destination", "172.16.0.0/16", "nexthop", "10.0.0.5")), shown.get("routes"));

        refused("400", "the nexthop is not connected with router",
                "router", "set", "--route", "destination=172.17.0.0/16,gateway=192.168.9.9", "r1");
        refused("400", "is not an external network", "router", "set", "--external-gateway", "l3-private", "r1");
        refused("409", "has ports still attached", "router", "delete", "r1");
    }

    @Test
    @Order(3)
    void floatingIpAssociatedAndReleased() throws Exception {
        json("port", "create", "--network", "l3-private", "vm1");
        Map<String, Object> fip = json("floating", "ip", "create", "public");
        floatingAddress = (String) fip.get("floating_ip_address");
        assertTrue(floatingAddress.startsWith("203.0.113."), floatingAddress);
        assertEquals("DOWN", fip.get("status"));

        ok("floating", "ip", "set", "--port", "vm1", floatingAddress);
        Map<String, Object> associated = json("floating", "ip", "show", floatingAddress);
        Map<String, Object> vm = json("port", "show", "vm1");
        assertEquals(vm.get("id"), associated.get("port_id"));
        assertEquals(((List<Map<String, Object>>) vm.get("fixed_ips")).get(0).get("ip_address"), associated.get("fixed_ip_address"));
        assertEquals(json("router", "show", "r1").get("id"), associated.get("router_id"));
        assertEquals("ACTIVE", associated.get("status"));
        refused("409", "required by one or more floating IPs", "router", "remove", "subnet", "r1", "l3-private-v4");
        refused("409", "required by one or more floating IPs", "router", "unset", "--external-gateway", "r1");

        ok("floating", "ip", "unset", "--port", floatingAddress);
        Map<String, Object> released = json("floating", "ip", "show", floatingAddress);
        assertNull(released.get("port_id"));
        assertNull(released.get("router_id"));
        assertEquals("DOWN", released.get("status"));

        ok("floating", "ip", "delete", floatingAddress);
        assertTrue(skein.list("floating", "ip", "list").isEmpty());
        ok("port", "delete", "vm1");
    }

    @Test
    @Order(4)
    void tearDownInNeutronsOrder() throws Exception {
        refused("409", "required by one or more routes", "router", "remove", "subnet", "r1", "l3-private-v4");
        ok("router", "unset", "--route", "destination=172.16.0.0/16,gateway=10.0.0.5", "r1");
        ok("router", "remove", "subnet", "r1", "l3-private-v4");
        ok("router", "unset", "--external-gateway", "r1");
        assertNull(json("router", "show", "r1").get("external_gateway_info"));
        ok("router", "delete", "r1");
        assertTrue(skein.list("router", "list").isEmpty());
        ok("subnet", "delete", "l3-private-v4", "public-v4");
        ok("network", "delete", "l3-private", "public");
    }
}
