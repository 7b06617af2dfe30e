package dev.skein.server;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conformance with the real `openstack` CLI (Debian python3-openstackclient) against Skein started the way an
 * operator starts it: the repository's ./skein all-in-one launcher, a fresh data directory, SIGTERM to stop.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliConformanceIT {
    @RegisterExtension
    static final AllInOne skein = AllInOne.perClass("cli-test-secret", AllInOne.COMPUTE_ONLY_AGENT);

    private static AllInOne.Result cli(String... args) throws Exception {
        return skein.cli(args);
    }

    private static Map<String, Object> ok(String... args) throws Exception {
        return skein.show(args);
    }

    private static List<Map<String, Object>> okList(String... args) throws Exception {
        return skein.list(args);
    }

    @Test
    @Order(1)
    void networksSubnetsAndPorts() throws Exception {
        Map<String, Object> net = ok("network", "create", "--tag", "cli", "cli-net");
        assertEquals("cli-net", net.get("name"));
        assertEquals(1450, net.get("mtu"));
        assertEquals("vxlan", net.get("provider:network_type"));
        assertEquals(List.of("cli"), net.get("tags"));

        Map<String, Object> v4 = ok("subnet", "create", "--network", "cli-net", "--subnet-range", "192.0.2.0/24",
                "--dns-nameserver", "192.0.2.53", "--allocation-pool", "start=192.0.2.10,end=192.0.2.20", "cli-v4");
        assertEquals("192.0.2.1", v4.get("gateway_ip"));
        assertEquals(List.of(Map.of("start", "192.0.2.10", "end", "192.0.2.20")), v4.get("allocation_pools"));

        Map<String, Object> v6 = ok("subnet", "create", "--network", "cli-net", "--ip-version", "6",
                "--ipv6-ra-mode", "slaac", "--ipv6-address-mode", "slaac", "--subnet-range", "2001:db8:1::/64", "cli-v6");
        assertEquals(6, v6.get("ip_version"));
        assertEquals("slaac", v6.get("ipv6_address_mode"));

        Map<String, Object> fixed = ok("port", "create", "--network", "cli-net",
                "--fixed-ip", "subnet=cli-v4,ip-address=192.0.2.15", "--tag", "web", "cli-port1");
        List<?> ips = (List<?>) fixed.get("fixed_ips");
        assertTrue(ips.contains(Map.of("subnet_id", v4.get("id"), "ip_address", "192.0.2.15")), ips::toString);
        assertEquals(2, ips.size(), "a v4 address and the SLAAC address: " + ips);
        assertEquals("DOWN", fixed.get("status"));

        Map<String, Object> auto = ok("port", "create", "--network", "cli-net", "cli-port2");
        String autoIp = ((List<Map<String, String>>) auto.get("fixed_ips")).stream()
                .filter(f -> f.get("subnet_id").equals(v4.get("id"))).findFirst().orElseThrow().get("ip_address");
        int last = Integer.parseInt(autoIp.substring(autoIp.lastIndexOf('.') + 1));
        assertTrue(last >= 10 && last <= 20 && last != 15, "auto address inside the pool and not taken: " + autoIp);
        assertNotEquals(fixed.get("mac_address"), auto.get("mac_address"));
    }

    @Test
    @Order(2)
    void tagsAndFilters() throws Exception {
        List<Map<String, Object>> byTag = okList("network", "list", "--tags", "cli");
        assertEquals(List.of("cli-net"), byTag.stream().map(n -> n.get("Name")).toList());
        assertTrue(okList("network", "list", "--tags", "no-such-tag").isEmpty());

        List<Map<String, Object>> byIp = okList("port", "list", "--fixed-ip", "ip-address=192.0.2.15");
        assertEquals(List.of("cli-port1"), byIp.stream().map(p -> p.get("Name")).toList());
        List<Map<String, Object>> onNet = okList("port", "list", "--network", "cli-net");
        assertEquals(2, onNet.size());

        assertEquals(0, cli("network", "set", "--tag", "red", "cli-net").exit());
        assertEquals(List.of("cli", "red"), ((List<?>) ok("network", "show", "cli-net").get("tags")).stream().sorted().toList());
        assertEquals(0, cli("network", "unset", "--tag", "cli", "cli-net").exit());
        assertEquals(List.of("red"), ok("network", "show", "cli-net").get("tags"));
    }

    @Test
    @Order(3)
    void errorsNameTheProblem() throws Exception {
        AllInOne.Result taken = cli("port", "create", "--network", "cli-net", "--fixed-ip", "subnet=cli-v4,ip-address=192.0.2.15", "dup");
        assertNotEquals(0, taken.exit());
        assertTrue(taken.out().contains("409") && taken.out().contains("192.0.2.15 already allocated"), taken.out());

        AllInOne.Result overlap = cli("subnet", "create", "--network", "cli-net", "--subnet-range", "192.0.2.128/25", "overlap");
        assertNotEquals(0, overlap.exit());
        assertTrue(overlap.out().contains("400") && overlap.out().contains("overlaps with another subnet"), overlap.out());

        AllInOne.Result inUse = cli("network", "delete", "cli-net");
        assertNotEquals(0, inUse.exit());
        assertTrue(inUse.out().contains("409") && inUse.out().contains("ports still in use"), inUse.out());

        assertFalse(okList("port", "list", "--name", "dup").stream().findAny().isPresent(), "the failed create left nothing");
    }

    @Test
    @Order(4)
    void restartKeepsEverythingAndSigtermStopsCleanly() throws Exception {
        assertTrue(skein.stop(), "skein did not stop within 30 s of SIGTERM");
        assertTrue(skein.log().contains("Shutting down"), "no clean shutdown in the log");
        skein.launch();
        assertEquals(List.of("red"), ok("network", "show", "cli-net").get("tags"));
        assertEquals(2, okList("port", "list", "--network", "cli-net").size());

        assertEquals(0, cli("port", "delete", "cli-port1", "cli-port2").exit());
        assertEquals(0, cli("subnet", "delete", "cli-v4", "cli-v6").exit());
        assertEquals(0, cli("network", "delete", "cli-net").exit());
        assertTrue(okList("network", "list").isEmpty());
    }
}
