package dev.skein.ipam;

import dev.skein.error.NeutronException;
import dev.skein.ipam.IpAddresses.Ip;
import dev.skein.ipam.IpAddresses.Prefix;
import dev.skein.model.AllocationPool;
import dev.skein.model.HostRoute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.skein.error.NeutronErrors.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubnetPlannerTest {

    private static final Prefix NET4 = SubnetPlanner.cidr("10.0.0.0/24", 4);
    private static final Prefix NET6 = SubnetPlanner.cidr("2001:db8::/64", 6);

    private static BigInteger ip(String text) { return IpAddresses.parse(text).value(); }

    private static Range range(String first, String last) { return new Range(ip(first), ip(last)); }

    private static Map<String, Object> pool(String start, String end) { return Map.of("start", start, "end", end); }

    @Test
    void acceptsANetworkAddress() {
        Prefix p = SubnetPlanner.cidr("192.168.10.0/23", 4);
        assertEquals("192.168.10.0/23", p.canonical());
        assertEquals("2001:db8:1::/48", SubnetPlanner.cidr("2001:DB8:1::/48", 6).canonical());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0", "10.0.0.0/33", "garbage", "10.0.0.0/24 junk", ""})
    void cidrThatIsNoSubnet(String text) {
        NeutronException e = expect(400, "HTTPBadRequest", () -> SubnetPlanner.cidr(text, 4));
        assertEquals("Invalid input for cidr. Reason: '" + text + "' is not a valid IP subnet", e.getMessage());
    }

    @Test
    void cidrWithHostBitsNamesTheNetworkItShouldBe() {
        NeutronException e = expect(400, "HTTPBadRequest", () -> SubnetPlanner.cidr("10.0.0.5/24", 4));
        assertEquals("Invalid input for cidr. Reason: '10.0.0.5/24' isn't a recommended CIDR, it should be '10.0.0.0/24'",
                e.getMessage());
        expect(400, "HTTPBadRequest", () -> SubnetPlanner.cidr("2001:db8::1/64", 6));
    }

    @Test
    void cidrOfTheOtherFamily() {
        NeutronException e = expect(400, "InvalidInput", () -> SubnetPlanner.cidr("10.0.0.0/24", 6));
        assertTrue(e.getMessage().startsWith("Invalid input for operation: "), e.getMessage());
        expect(400, "InvalidInput", () -> SubnetPlanner.cidr("2001:db8::/64", 4));
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.1/32,4", "0.0.0.0/0,4", "2001:db8::1/128,6", "::/0,6"})
    void cidrWithoutUsableAddresses(String text, int version) {
        expect(400, "InvalidInput", () -> SubnetPlanner.cidr(text, version));
    }

    @Test
    void ipv4HostsExcludeNetworkAndBroadcast() {
        assertEquals(range("10.0.0.1", "10.0.0.254"), SubnetPlanner.hostRange(NET4));
    }

    @Test
    void ipv4PointToPointHasBothAddresses() {
        assertEquals(range("10.0.0.0", "10.0.0.1"), SubnetPlanner.hostRange(SubnetPlanner.cidr("10.0.0.0/31", 4)));
    }

    @Test
    void ipv6HostsExcludeOnlyTheSubnetRouterAnycast() {
        assertEquals(range("2001:db8::1", "2001:db8::ffff:ffff:ffff:ffff"), SubnetPlanner.hostRange(NET6));
    }

    @Test
    void defaultGatewayIsTheFirstHost() {
        assertEquals(IpAddresses.parse("10.0.0.1"), SubnetPlanner.defaultGateway(NET4));
        assertEquals(IpAddresses.parse("172.16.0.1"), SubnetPlanner.defaultGateway(SubnetPlanner.cidr("172.16.0.0/12", 4)));
        assertEquals(IpAddresses.parse("2001:db8::1"), SubnetPlanner.defaultGateway(NET6));
    }

    @Test
    void gatewayAnywhereInTheHostRange() {
        assertEquals(IpAddresses.parse("10.0.0.254"), SubnetPlanner.gateway("10.0.0.254", NET4));
        assertEquals(IpAddresses.parse("10.0.0.1"), SubnetPlanner.gateway(" 10.0.0.1", NET4));
        assertEquals(IpAddresses.parse("2001:db8::ffff:ffff:ffff:ffff"),
                SubnetPlanner.gateway("2001:db8::ffff:ffff:ffff:ffff", NET6));
    }

    @Test
    void gatewayThatIsNoAddress() {
        NeutronException e = expect(400, "HTTPBadRequest", () -> SubnetPlanner.gateway("10.0.0.x", NET4));
        assertEquals("Invalid input for gateway_ip. Reason: '10.0.0.x' is not a valid IP address", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0", "10.0.0.255", "2001:db8::1", "::a00:1"})
    void gatewayThatIsNotAHostOfAnIpv4Subnet(String gw) {
        NeutronException e = expect(400, "InvalidInput", () -> SubnetPlanner.gateway(gw, NET4));
        assertTrue(e.getMessage().contains("Gateway is not valid on subnet"), e.getMessage());
    }

    @Test
    void ipv6GatewayMayNotBeTheSubnetRouterAnycastOrIpv4() {
        expect(400, "InvalidInput", () -> SubnetPlanner.gateway("2001:db8::", NET6));
        // 0.0.0.1 is numerically inside the host range of ::/64, but of the wrong family.
        expect(400, "InvalidInput", () -> SubnetPlanner.gateway("0.0.0.1", SubnetPlanner.cidr("::/64", 6)));
    }

    @Test
    void withoutGatewayThePoolIsTheWholeHostRange() {
        assertEquals(List.of(range("10.0.0.1", "10.0.0.254")), SubnetPlanner.defaultPools(NET4, null));
    }

    @Test
    void defaultGatewayIsCutFromTheFront() {
        assertEquals(List.of(range("10.0.0.2", "10.0.0.254")), SubnetPlanner.defaultPools(NET4, IpAddresses.parse("10.0.0.1")));
    }

    @Test
    void gatewayInTheMiddleSplitsThePool() {
        assertEquals(List.of(range("10.0.0.1", "10.0.0.99"), range("10.0.0.101", "10.0.0.254")),
                SubnetPlanner.defaultPools(NET4, IpAddresses.parse("10.0.0.100")));
    }

    @Test
    void gatewayAtTheEndIsCutFromTheBack() {
        assertEquals(List.of(range("10.0.0.1", "10.0.0.253")), SubnetPlanner.defaultPools(NET4, IpAddresses.parse("10.0.0.254")));
    }

    @Test
    void ipv6DefaultPoolRunsToTheLastAddress() {
        assertEquals(List.of(range("2001:db8::2", "2001:db8::ffff:ffff:ffff:ffff")),
                SubnetPlanner.defaultPools(NET6, SubnetPlanner.defaultGateway(NET6)));
    }

    @Test
    void defaultPoolsAreInsideTheCidrDisjointAndFreeOfTheGateway() {
        List<String> cidrs = List.of("10.0.0.0/8", "192.168.1.0/24", "192.168.1.0/30", "192.168.1.0/29",
                "2001:db8::/64", "2001:db8::/120", "2001:db8::/126", "fd00::/8");
        for (String text : cidrs) {
            Prefix p = IpAddresses.parsePrefix(text);
            Range host = SubnetPlanner.hostRange(p);
            List<Ip> gateways = new ArrayList<>();
            gateways.add(null);
            gateways.add(new Ip(p.version(), host.first()));
            gateways.add(new Ip(p.version(), host.last()));
            gateways.add(new Ip(p.version(), host.first().add(host.last()).shiftRight(1)));
            for (Ip gw : gateways) {
                List<Range> pools = SubnetPlanner.defaultPools(p, gw);
                BigInteger total = BigInteger.ZERO;
                for (int i = 0; i < pools.size(); i++) {
                    Range r = pools.get(i);
                    assertTrue(r.first().compareTo(p.network()) > 0 && r.last().compareTo(p.broadcast()) <= 0, text + " " + r);
                    if (p.version() == 4) assertTrue(r.last().compareTo(p.broadcast()) < 0, text + " includes broadcast");
                    if (gw != null) assertFalse(r.contains(gw.value()), text + " pool " + r + " holds gateway " + gw.text());
                    if (i > 0) assertTrue(pools.get(i - 1).last().compareTo(r.first()) < 0, text + " pools overlap or unsorted");
                    total = total.add(r.size());
                }
                BigInteger expected = gw == null ? host.size() : host.size().subtract(BigInteger.ONE);
                assertEquals(expected, total, text + " with gateway " + gw + " must offer every other host address");
                // The pools must also pass the validation explicit pools get.
                List<Map<String, Object>> raw = new ArrayList<>();
                for (AllocationPool ap : SubnetPlanner.toModel(p.version(), pools)) raw.add(pool(ap.start(), ap.end()));
                assertEquals(pools, SubnetPlanner.pools(raw, p, gw));
            }
        }
    }

    @Test
    void explicitPoolsComeBackSortedByStart() {
        List<Range> pools = SubnetPlanner.pools(List.of(pool("10.0.0.100", "10.0.0.200"), pool("10.0.0.2", "10.0.0.50")),
                NET4, IpAddresses.parse("10.0.0.1"));
        assertEquals(List.of(range("10.0.0.2", "10.0.0.50"), range("10.0.0.100", "10.0.0.200")), pools);
    }

    @Test
    void poolsMayTouchWithoutSharingAnAddress() {
        assertEquals(2, SubnetPlanner.pools(List.of(pool("10.0.0.10", "10.0.0.19"), pool("10.0.0.20", "10.0.0.29")),
                NET4, null).size());
    }

    @Test
    void singleAddressPool() {
        assertEquals(List.of(range("10.0.0.7", "10.0.0.7")), SubnetPlanner.pools(List.of(pool("10.0.0.7", "10.0.0.7")), NET4, null));
    }

    @Test
    void poolsSharingAnAddressOverlap() {
        NeutronException e = expect(409, "OverlappingAllocationPools", () -> SubnetPlanner.pools(
                List.of(pool("10.0.0.20", "10.0.0.40"), pool("10.0.0.10", "10.0.0.20")), NET4, null));
        assertEquals("Found overlapping allocation pools: 10.0.0.10-10.0.0.20 10.0.0.20-10.0.0.40 for subnet 10.0.0.0/24.",
                e.getMessage());
    }

    @Test
    void overlapIsFoundAmongManyPools() {
        List<Map<String, Object>> raw = new ArrayList<>(List.of(pool("10.0.0.2", "10.0.0.9"), pool("10.0.0.30", "10.0.0.39"),
                pool("10.0.0.100", "10.0.0.200"), pool("10.0.0.50", "10.0.0.59"), pool("10.0.0.150", "10.0.0.151")));
        Collections.shuffle(raw, new Random(11));
        expect(409, "OverlappingAllocationPools", () -> SubnetPlanner.pools(raw, NET4, null));
    }

    @Test
    void poolHoldingTheGatewayConflicts() {
        NeutronException e = expect(409, "GatewayConflictWithAllocationPools", () -> SubnetPlanner.pools(
                List.of(pool("10.0.0.1", "10.0.0.10")), NET4, IpAddresses.parse("10.0.0.5")));
        assertEquals("Gateway ip 10.0.0.5 conflicts with allocation pool 10.0.0.1-10.0.0.10", e.getMessage());
    }

    @Test
    void withoutGatewayAPoolMayStartAtTheFirstHost() {
        assertEquals(List.of(range("10.0.0.1", "10.0.0.254")),
                SubnetPlanner.pools(List.of(pool("10.0.0.1", "10.0.0.254")), NET4, null));
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.0,10.0.0.10", "10.0.0.200,10.0.0.255", "10.0.1.1,10.0.1.9", "9.255.255.250,10.0.0.5",
            "::a00:2,::a00:5"})
    void poolOutsideTheHostRange(String start, String end) {
        NeutronException e = expect(400, "OutOfBoundsAllocationPool",
                () -> SubnetPlanner.pools(List.of(pool(start, end)), NET4, null));
        assertTrue(e.getMessage().endsWith("spans beyond the subnet cidr 10.0.0.0/24."), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.20,10.0.0.10", "10.0.0.x,10.0.0.10", "10.0.0.2,2001:db8::1", "10.0.0.0/30,10.0.0.9"})
    void poolThatIsNoRange(String start, String end) {
        NeutronException e = expect(400, "InvalidAllocationPool",
                () -> SubnetPlanner.pools(List.of(pool(start, end)), NET4, null));
        assertEquals("The allocation pool {'start': '" + start + "', 'end': '" + end + "'} is not valid.", e.getMessage());
    }

    @Test
    void poolWithMissingOrExtraKeysOrWrongTypes() {
        Map<String, Object> extra = new HashMap<>(pool("10.0.0.2", "10.0.0.9"));
        extra.put("size", 8);
        Map<String, Object> number = new HashMap<>();
        number.put("start", "10.0.0.2");
        number.put("end", 9);
        for (Map<String, Object> bad : List.of(extra, Map.<String, Object>of("start", "10.0.0.2"), number)) {
            NeutronException e = expect(400, "HTTPBadRequest", () -> SubnetPlanner.pools(List.of(bad), NET4, null));
            assertTrue(e.getMessage().startsWith("Invalid input for allocation_pools. Reason: Invalid data format for IP pool"),
                    e.getMessage());
        }
    }

    @Test
    void ipv6Pools() {
        Ip gw = SubnetPlanner.defaultGateway(NET6);
        List<Range> pools = SubnetPlanner.pools(List.of(pool("2001:db8::ffff:0:0", "2001:db8::ffff:ffff:ffff:ffff"),
                pool("2001:db8::10", "2001:db8::1f")), NET6, gw);
        assertEquals(List.of(range("2001:db8::10", "2001:db8::1f"), range("2001:db8::ffff:0:0", "2001:db8::ffff:ffff:ffff:ffff")),
                pools);
        assertEquals(List.of(new AllocationPool("2001:db8::10", "2001:db8::1f"),
                new AllocationPool("2001:db8::ffff:0:0", "2001:db8::ffff:ffff:ffff:ffff")), SubnetPlanner.toModel(6, pools));
    }

    @Test
    void ipv6PoolErrors() {
        Ip gw = SubnetPlanner.defaultGateway(NET6);
        expect(400, "OutOfBoundsAllocationPool", () -> SubnetPlanner.pools(List.of(pool("2001:db8::", "2001:db8::9")), NET6, null));
        expect(400, "OutOfBoundsAllocationPool", () -> SubnetPlanner.pools(List.of(pool("2001:db8::2", "2001:db8:0:1::")), NET6, null));
        expect(400, "OutOfBoundsAllocationPool", () -> SubnetPlanner.pools(List.of(pool("10.0.0.2", "10.0.0.9")), NET6, null));
        expect(409, "GatewayConflictWithAllocationPools", () -> SubnetPlanner.pools(List.of(pool("2001:db8::1", "2001:db8::9")), NET6, gw));
        expect(409, "OverlappingAllocationPools", () -> SubnetPlanner.pools(
                List.of(pool("2001:db8::2", "2001:db8::9"), pool("2001:db8::9", "2001:db8::20")), NET6, gw));
    }

    @Test
    void requireGatewayOutsideChecksEachPool() {
        List<Range> pools = List.of(range("10.0.0.2", "10.0.0.9"), range("10.0.0.20", "10.0.0.29"));
        SubnetPlanner.requireGatewayOutside(pools, NET4, null);
        SubnetPlanner.requireGatewayOutside(pools, NET4, IpAddresses.parse("10.0.0.1"));
        SubnetPlanner.requireGatewayOutside(pools, NET4, IpAddresses.parse("10.0.0.15"));
        expect(409, "GatewayConflictWithAllocationPools",
                () -> SubnetPlanner.requireGatewayOutside(pools, NET4, IpAddresses.parse("10.0.0.29")));
    }

    @Test
    void modelRoundTrip() {
        List<Range> pools = List.of(range("10.0.0.2", "10.0.0.9"), range("10.0.0.20", "10.0.0.29"));
        List<AllocationPool> model = SubnetPlanner.toModel(4, pools);
        assertEquals(List.of(new AllocationPool("10.0.0.2", "10.0.0.9"), new AllocationPool("10.0.0.20", "10.0.0.29")), model);
        assertEquals(pools, SubnetPlanner.fromModel(model));
    }

    @Test
    void nameserversAreWrittenCanonically() {
        assertEquals(List.of("8.8.8.8", "2001:4860:4860::8888"),
                SubnetPlanner.dnsNameservers(List.of("8.8.8.8", "2001:4860:4860:0:0:0:0:8888"), 4));
        assertEquals(List.of(), SubnetPlanner.dnsNameservers(List.of(), 4));
    }

    @Test
    void atMostFiveNameservers() {
        List<String> five = List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5");
        assertEquals(five, SubnetPlanner.dnsNameservers(five, 4));
        List<String> six = new ArrayList<>(five);
        six.add("10.0.0.6");
        NeutronException e = expect(400, "HTTPBadRequest", () -> SubnetPlanner.dnsNameservers(six, 4));
        assertEquals("The number of DNS nameservers exceeds the limit 5.", e.getMessage());
    }

    @Test
    void nameserverErrors() {
        NeutronException bad = expect(400, "HTTPBadRequest", () -> SubnetPlanner.dnsNameservers(List.of("dns.example"), 4));
        assertEquals("Invalid input for dns_nameservers. Reason: 'dns.example' is not a valid nameserver", bad.getMessage());
        NeutronException dup = expect(400, "HTTPBadRequest",
                () -> SubnetPlanner.dnsNameservers(List.of("2001:db8::53", "2001:DB8:0::53"), 6));
        assertEquals("Invalid input for dns_nameservers. Reason: Duplicate nameserver '2001:DB8:0::53'", dup.getMessage());
    }

    @Test
    void hostRoutes() {
        List<HostRoute> routes = SubnetPlanner.hostRoutes(List.of(
                Map.of("destination", "192.168.0.0/16", "nexthop", "10.0.0.254"),
                Map.of("destination", "0.0.0.0/0", "nexthop", "10.0.0.1")), 4);
        assertEquals(List.of(new HostRoute("192.168.0.0/16", "10.0.0.254"), new HostRoute("0.0.0.0/0", "10.0.0.1")), routes);
        assertEquals(List.of(new HostRoute("2001:db8:1::/48", "2001:db8::1")), SubnetPlanner.hostRoutes(
                List.of(Map.of("destination", "2001:DB8:1::/48", "nexthop", "2001:db8:0::1")), 6));
    }

    @Test
    void atMostTwentyHostRoutes() {
        List<Map<String, Object>> routes = new ArrayList<>();
        for (int i = 0; i < 21; i++) routes.add(Map.of("destination", "192.168." + i + ".0/24", "nexthop", "10.0.0.1"));
        assertEquals(20, SubnetPlanner.hostRoutes(routes.subList(0, 20), 4).size());
        NeutronException e = expect(400, "HTTPBadRequest", () -> SubnetPlanner.hostRoutes(routes, 4));
        assertEquals("The number of host routes exceeds the limit 20.", e.getMessage());
    }

    @Test
    void malformedHostRoutes() {
        List<Map<String, Object>> bad = List.of(
                Map.of("destination", "192.168.0.1/16", "nexthop", "10.0.0.1"),
                Map.of("destination", "192.168.0.0", "nexthop", "10.0.0.1"),
                Map.of("destination", "192.168.0.0/16", "nexthop", "10.0.0.0/24"),
                Map.of("destination", "192.168.0.0/16"),
                Map.of("destination", "192.168.0.0/16", "nexthop", "10.0.0.1", "metric", "1"),
                Map.of("destination", 5, "nexthop", "10.0.0.1"));
        for (Map<String, Object> m : bad) {
            NeutronException e = expect(400, "HTTPBadRequest", () -> SubnetPlanner.hostRoutes(List.of(m), 4));
            assertTrue(e.getMessage().startsWith("Invalid input for host_routes. Reason: Invalid data format for hostroute"),
                    e.getMessage());
        }
    }

    @Test
    void hostRouteOfTheOtherFamily() {
        expect(400, "InvalidInput", () -> SubnetPlanner.hostRoutes(
                List.of(Map.of("destination", "2001:db8::/32", "nexthop", "10.0.0.1")), 4));
        expect(400, "InvalidInput", () -> SubnetPlanner.hostRoutes(
                List.of(Map.of("destination", "10.1.0.0/16", "nexthop", "2001:db8::1")), 6));
    }

    @Test
    void duplicateHostRoute() {
        expect(400, "HTTPBadRequest", () -> SubnetPlanner.hostRoutes(List.of(
                Map.of("destination", "192.168.0.0/16", "nexthop", "10.0.0.1"),
                Map.of("destination", "192.168.0.0/16", "nexthop", "10.0.0.1")), 4));
        // The same route written differently is still the same route.
        expect(400, "HTTPBadRequest", () -> SubnetPlanner.hostRoutes(List.of(
                Map.of("destination", "2001:db8:1::/48", "nexthop", "2001:db8::1"),
                Map.of("destination", "2001:DB8:1:0::/48", "nexthop", "2001:db8:0::1")), 6));
    }

    @Test
    void validIpv6Modes() {
        SubnetPlanner.ipv6Modes(null, null, NET4);
        SubnetPlanner.ipv6Modes(null, null, NET6);
        for (String m : List.of("slaac", "dhcpv6-stateful", "dhcpv6-stateless")) {
            SubnetPlanner.ipv6Modes(m, m, NET6);
            SubnetPlanner.ipv6Modes(m, null, NET6);
            SubnetPlanner.ipv6Modes(null, m, NET6);
        }
        SubnetPlanner.ipv6Modes("dhcpv6-stateful", "dhcpv6-stateful", SubnetPlanner.cidr("2001:db8::/80", 6));
    }

    @Test
    void unknownIpv6Mode() {
        NeutronException e = expect(400, "HTTPBadRequest", () -> SubnetPlanner.ipv6Modes("auto", null, NET6));
        assertEquals("Invalid input for ipv6_ra_mode. Reason: 'auto' is not in [dhcpv6-stateful, dhcpv6-stateless, slaac]",
                e.getMessage());
        expect(400, "HTTPBadRequest", () -> SubnetPlanner.ipv6Modes(null, "SLAAC", NET6));
    }

    @Test
    void ipv6ModesOnAnIpv4Subnet() {
        NeutronException e = expect(400, "InvalidInput", () -> SubnetPlanner.ipv6Modes(null, "slaac", NET4));
        assertEquals("Invalid input for operation: ipv6_address_mode is not valid when ip_version is 4", e.getMessage());
        expect(400, "InvalidInput", () -> SubnetPlanner.ipv6Modes("dhcpv6-stateful", null, NET4));
    }

    @Test
    void differingIpv6Modes() {
        NeutronException e = expect(400, "InvalidInput", () -> SubnetPlanner.ipv6Modes("slaac", "dhcpv6-stateful", NET6));
        assertTrue(e.getMessage().contains("If both attributes are set, they must be the same value"), e.getMessage());
    }

    @Test
    void addressAutoconfigurationNeedsASlash64() {
        Prefix p80 = SubnetPlanner.cidr("2001:db8::/80", 6);
        for (String m : List.of("slaac", "dhcpv6-stateless")) {
            NeutronException e = expect(400, "InvalidInput", () -> SubnetPlanner.ipv6Modes(null, m, p80));
            assertTrue(e.getMessage().contains("Invalid CIDR 2001:db8::/80 for IPv6 address mode"), e.getMessage());
            expect(400, "InvalidInput", () -> SubnetPlanner.ipv6Modes(m, m, p80));
        }
    }

    @Test
    void routerAdvertisedAutoconfigurationAloneAlsoNeedsASlash64() {
        // Neutron treats a subnet as auto-address when either mode is SLAAC or DHCPv6-stateless.
        Prefix p80 = SubnetPlanner.cidr("2001:db8::/80", 6);
        expect(400, "InvalidInput", () -> SubnetPlanner.ipv6Modes("slaac", null, p80));
        expect(400, "InvalidInput", () -> SubnetPlanner.ipv6Modes("dhcpv6-stateless", null, p80));
        SubnetPlanner.ipv6Modes("dhcpv6-stateful", null, p80);
    }
}
