package dev.skein.plan.l3;

import dev.skein.model.FixedIp;
import dev.skein.model.HostRoute;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouterCompilerTest {
    static final String EXT = "e0000000-0000-4000-8000-000000000001";
    static final String NET_A = "a0000000-0000-4000-8000-00000000000a";
    static final String NET_B = "b0000000-0000-4000-8000-00000000000b";
    static final RouterIntent.Subnet EXT_V4 = new RouterIntent.Subnet("s-ext4", EXT, "203.0.113.0/24", "203.0.113.1");
    static final RouterIntent.Subnet EXT_V6 = new RouterIntent.Subnet("s-ext6", EXT, "2001:db8::/64", "2001:db8::1");
    static final RouterIntent.Subnet SUB_A = new RouterIntent.Subnet("s-a", NET_A, "10.0.0.0/24", "10.0.0.1");
    static final RouterIntent.Subnet SUB_B = new RouterIntent.Subnet("s-b", NET_B, "10.1.0.0/24", "10.1.0.1");
    static final List<RouterIntent.Subnet> SUBNETS = List.of(EXT_V4, EXT_V6, SUB_A, SUB_B);
    static final List<RouterIntent.Network> NETWORKS = List.of(new RouterIntent.Network(EXT, 1500),
            new RouterIntent.Network(NET_A, 1450), new RouterIntent.Network(NET_B, 1400));

    static RouterIntent.Port port(String id, String net, String host, FixedIp... ips) {
        return new RouterIntent.Port(id, net, "FA:16:3E:00:01:" + id.substring(id.length() - 2), host, List.of(ips));
    }

    static FixedIp ip(RouterIntent.Subnet s, String address) { return new FixedIp(s.id(), address); }

    static RouterIntent.Router router(String id, String gateway, boolean snat, List<HostRoute> routes, String... interfaces) {
        return new RouterIntent.Router(id, "project-1", true, gateway, snat, routes, List.of(interfaces));
    }

    static RouterIntent intent(List<RouterIntent.Router> routers, List<RouterIntent.Port> ports, List<RouterIntent.FloatingIp> fips) {
        return new RouterIntent(routers, ports, SUBNETS, NETWORKS, fips);
    }

    @Test
    void aRouterHoldsItsGatewayInterfacesRoutesAndFloatingIpsWhereItsPortsAreBound() {
        RouterIntent intent = intent(
                List.of(router("r1", "p-gw-01", true, List.of(new HostRoute("172.16.0.0/16", "10.0.0.254")), "p-ifb-03", "p-ifa-02")),
                List.of(port("p-gw-01", EXT, "net1", ip(EXT_V4, "203.0.113.4"), ip(EXT_V6, "2001:db8::4")),
                        port("p-ifa-02", NET_A, "net1", ip(SUB_A, "10.0.0.1")),
                        port("p-ifb-03", NET_B, "net1", ip(SUB_B, "10.1.0.1"))),
                List.of(new RouterIntent.FloatingIp("f2", "r1", "203.0.113.60", "10.1.0.7"),
                        new RouterIntent.FloatingIp("f1", "r1", "203.0.113.50", "10.0.0.5")));
        RouterPlan plan = RouterCompiler.compile(intent, "net1");

        assertEquals(List.of(), plan.problems());
        RouterPlan.Router r = plan.routers().get(0);
        assertEquals("r1", r.id());
        assertEquals("project-1", r.projectId());
        assertEquals(new RouterPlan.Gateway("p-gw-01", EXT, "fa:16:3e:00:01:01", 1500, List.of("203.0.113.4/24", "2001:db8::4/64"),
                List.of("203.0.113.1", "2001:db8::1"), true), r.gateway());
        assertEquals(List.of(new RouterPlan.Interface("p-ifa-02", NET_A, "fa:16:3e:00:01:02", 1450, List.of("10.0.0.1/24")),
                new RouterPlan.Interface("p-ifb-03", NET_B, "fa:16:3e:00:01:03", 1400, List.of("10.1.0.1/24"))), r.interfaces());
        assertEquals(List.of(new RouterPlan.Route("172.16.0.0/16", "10.0.0.254")), r.routes());
        assertEquals(List.of(new RouterPlan.FloatingIp("f1", "203.0.113.50", "10.0.0.5"),
                new RouterPlan.FloatingIp("f2", "203.0.113.60", "10.1.0.7")), r.floatingIps());
        assertTrue(r.metadata());

        assertEquals(RouterPlan.EMPTY, RouterCompiler.compile(intent, "net2"), "a router is only where its ports are bound");
    }

    @Test
    void nexthopsAreTheGatewaysOfTheExternalSubnetsTheGatewayPortIsOn() {
        RouterIntent intent = intent(List.of(router("r1", "p-gw-01", false, List.of())),
                List.of(port("p-gw-01", EXT, "net1", ip(EXT_V4, "203.0.113.4"))), List.of());
        RouterPlan.Gateway gw = RouterCompiler.compile(intent, "net1").routers().get(0).gateway();
        assertEquals(List.of("203.0.113.1"), gw.nexthops(), "not the IPv6 subnet it has no address on");
        assertEquals(false, gw.enableSnat());

        RouterIntent.Subnet noGateway = new RouterIntent.Subnet("s-ext4", EXT, "203.0.113.0/24", null);
        RouterIntent without = new RouterIntent(intent.routers(), intent.ports(), List.of(noGateway), NETWORKS, List.of());
        assertEquals(List.of(), RouterCompiler.compile(without, "net1").routers().get(0).gateway().nexthops());
    }

    @Test
    void aRouterWithoutGatewayHasInterfacesButNoFloatingIps() {
        RouterIntent intent = intent(List.of(router("r1", null, true, List.of(), "p-ifa-02")),
                List.of(port("p-ifa-02", NET_A, "net1", ip(SUB_A, "10.0.0.1"))),
                List.of(new RouterIntent.FloatingIp("f1", "r1", "203.0.113.50", "10.0.0.5")));
        RouterPlan plan = RouterCompiler.compile(intent, "net1");
        RouterPlan.Router r = plan.routers().get(0);
        assertNull(r.gateway());
        assertEquals(1, r.interfaces().size());
        assertEquals(List.of(), r.floatingIps());
        assertTrue(plan.problems().stream().anyMatch(p -> p.contains("f1") && p.contains("no gateway")), plan.problems()::toString);
    }

    @Test
    void anAdministrativelyDownRouterIsNotHeld() {
        RouterIntent.Router down = new RouterIntent.Router("r1", "project-1", false, "p-gw-01", true, List.of(), List.of());
        RouterIntent intent = intent(List.of(down), List.of(port("p-gw-01", EXT, "net1", ip(EXT_V4, "203.0.113.4"))), List.of());
        assertEquals(RouterPlan.EMPTY, RouterCompiler.compile(intent, "net1"));
    }

    @Test
    void portsBoundElsewhereOrBrokenAreLeftOutAndReported() {
        RouterIntent intent = intent(
                List.of(router("r1", "p-gw-01", true, List.of(), "p-ifa-02", "p-ifb-03", "p-gone-04", "p-unb-05", "p-bad-06", "p-net-07")),
                List.of(port("p-gw-01", EXT, "net1", ip(EXT_V4, "203.0.113.4"), ip(SUB_A, "10.0.0.99")),
                        port("p-ifa-02", NET_A, "net1", ip(SUB_A, "10.0.0.1")),
                        port("p-ifb-03", NET_B, "net2", ip(SUB_B, "10.1.0.1")),
                        port("p-unb-05", NET_B, "", ip(SUB_B, "10.1.0.2")),
                        new RouterIntent.Port("p-bad-06", NET_A, "not-a-mac", "net1", List.of()),
                        port("p-net-07", "0000-unknown", "net1")),
                List.of(new RouterIntent.FloatingIp("f1", "r1", "203.0.113.50", "10.0.0.5"),
                        new RouterIntent.FloatingIp("f2", "r1", "203.0.113.60", "10.1.0.7"),
                        new RouterIntent.FloatingIp("f3", "r1", "2001:db8::60", "10.0.0.6")));
        RouterPlan plan = RouterCompiler.compile(intent, "net1");
        RouterPlan.Router r = plan.routers().get(0);
        assertEquals(List.of("203.0.113.4/24"), r.gateway().addresses(), "an address off the gateway's network is dropped");
        assertEquals(List.of("p-ifa-02"), r.interfaces().stream().map(RouterPlan.Interface::portId).toList());
        assertEquals(List.of("f1"), r.floatingIps().stream().map(RouterPlan.FloatingIp::id).toList());
        List<String> problems = plan.problems();
        assertTrue(problems.stream().anyMatch(p -> p.contains("p-ifb-03") && p.contains("bound to net2")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("p-gone-04") && p.contains("unknown")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("p-unb-05") && p.contains("no host")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("p-bad-06") && p.contains("MAC")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("p-net-07") && p.contains("unknown")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("10.0.0.99")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("f2") && p.contains("on no interface")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.contains("f3") && p.contains("IPv4")), problems::toString);

        RouterPlan onNet2 = RouterCompiler.compile(intent, "net2");
        RouterPlan.Router there = onNet2.routers().get(0);
        assertNull(there.gateway(), "the gateway is on net1");
        assertEquals(List.of("p-ifb-03"), there.interfaces().stream().map(RouterPlan.Interface::portId).toList());
        assertEquals(List.of(), there.floatingIps());
    }

    @Test
    void theSameIntentInAnyOrderGivesAnEqualPlan() {
        List<RouterIntent.Router> routers = new ArrayList<>();
        List<RouterIntent.Port> ports = new ArrayList<>();
        List<RouterIntent.FloatingIp> fips = new ArrayList<>();
        for (int i = 10; i < 30; i++) {
            String gw = "p-gw-" + i, in = "p-in-" + i;
            routers.add(router("r" + i, gw, true, List.of(new HostRoute("172.16." + i + ".0/24", "10.0.0." + (100 + i))), in));
            ports.add(port(gw, EXT, "net1", ip(EXT_V4, "203.0.113." + i)));
            ports.add(port(in, NET_A, "net1", ip(SUB_A, "10.0.0.1")));
            fips.add(new RouterIntent.FloatingIp("f" + i, "r" + i, "203.0.113." + (100 + i), "10.0.0." + i));
        }
        RouterPlan first = RouterCompiler.compile(intent(routers, ports, fips), "net1");
        Random rnd = new Random(7);
        for (int round = 0; round < 5; round++) {
            Collections.shuffle(routers, rnd);
            Collections.shuffle(ports, rnd);
            Collections.shuffle(fips, rnd);
            assertEquals(first, RouterCompiler.compile(intent(routers, ports, fips), "net1"));
        }
        assertEquals(20, first.routers().size());
        assertEquals(List.of(), first.problems());
    }
}
