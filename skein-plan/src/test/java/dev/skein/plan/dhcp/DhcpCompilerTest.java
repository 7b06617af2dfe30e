package dev.skein.plan.dhcp;

import dev.skein.model.FixedIp;
import dev.skein.model.HostRoute;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DhcpCompilerTest {
    static final String NET_A = "0a1b2c3d-4e5f-4a6b-8c7d-0123456789ab";
    static final String NET_B = "9f8e7d6c-5b4a-4c3d-8e2f-fedcba987654";
    static final String V4 = "5ub-v4", V6 = "5ub-v6-stateful", SLAAC = "5ub-v6-slaac", OFF = "5ub-v4-nodhcp";
    static final DhcpIntent.Settings SETTINGS = DhcpIntent.Settings.DEFAULTS;

    static DhcpIntent.Subnet v4(String id, String net, String cidr, String gateway) {
        return new DhcpIntent.Subnet(id, net, 4, cidr, gateway, List.of("192.0.2.53"), List.of(new HostRoute("172.16.0.0/16", "10.0.0.254")),
                true, null, null);
    }

    static DhcpIntent.Port port(String id, String net, String owner, String host, FixedIp... ips) {
        return new DhcpIntent.Port(id, net, "FA:16:3E:00:00:" + id.substring(id.length() - 2), owner, host, List.of(ips));
    }

    static DhcpIntent.Port dhcpPort(String id, String net, String host, FixedIp... ips) {
        return port(id, net, dev.skein.model.Port.DHCP_OWNER, host, ips);
    }

    static FixedIp ip(String subnet, String address) { return new FixedIp(subnet, address); }

    static DhcpIntent intent(List<DhcpIntent.Subnet> subnets, List<DhcpIntent.Port> ports, DhcpIntent.Settings settings) {
        return new DhcpIntent(List.of(new DhcpIntent.Network(NET_A, 1450), new DhcpIntent.Network(NET_B, 1500)), subnets, ports, settings);
    }

    @Test
    void aServerHoldsItsPortsAddressesTheSubnetsAndOneReservationPerOtherPort() {
        DhcpIntent intent = intent(List.of(v4(V4, NET_A, "10.0.0.0/24", "10.0.0.1")),
                List.of(dhcpPort("p-dhcp-01", NET_A, "net1", ip(V4, "10.0.0.2")),
                        port("p-vm-02", NET_A, "compute:nova", "c1", ip(V4, "10.0.0.5")),
                        port("p-unbound-03", NET_A, "", "", ip(V4, "10.0.0.6")),
                        port("p-noaddr-04", NET_A, "", "c1")),
                SETTINGS);
        DhcpPlan plan = DhcpCompiler.compile(intent, "net1");

        assertEquals(List.of(), plan.problems());
        assertEquals(1, plan.servers().size());
        DhcpPlan.Server s = plan.servers().get(0);
        assertEquals(NET_A, s.networkId());
        assertEquals("p-dhcp-01", s.portId());
        assertEquals("fa:16:3e:00:00:01", s.mac());
        assertEquals(1450, s.mtu());
        assertEquals(List.of("10.0.0.2/24"), s.addresses());
        assertEquals(List.of(new DhcpPlan.Subnet(V4, 4, "10.0.0.0/24", "10.0.0.1", List.of("192.0.2.53"),
                List.of(new DhcpPlan.Route("172.16.0.0/16", "10.0.0.254")), null, null, true)), s.subnets());
        assertEquals(List.of(
                new DhcpPlan.Reservation("p-unbound-03", "fa:16:3e:00:00:03", List.of("10.0.0.6"), "host-10-0-0-6"),
                new DhcpPlan.Reservation("p-vm-02", "fa:16:3e:00:00:02", List.of("10.0.0.5"), "host-10-0-0-5")),
                s.reservations(), "bound anywhere or not at all, every addressed port but the server's own gets its lease");
        assertEquals("openstacklocal", s.domain());
        assertEquals(86400, s.leaseSeconds());
        assertTrue(s.metadata(), "no router serves the subnet");

        assertEquals(DhcpPlan.EMPTY, DhcpCompiler.compile(intent, "net2"), "the server lives where its port is bound");
        assertEquals(DhcpPlan.EMPTY, DhcpCompiler.compile(intent, "c1"));
    }

    @Test
    void leasesCoverDhcpEnabledIpv4AndStatefulIpv6OnlyAndNameTheHostAfterTheFirst() {
        List<DhcpIntent.Subnet> subnets = List.of(
                v4(V4, NET_A, "10.0.0.0/24", "10.0.0.1"),
                new DhcpIntent.Subnet(OFF, NET_A, 4, "10.1.0.0/24", "10.1.0.1", List.of(), List.of(), false, null, null),
                new DhcpIntent.Subnet(V6, NET_A, 6, "fd00:1::/64", "fd00:1::1", List.of(), List.of(), true, "dhcpv6-stateful", "dhcpv6-stateful"),
                new DhcpIntent.Subnet(SLAAC, NET_A, 6, "fd00:2::/64", "fd00:2::1", List.of(), List.of(), true, "slaac", "slaac"));
        DhcpIntent intent = intent(subnets, List.of(
                dhcpPort("p-dhcp-01", NET_A, "net1", ip(V4, "10.0.0.2"), ip(V6, "fd00:1::2"), ip(SLAAC, "fd00:2::f816:3eff:fe00:1")),
                port("p-dual-02", NET_A, "", "c1", ip(V4, "10.0.0.5"), ip(OFF, "10.1.0.5"), ip(V6, "fd00:1::5"), ip(SLAAC, "fd00:2::f816:3eff:fe00:2")),
                port("p-v6-03", NET_A, "", "c1", ip(V6, "fd00:1::7")),
                port("p-slaac-04", NET_A, "", "c1", ip(SLAAC, "fd00:2::f816:3eff:fe00:4")),
                port("p-off-05", NET_A, "", "c1", ip(OFF, "10.1.0.9"))), SETTINGS);
        DhcpPlan.Server s = DhcpCompiler.compile(intent, "net1").servers().get(0);

        assertEquals(List.of("10.0.0.2/24", "fd00:1::2/64", "fd00:2::f816:3eff:fe00:1/64"), s.addresses());
        assertEquals(List.of(
                new DhcpPlan.Reservation("p-dual-02", "fa:16:3e:00:00:02", List.of("10.0.0.5", "fd00:1::5"), "host-10-0-0-5"),
                new DhcpPlan.Reservation("p-v6-03", "fa:16:3e:00:00:03", List.of("fd00:1::7"), "host-fd00-1--7")),
                s.reservations(), "SLAAC addresses configure themselves and a subnet without DHCP is not served");
        assertEquals(4, s.subnets().size(), "clients still learn every subnet, enabled or not");
        assertTrue(s.subnets().stream().anyMatch(x -> x.id().equals(OFF) && !x.enableDhcp()));
    }

    @Test
    void metadataFollowsNeutronsIsolatedNetworkRuleAndItsSettings() {
        DhcpIntent.Subnet a = v4(V4, NET_A, "10.0.0.0/24", "10.0.0.1");
        DhcpIntent.Subnet b = v4("5ub-b", NET_A, "10.2.0.0/24", "10.2.0.1");
        DhcpIntent.Port server = dhcpPort("p-dhcp-01", NET_A, "net1", ip(V4, "10.0.0.2"), ip("5ub-b", "10.2.0.2"));
        DhcpIntent.Port routerOnA = port("p-rtr-02", NET_A, "network:router_interface", "net1", ip(V4, "10.0.0.1"));
        DhcpIntent.Port routerOnB = port("p-rtr-03", NET_A, "network:router_interface", "net1", ip("5ub-b", "10.2.0.1"));
        DhcpIntent.Port routerOffGateway = port("p-rtr-04", NET_A, "network:router_interface", "net1", ip("5ub-b", "10.2.0.9"));

        assertTrue(metadata(List.of(a, b), List.of(server, routerOnA), SETTINGS), "subnet b has no router");
        assertFalse(metadata(List.of(a, b), List.of(server, routerOnA, routerOnB), SETTINGS), "both are routed");
        assertTrue(metadata(List.of(a, b), List.of(server, routerOnA, routerOffGateway), SETTINGS),
                "a router that does not hold the gateway address is not where clients send their requests");
        assertFalse(metadata(List.of(a), List.of(server, routerOnA), SETTINGS));
        assertTrue(metadata(List.of(a), List.of(server, routerOnA), new DhcpIntent.Settings("example.org", 600, true, true)), "forced");
        assertFalse(metadata(List.of(a), List.of(server), new DhcpIntent.Settings("example.org", 600, false, false)), "switched off");

        DhcpIntent.Subnet noGateway = new DhcpIntent.Subnet(V4, NET_A, 4, "10.0.0.0/24", null, List.of(), List.of(), true, null, null);
        assertTrue(metadata(List.of(noGateway), List.of(server, routerOnA), SETTINGS), "a subnet without a gateway is isolated");
        DhcpIntent.Subnet v6 = new DhcpIntent.Subnet(V6, NET_A, 6, "fd00:1::/64", "fd00:1::1", List.of(), List.of(), true, "dhcpv6-stateful", null);
        assertFalse(metadata(List.of(a, v6), List.of(dhcpPort("p-dhcp-01", NET_A, "net1", ip(V4, "10.0.0.2"), ip(V6, "fd00:1::2")), routerOnA),
                SETTINGS), "metadata is reached over IPv4; an IPv6 subnet without a router does not make the network isolated");
    }

    private static boolean metadata(List<DhcpIntent.Subnet> subnets, List<DhcpIntent.Port> ports, DhcpIntent.Settings settings) {
        return DhcpCompiler.compile(intent(subnets, ports, settings), "net1").servers().get(0).metadata();
    }

    @Test
    void settingsReachTheServerAndAreCheckedAsNeutronNamesThem() {
        DhcpIntent intent = intent(List.of(v4(V4, NET_A, "10.0.0.0/24", "10.0.0.1")),
                List.of(dhcpPort("p-dhcp-01", NET_A, "net1", ip(V4, "10.0.0.2"))), new DhcpIntent.Settings("cloud.example.org.", 3600, true, false));
        DhcpPlan.Server s = DhcpCompiler.compile(intent, "net1").servers().get(0);
        assertEquals("cloud.example.org", s.domain(), "the root dot is dropped");
        assertEquals(3600, s.leaseSeconds());
        assertEquals(List.of(), s.reservations());
        assertThrows(IllegalArgumentException.class, () -> new DhcpIntent.Settings("openstacklocal", 60, true, false));
        assertThrows(IllegalArgumentException.class, () -> new DhcpIntent.Settings("bad domain", 86400, true, false));
        assertThrows(IllegalArgumentException.class, () -> new DhcpIntent.Settings("-bad.example", 86400, true, false));
    }

    @Test
    void oddIntentIsLeftOutAndReportedInsteadOfFailing() {
        DhcpIntent.Subnet a = v4(V4, NET_A, "10.0.0.0/24", "10.0.0.1");
        List<DhcpIntent.Port> ports = List.of(
                dhcpPort("p-dhcp-01", NET_A, "net1", ip(V4, "10.0.0.2"), ip(V4, "10.9.9.9"), ip("5ub-gone", "10.3.0.2")),
                dhcpPort("p-dhcp-02", NET_A, "net1", ip(V4, "10.0.0.3")),
                dhcpPort("p-dhcp-03", "0000aaaa-unknown-network", "net1"),
                dhcpPort("p-dhcp-04", NET_B, "net1"),
                new DhcpIntent.Port("p-nomac-05", NET_A, null, "", "c1", List.of(ip(V4, "10.0.0.8"))),
                new DhcpIntent.Port("p-badmac-06", NET_B, "zz", dev.skein.model.Port.DHCP_OWNER, "net1", List.of()));
        DhcpIntent.Subnet b = v4("5ub-b", NET_B, "10.5.0.0/24", "10.5.0.1");
        DhcpPlan plan = DhcpCompiler.compile(intent(List.of(a, b), ports, SETTINGS), "net1");

        assertEquals(2, plan.servers().size());
        DhcpPlan.Server onA = plan.servers().get(0);
        assertEquals("p-dhcp-01", onA.portId(), "the first DHCP port of a network on this host serves it");
        assertEquals(List.of("10.0.0.2/24"), onA.addresses());
        assertEquals(List.of("p-dhcp-02"), onA.reservations().stream().map(DhcpPlan.Reservation::portId).toList());
        DhcpPlan.Server onB = plan.servers().get(1);
        assertEquals(List.of(), onB.addresses());
        List<String> problems = plan.problems();
        assertTrue(problems.stream().anyMatch(p -> p.contains("p-dhcp-02") && p.contains("already has its server")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("p-dhcp-03") && p.contains("unknown")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("10.9.9.9")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("10.3.0.2")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("p-nomac-05") && p.contains("no lease")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("p-dhcp-04") && p.contains("no address on subnet 5ub-b")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("p-badmac-06")), problems::toString);
    }

    @Test
    void aNetworkWithoutADhcpEnabledSubnetHasNoServer() {
        DhcpIntent.Subnet off = new DhcpIntent.Subnet(OFF, NET_A, 4, "10.1.0.0/24", "10.1.0.1", List.of(), List.of(), false, null, null);
        DhcpPlan plan = DhcpCompiler.compile(intent(List.of(off), List.of(dhcpPort("p-dhcp-01", NET_A, "net1", ip(OFF, "10.1.0.2"))), SETTINGS), "net1");
        assertEquals(DhcpPlan.EMPTY, plan);
    }

    @Test
    void theSameIntentInAnyOrderGivesAnEqualPlan() {
        List<DhcpIntent.Subnet> subnets = new ArrayList<>(List.of(v4(V4, NET_A, "10.0.0.0/24", "10.0.0.1"), v4("5ub-b", NET_B, "10.5.0.0/24", null)));
        List<DhcpIntent.Port> ports = new ArrayList<>();
        ports.add(dhcpPort("p-dhcp-a1", NET_A, "net1", ip(V4, "10.0.0.2")));
        ports.add(dhcpPort("p-dhcp-b1", NET_B, "net1", ip("5ub-b", "10.5.0.2")));
        for (int i = 10; i < 40; i++) ports.add(port("p-vm-" + i, i % 2 == 0 ? NET_A : NET_B, "", "c" + i % 3,
                i % 2 == 0 ? ip(V4, "10.0.0." + i) : ip("5ub-b", "10.5.0." + i)));
        DhcpPlan first = DhcpCompiler.compile(intent(subnets, ports, SETTINGS), "net1");
        Random rnd = new Random(5);
        for (int round = 0; round < 5; round++) {
            Collections.shuffle(ports, rnd);
            Collections.shuffle(subnets, rnd);
            assertEquals(first, DhcpCompiler.compile(intent(subnets, ports, SETTINGS), "net1"));
        }
        assertEquals(List.of(NET_A, NET_B), first.servers().stream().map(DhcpPlan.Server::networkId).toList());
        assertEquals(15, first.servers().get(1).reservations().size());
    }
}
