package dev.skein.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.skein.server.Caller.attrs;
import static dev.skein.server.Caller.expect;
import static dev.skein.server.Caller.expectError;
import static dev.skein.server.Caller.fixedIps;
import static dev.skein.server.Caller.ipOn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Subnets: IPv4 and IPv6, gateways, allocation pools, DNS servers, host routes, IPv6 modes and SLAAC addresses. */
class SubnetApiTest {
    @RegisterExtension
    static final ClassScoped<TestCloud> CLOUD = new ClassScoped<>(new TestCloud(Caller.tenants()));
    private static final TestCloud cloud = CLOUD.resource();
    private static final Caller alice = Caller.user(cloud, "alice", "alpha");

    private static String newNetwork() { return (String) alice.network("net").get("id"); }

    private static Map<String, Object> v4(String net, String cidr, Object... more) {
        Map<String, Object> a = attrs("network_id", net, "ip_version", 4, "cidr", cidr);
        a.putAll(attrs(more));
        return a;
    }

    private static Map<String, Object> v6(String net, String cidr, Object... more) {
        Map<String, Object> a = attrs("network_id", net, "ip_version", 6, "cidr", cidr);
        a.putAll(attrs(more));
        return a;
    }

    private static Map<String, Object> pool(String start, String end) { return Map.of("start", start, "end", end); }

