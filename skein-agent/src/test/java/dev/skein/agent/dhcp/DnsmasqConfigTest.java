package dev.skein.agent.dhcp;

import dev.skein.plan.dhcp.DhcpPlan;
import dev.skein.plan.dhcp.DhcpPlan.Reservation;
import dev.skein.plan.dhcp.DhcpPlan.Route;
import dev.skein.plan.dhcp.DhcpPlan.Subnet;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnsmasqConfigTest {
    static final String NET = "5e5e5e5e-0000-4000-8000-000000000001";
    static final String PORT = "d0d0d0d0-0000-4000-8000-000000000001";
    static final DhcpFiles FILES = DhcpFiles.of(Path.of("/var/lib/skein/agent-nn"), NET);
    static final String DEV = DhcpRealiser.device(PORT);

    static Subnet v4(String id, String cidr, String gateway, List<String> dns, List<Route> routes) {
        return new Subnet(id, 4, cidr, gateway, dns, routes, null, null, true);
    }

    static Subnet v6(String id, String cidr, String addressMode, String raMode) {
        return new Subnet(id, 6, cidr, null, List.of("2001:db8::53"), List.of(), addressMode, raMode, true);
    }

    static DhcpPlan.Server server(List<String> addresses, List<Subnet> subnets, List<Reservation> reservations, boolean metadata) {
        return new DhcpPlan.Server(NET, PORT, "FA:16:3E:00:00:02", 1450, addresses, subnets, reservations, "example.test.", 600, metadata);
    }

    @Test
    void ipv4ServerHasOneStaticRangePerServedSubnetAndItsOptionsInTheOptsFile() {
        Subnet a = v4("a", "192.0.2.0/24", "192.0.2.1", List.of("198.51.100.53", "2001:db8::53"), List.of(new Route("10.9.0.0/16", "192.0.2.254")));
        Subnet b = v4("b", "198.51.100.0/25", null, List.of(), List.of());
        Subnet off = new Subnet("c", 4, "203.0.113.0/24", "203.0.113.1", List.of(), List.of(), null, null, false);
        DnsmasqConfig c = DnsmasqConfig.of(server(List.of("192.0.2.2/24", "198.51.100.2/25"), List.of(b, off, a),
                List.of(new Reservation("p2", "fa:16:3e:00:00:20", List.of("198.51.100.20"), "vm-2"),
                        new Reservation("p1", "FA:16:3E:00:00:10", List.of("192.0.2.10", "203.0.113.10"), "vm-1")), false), FILES, DEV);

        assertEquals(List.of("dnsmasq", "--conf-file=/dev/null", "--no-hosts", "--no-resolv", "--port=0", "--bind-interfaces",
                "--interface=ns-d0d0d0d0-00", "--except-interface=lo", "--dhcp-authoritative",
                "--dhcp-range=set:subnet-a,192.0.2.0,static,255.255.255.0,600s",
                "--dhcp-range=set:subnet-b,198.51.100.0,static,255.255.255.128,600s",
                "--dhcp-hostsfile=" + FILES.hosts(), "--dhcp-optsfile=" + FILES.opts(), "--dhcp-leasefile=" + FILES.leases(),
                "--pid-file=" + FILES.pid(), "--log-facility=" + FILES.log(), "--user=root", "--group=root"), c.argv());
        assertEquals("""
                fa:16:3e:00:00:10,vm-1,192.0.2.10
                fa:16:3e:00:00:20,vm-2,198.51.100.20
                """, c.hosts(), "sorted by port; the address on the subnet without DHCP is not leased");
        assertEquals("""
                tag:subnet-a,option:router,192.0.2.1
                tag:subnet-a,option:dns-server,198.51.100.53
                tag:subnet-a,option:classless-static-route,10.9.0.0/16,192.0.2.254,0.0.0.0/0,192.0.2.1
                tag:subnet-a,option:mtu,1450
                tag:subnet-a,option:domain-name,example.test
                tag:subnet-b,option:router
                tag:subnet-b,option:mtu,1450
                tag:subnet-b,option:domain-name,example.test
                """, c.opts());
        assertEquals(List.of(), c.notes());
    }

    @Test
    void metadataIsAClasslessRouteViaTheServersOwnAddressFollowedByTheDefaultRoute() {
        Subnet a = v4("a", "192.0.2.0/24", "192.0.2.1", List.of(), List.of());
        Subnet b = v4("b", "198.51.100.0/24", null, List.of(), List.of(new Route("0.0.0.0/0", "198.51.100.9")));
        DnsmasqConfig c = DnsmasqConfig.of(server(List.of("192.0.2.2/24", "198.51.100.2/24"), List.of(a, b), List.of(), true), FILES, DEV);
        assertTrue(c.opts().contains("tag:subnet-a,option:classless-static-route,169.254.169.254/32,192.0.2.2,0.0.0.0/0,192.0.2.1\n"), c.opts());
        assertTrue(c.opts().contains("tag:subnet-b,option:classless-static-route,0.0.0.0/0,198.51.100.9,169.254.169.254/32,198.51.100.2\n"),
                "a default host route is not doubled: " + c.opts());
    }

    @Test
    void ipv6ModesChooseTheRangeModeAndWhetherTheServerAnnouncesThePrefix() {
        List<Subnet> subnets = List.of(v6("1slaac", "2001:db8:1::/64", "slaac", "slaac"),
                v6("2stateless", "2001:db8:2::/64", "dhcpv6-stateless", "dhcpv6-stateless"),
                v6("3stateful", "2001:db8:3::/64", "dhcpv6-stateful", "dhcpv6-stateful"),
                v6("4external", "2001:db8:4::/64", "slaac", null),
                v6("5dhcponly", "2001:db8:5::/64", "dhcpv6-stateful", null));
        DnsmasqConfig c = DnsmasqConfig.of(server(List.of("2001:db8:3::2/64"), subnets,
                List.of(new Reservation("p1", "fa:16:3e:00:00:10", List.of("2001:db8:1:0:f816:3eff:fe00:10", "2001:DB8:3::10", "2001:db8:5::10"), "vm-1")), false),
                FILES, DEV);
        List<String> ranges = c.argv().stream().filter(a -> a.startsWith("--dhcp-range=")).toList();
        assertEquals(List.of("--dhcp-range=set:subnet-1slaac,2001:db8:1::,ra-only,64,600s",
                "--dhcp-range=set:subnet-2stateless,2001:db8:2::,ra-stateless,64,600s",
                "--dhcp-range=set:subnet-3stateful,2001:db8:3::,static,64,600s",
                "--dhcp-range=set:subnet-5dhcponly,2001:db8:5::,static,64,600s"), ranges, "an externally announced SLAAC subnet needs no DHCP");
        assertTrue(c.argv().containsAll(List.of("--enable-ra", "--ra-param=ns-d0d0d0d0-00,mtu:1450,30,0")), c.argv().toString());
        assertEquals("fa:16:3e:00:00:10,vm-1,[2001:db8:3::10]\nfa:16:3e:00:00:10,vm-1,[2001:db8:5::10]\n", c.hosts(),
                "only stateful subnets lease reservations");
        assertTrue(c.opts().contains("tag:subnet-2stateless,option6:dns-server,[2001:db8::53]\n"), c.opts());
        assertTrue(c.opts().contains("tag:subnet-3stateful,option6:domain-search,example.test\n"), c.opts());
        assertFalse(c.opts().contains("option:router"), "no IPv4 options on IPv6 subnets");
    }

    @Test
    void withoutAnnouncedSubnetsThereAreNoRouterAdvertisements() {
        DnsmasqConfig c = DnsmasqConfig.of(server(List.of("192.0.2.2/24"), List.of(v4("a", "192.0.2.0/24", "192.0.2.1", List.of(), List.of())), List.of(), false), FILES, DEV);
        assertFalse(c.argv().contains("--enable-ra"));
        assertTrue(c.argv().stream().noneMatch(a -> a.startsWith("--ra-param")));
    }

    @Test
    void textThatCouldInjectDnsmasqOptionsIsNotWritten() {
        Subnet a = v4("a", "192.0.2.0/24", "192.0.2.1", List.of("198.51.100.53\ndhcp-range=0.0.0.0"), List.of());
        DhcpPlan.Server s = new DhcpPlan.Server(NET, PORT, "fa:16:3e:00:00:02", 1450, List.of("192.0.2.2/24"), List.of(a),
                List.of(new Reservation("p1", "fa:16:3e:00:00:10", List.of("192.0.2.10"), "evil,set:x"),
                        new Reservation("p2", "fa:16:3e:00:00:11\n", List.of("192.0.2.11"), null)), "bad,domain", 600, false);
        DnsmasqConfig c = DnsmasqConfig.of(s, FILES, DEV);
        assertEquals("fa:16:3e:00:00:10,192.0.2.10\n", c.hosts());
        assertFalse(c.opts().contains("dns-server"));
        assertFalse(c.opts().contains("domain"));
        assertEquals(3, c.notes().size(), c.notes().toString());
    }
}