    /** The modified EUI-64 address (RFC 4291) of a MAC in a /64, computed here independently of the server. */
    static String eui64(String prefix, String mac) throws UnknownHostException {
        byte[] a = InetAddress.getByName(prefix).getAddress();
        int[] m = Arrays.stream(mac.split(":")).mapToInt(h -> Integer.parseInt(h, 16)).toArray();
        int[] iid = {m[0] ^ 0x02, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]};
        for (int i = 0; i < 8; i++) a[8 + i] = (byte) iid[i];
        return InetAddress.getByAddress(a).getHostAddress();
    }

    static void assertSameIp(String expected, String actual) throws UnknownHostException {
        assertArrayEquals(InetAddress.getByName(expected).getAddress(), InetAddress.getByName(actual).getAddress(),
                expected + " vs " + actual);
    }

    @Test
    void ipv4Defaults() {
        String net = newNetwork();
        Map<String, Object> s = alice.create("subnets", v4(net, "10.1.0.0/24"));
        assertEquals(4, s.get("ip_version"));
        assertEquals("10.1.0.0/24", s.get("cidr"));
        assertEquals("10.1.0.1", s.get("gateway_ip"), "the first host is the default gateway");
        assertEquals(List.of(pool("10.1.0.2", "10.1.0.254")), s.get("allocation_pools"));
        assertEquals(true, s.get("enable_dhcp"));
        assertEquals(List.of(), s.get("dns_nameservers"));
        assertEquals(List.of(), s.get("host_routes"));
        assertNull(s.get("ipv6_ra_mode"));
        assertNull(s.get("ipv6_address_mode"));
        assertEquals(net, s.get("network_id"));
        assertEquals(1, s.get("revision_number"));
        assertEquals(List.of(s.get("id")), alice.show("networks", net).get("subnets"));
        assertEquals(s, alice.show("subnets", (String) s.get("id")));
    }

    @Test
    void ipv6Defaults() {
        Map<String, Object> s = alice.create("subnets", v6(newNetwork(), "2001:db8:2::/64"));
        assertEquals(6, s.get("ip_version"));
        assertEquals("2001:db8:2::/64", s.get("cidr"));
        assertEquals("2001:db8:2::1", s.get("gateway_ip"));
        assertEquals(List.of(pool("2001:db8:2::2", "2001:db8:2:0:ffff:ffff:ffff:ffff")), s.get("allocation_pools"));
        assertNull(s.get("ipv6_address_mode"));
    }

    @Test
    void invalidCidrsAre400() {
        String net = newNetwork();
        for (Map<String, Object> b : List.of(v4(net, "banana"), v4(net, "10.0.0.0/33"), v4(net, "10.0.0.1/24"),
                v4(net, "10.0.0.0"), v4(net, "2001:db8::/64"), v6(net, "10.0.0.0/24"), v4(net, "10.0.0.0/32"),
                attrs("network_id", net, "ip_version", 5, "cidr", "10.0.0.0/24"), attrs("network_id", net, "cidr", "10.0.0.0/24"),
                attrs("network_id", net, "ip_version", 4), attrs("ip_version", 4, "cidr", "10.0.0.0/24"))) {
            expect(400, alice.tryCreate("subnets", b));
        }
        expectError(404, "NetworkNotFound", alice.tryCreate("subnets", v4("9d1a6b1e-0000-4000-8000-000000000000", "10.0.0.0/24")));
        assertEquals(List.of(), alice.show("networks", net).get("subnets"), "no failed create left a subnet");
    }

    @Test
    void gatewayMayBeChosenOrLeftOut() {
        Map<String, Object> none = alice.create("subnets", v4(newNetwork(), "10.3.0.0/24", "gateway_ip", null));
        assertNull(none.get("gateway_ip"));
        assertEquals(List.of(pool("10.3.0.1", "10.3.0.254")), none.get("allocation_pools"));

        Map<String, Object> last = alice.create("subnets", v4(newNetwork(), "10.4.0.0/24", "gateway_ip", "10.4.0.254"));
        assertEquals("10.4.0.254", last.get("gateway_ip"));
        assertEquals(List.of(pool("10.4.0.1", "10.4.0.253")), last.get("allocation_pools"));

        String net = newNetwork();
        for (String gw : List.of("10.5.1.1", "10.5.0.0", "10.5.0.255", "not-an-ip", "2001:db8::1")) {
            expect(400, alice.tryCreate("subnets", v4(net, "10.5.0.0/24", "gateway_ip", gw)));
        }
    }

    @Test
    void allocationPoolsAreChecked() {
        String net = newNetwork();
        Map<String, Object> s = alice.create("subnets", v4(net, "10.6.0.0/24",
                "allocation_pools", List.of(pool("10.6.0.100", "10.6.0.110"), pool("10.6.0.10", "10.6.0.20"))));
        assertEquals(List.of(pool("10.6.0.10", "10.6.0.20"), pool("10.6.0.100", "10.6.0.110")), s.get("allocation_pools"));

        String other = newNetwork();
        expectError(400, "OutOfBoundsAllocationPool", alice.tryCreate("subnets", v4(other, "10.7.0.0/24",
                "allocation_pools", List.of(pool("10.7.0.10", "10.7.1.10")))));
        expectError(400, "OutOfBoundsAllocationPool", alice.tryCreate("subnets", v4(other, "10.7.0.0/24",
                "allocation_pools", List.of(pool("10.7.0.200", "10.7.0.255")))));
        // neutron-lib: OverlappingAllocationPools is a Conflict, GatewayConflictWithAllocationPools an InUse (409 both).
        expectError(409, "OverlappingAllocationPools", alice.tryCreate("subnets", v4(other, "10.7.0.0/24",
                "allocation_pools", List.of(pool("10.7.0.10", "10.7.0.50"), pool("10.7.0.50", "10.7.0.60")))));
        expectError(409, "GatewayConflictWithAllocationPools", alice.tryCreate("subnets", v4(other, "10.7.0.0/24",
                "gateway_ip", "10.7.0.30", "allocation_pools", List.of(pool("10.7.0.10", "10.7.0.50")))));
        expectError(409, "GatewayConflictWithAllocationPools", alice.tryCreate("subnets", v4(other, "10.7.0.0/24",
                "allocation_pools", List.of(pool("10.7.0.1", "10.7.0.50")))));
        expectError(400, "InvalidAllocationPool", alice.tryCreate("subnets", v4(other, "10.7.0.0/24",
                "allocation_pools", List.of(pool("10.7.0.50", "10.7.0.10")))));
        expect(400, alice.tryCreate("subnets", v4(other, "10.7.0.0/24", "allocation_pools", List.of(pool("2001:db8::5", "2001:db8::9")))));
        expect(400, alice.tryCreate("subnets", v4(other, "10.7.0.0/24", "allocation_pools", List.of(Map.of("start", "10.7.0.5")))));
        assertEquals(List.of(), alice.show("networks", other).get("subnets"));

        // A pool update is checked the same way, and a good one replaces the pools.
        String id = (String) s.get("id");
        expectError(409, "GatewayConflictWithAllocationPools", alice.tryUpdate("subnets", id,
                attrs("allocation_pools", List.of(pool("10.6.0.1", "10.6.0.9")))));
        assertEquals(List.of(pool("10.6.0.30", "10.6.0.40")),
                alice.update("subnets", id, attrs("allocation_pools", List.of(pool("10.6.0.30", "10.6.0.40")))).get("allocation_pools"));
    }

    @Test
    void poolListsTooLargeToStoreAre400() {
        String net = newNetwork();
        List<Map<String, Object>> pools = new ArrayList<>();
        for (int i = 0; i < 2000; i++) pools.add(pool("10.15." + i / 200 + "." + (i % 200 + 2), "10.15." + i / 200 + "." + (i % 200 + 2)));
        expectError(400, "InvalidInput", alice.tryCreate("subnets", v4(net, "10.15.0.0/16", "allocation_pools", pools)));
        assertEquals(List.of(), alice.show("networks", net).get("subnets"));
    }

    @Test
    void dnsNameserversHostRoutesAndDhcp() {
        String net = newNetwork();
        List<Map<String, Object>> routes = List.of(Map.of("destination", "192.168.0.0/16", "nexthop", "10.8.0.254"));
        Map<String, Object> s = alice.create("subnets", v4(net, "10.8.0.0/24", "dns_nameservers", List.of("10.8.0.53", "192.0.2.53"),
                "host_routes", routes, "enable_dhcp", false));
        assertEquals(List.of("10.8.0.53", "192.0.2.53"), s.get("dns_nameservers"), "order is kept");
        assertEquals(routes, s.get("host_routes"));
        assertEquals(false, s.get("enable_dhcp"));

        String id = (String) s.get("id");
        Map<String, Object> u = alice.update("subnets", id, attrs("dns_nameservers", List.of(), "host_routes", List.of(), "enable_dhcp", true));
        assertEquals(List.of(), u.get("dns_nameservers"));
        assertEquals(List.of(), u.get("host_routes"));
        assertEquals(true, u.get("enable_dhcp"));
        assertEquals(2, u.get("revision_number"));

        for (Map<String, Object> bad : List.of(attrs("dns_nameservers", List.of("dns.example")),
                attrs("dns_nameservers", List.of("1.1.1.1", "1.1.1.1")),
                attrs("dns_nameservers", List.of("1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4", "1.1.1.5", "1.1.1.6")),
                attrs("host_routes", List.of(Map.of("destination", "192.168.0.0/16"))),
                attrs("host_routes", List.of(Map.of("destination", "192.168.0.1/16", "nexthop", "10.8.0.1"))),
                attrs("host_routes", List.of(Map.of("destination", "2001:db8::/64", "nexthop", "10.8.0.1"))),
                attrs("enable_dhcp", "sometimes"), attrs("cidr", "10.9.0.0/24"), attrs("ip_version", 6))) {
            expect(400, alice.tryUpdate("subnets", id, bad));
        }
        assertEquals(2, alice.show("subnets", id).get("revision_number"), "refused updates change nothing");
    }

    @Test
    void ipv6ModesAreValidated() {
        String net = newNetwork();
        Map<String, Object> slaac = alice.create("subnets", v6(net, "2001:db8:10::/64", "ipv6_ra_mode", "slaac", "ipv6_address_mode", "slaac"));
        assertEquals("slaac", slaac.get("ipv6_ra_mode"));
        assertEquals("slaac", slaac.get("ipv6_address_mode"));
        Map<String, Object> stateful = alice.create("subnets", v6(net, "2001:db8:11::/64",
                "ipv6_ra_mode", "dhcpv6-stateful", "ipv6_address_mode", "dhcpv6-stateful"));
        assertEquals("dhcpv6-stateful", stateful.get("ipv6_address_mode"));
        Map<String, Object> stateless = alice.create("subnets", v6(net, "2001:db8:12::/64", "ipv6_address_mode", "dhcpv6-stateless"));
        assertNull(stateless.get("ipv6_ra_mode"));

        for (Map<String, Object> bad : List.of(
                v6(net, "2001:db8:20::/64", "ipv6_ra_mode", "dhcpv6-stateful", "ipv6_address_mode", "slaac"),
                v6(net, "2001:db8:21::/64", "ipv6_address_mode", "magic"),
                v6(net, "2001:db8:22::/80", "ipv6_address_mode", "slaac"),
                v4(net, "10.10.0.0/24", "ipv6_address_mode", "slaac"),
                v4(net, "10.11.0.0/24", "ipv6_ra_mode", "slaac"))) {
            expect(400, alice.tryCreate("subnets", bad));
        }
        expect(400, alice.tryUpdate("subnets", (String) slaac.get("id"), attrs("ipv6_address_mode", "dhcpv6-stateful")));
    }

    @Test
    void slaacSubnetsGiveEachPortItsEui64Address() throws UnknownHostException {
        String net = newNetwork();
        String v4 = (String) alice.create("subnets", v4(net, "10.12.0.0/24")).get("id");
        String v6 = (String) alice.create("subnets", v6(net, "2001:db8:30::/64", "ipv6_ra_mode", "slaac", "ipv6_address_mode", "slaac")).get("id");

        Map<String, Object> p = alice.port(net);
        assertEquals(2, fixedIps(p).size(), p::toString);
        assertTrue(ipOn(p, v4).startsWith("10.12.0."), p::toString);
        assertSameIp(eui64("2001:db8:30::", (String) p.get("mac_address")), ipOn(p, v6));

        Map<String, Object> chosenMac = alice.create("ports", attrs("network_id", net, "mac_address", "fa:16:3e:12:34:56"));
        assertSameIp("2001:db8:30::f816:3eff:fe12:3456", ipOn(chosenMac, v6));

        // Explicit fixed_ips on the IPv4 subnet still get the SLAAC address; a chosen SLAAC address is refused.
        Map<String, Object> explicit = alice.create("ports", attrs("network_id", net, "fixed_ips", List.of(Map.of("subnet_id", v4))));
        assertSameIp(eui64("2001:db8:30::", (String) explicit.get("mac_address")), ipOn(explicit, v6));
        expect(400, alice.tryCreate("ports", attrs("network_id", net, "fixed_ips",
                List.of(Map.of("subnet_id", v6, "ip_address", "2001:db8:30::99")))));

        // The address follows the MAC.
        Map<String, Object> moved = alice.update("ports", (String) chosenMac.get("id"), attrs("mac_address", "fa:16:3e:65:43:21"));
        assertSameIp("2001:db8:30::f816:3eff:fe65:4321", ipOn(moved, v6));
        assertEquals(ipOn(chosenMac, v4), ipOn(moved, v4), "the IPv4 address stays");
        assertSameIp("2001:db8:30::f816:3eff:fe65:4321", ipOn(alice.show("ports", (String) moved.get("id")), v6));
    }

    @Test
    void routerAdvertisedSlaacAloneMakesAddressesEui64() throws UnknownHostException {
        String net = newNetwork();
        String v6 = (String) alice.create("subnets", v6(net, "2001:db8:31::/64", "ipv6_ra_mode", "slaac")).get("id");
        Map<String, Object> p = alice.port(net);
        assertSameIp(eui64("2001:db8:31::", (String) p.get("mac_address")), ipOn(p, v6));
    }

    @Test
    void cidrsMayNotOverlapOnOneNetwork() {
        String net = newNetwork();
        alice.create("subnets", v4(net, "10.13.0.0/16"));
        expect(400, alice.tryCreate("subnets", v4(net, "10.13.5.0/24")));
        expect(400, alice.tryCreate("subnets", v4(net, "10.0.0.0/8")));
        alice.create("subnets", v4(newNetwork(), "10.13.5.0/24"));
    }

    @Test
    void gatewayUpdatesAndDeletion() {
        String net = newNetwork();
        Map<String, Object> s = alice.create("subnets", v4(net, "10.14.0.0/24"));
        String id = (String) s.get("id");
        Map<String, Object> port = alice.port(net);
        String used = ipOn(port, id);
        expectError(409, "GatewayIpInUse", alice.tryUpdate("subnets", id, attrs("gateway_ip", used)));
        assertNull(alice.update("subnets", id, attrs("gateway_ip", null)).get("gateway_ip"));

        expectError(409, "SubnetInUse", alice.tryDelete("subnets", id));
        alice.delete("ports", (String) port.get("id"));
        alice.delete("subnets", id);
        expectError(404, "SubnetNotFound", alice.tryShow("subnets", id));
        assertFalse(((List<?>) alice.show("networks", net).get("subnets")).contains(id));
    }
}
