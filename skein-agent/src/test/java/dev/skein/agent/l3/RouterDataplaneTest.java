package dev.skein.agent.l3;

import dev.skein.agent.CommandRunner;
import dev.skein.agent.Iproute2;
import dev.skein.agent.Lab;
import dev.skein.agent.host.AgentSettings;
import dev.skein.agent.l2.L2Realiser;
import dev.skein.agent.l2.ReconcileReport;
import dev.skein.plan.DeviceNames;
import dev.skein.plan.L2Plan;
import dev.skein.plan.Uplink;
import dev.skein.plan.l3.RouterPlan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real packets through realised routers. A network node is a namespace (the agent's host namespace) with a
 * bridge per tenant network and one for the flat external network, whose uplink is a veth to an "external"
 * namespace (203.0.113.100); VMs are namespaces on the tenant bridges with their default route via the router.
 * Two projects' routers have the same tenant CIDR, 10.0.0.0/24. Needs root; every namespace is deleted after each
 * test, pass or fail.
 */
class RouterDataplaneTest {
    static final String EXT_NET = "e0e0e0e0-0000-4000-8000-000000000001";
    static final String NET_A = "aaaaaaaa-0000-4000-8000-000000000001";
    static final String NET_B = "bbbbbbbb-0000-4000-8000-000000000002";
    static final String ROUTER_A = "7a000000-0000-4000-8000-00000000000a";
    static final String ROUTER_B = "7b000000-0000-4000-8000-00000000000b";
    static final String GW_A = "9a000000-0000-4000-8000-0000000000a1", IF_A = "1a000000-0000-4000-8000-0000000000a2";
    static final String GW_B = "9b000000-0000-4000-8000-0000000000b1", IF_B = "1b000000-0000-4000-8000-0000000000b2";
    static final String VM1 = "51000000-0000-4000-8000-000000000001", VM2 = "52000000-0000-4000-8000-000000000002";
    static final String VM3 = "53000000-0000-4000-8000-000000000003", VM4 = "54000000-0000-4000-8000-000000000004";
    static final String FIP = "203.0.113.50", EXTERNAL = "203.0.113.100";
    static final int SSH = 22;

    @TempDir
    Path state;
    L3Lab lab;
    String node, ext;
    final Map<String, String> vms = new HashMap<>();
    final RouterFixtures.RecordingMetadata metadata = new RouterFixtures.RecordingMetadata();
    final List<List<String>> writes = new CopyOnWriteArrayList<>();
    L2Plan l2;

    @BeforeEach
    void networkNode() {
        lab = L3Lab.open();
        L3Lab.NetworkNode n = lab.networkNode(EXTERNAL + "/24");
        node = n.host();
        ext = n.external();
        vm(VM1, "vm1", "10.0.0.10/24", "2001:db8:a::10/64");
        vm(VM2, "vm2", "10.0.0.11/24");
        vm(VM3, "vm3", "10.0.0.10/24");
        l2 = new L2Plan(List.of(
                new L2Plan.Network(EXT_NET, DeviceNames.bridge(EXT_NET), 1500, new Uplink.Flat("external", "ext0"),
                        List.of(plug(GW_A), plug(GW_B))),
                tenant(NET_A, 101, IF_A, VM1, VM2, VM4),
                tenant(NET_B, 102, IF_B, VM3)), List.of());
    }

    @AfterEach
    void cleanUp() {
        if (lab != null) lab.close();
    }

    static String mac(String portId) { return "fa:16:3e:" + portId.substring(0, 2) + ":" + portId.substring(32, 34) + ":" + portId.substring(34, 36); }

    static L2Plan.Plug plug(String portId) { return new L2Plan.Plug(portId, DeviceNames.tap(portId), mac(portId), true); }

    static L2Plan.Network tenant(String net, int vni, String... ports) {
        return new L2Plan.Network(net, DeviceNames.bridge(net), 1500,
                new Uplink.Vxlan(DeviceNames.vxlan(net), vni, "198.51.100.1", List.of(), List.of()),
                Arrays.stream(ports).map(RouterDataplaneTest::plug).toList());
    }

    /** A VM on the network node with its default route via the router (10.0.0.1, and 2001:db8:a::1 for IPv6). */
    void vm(String portId, String name, String cidr, String... more) {
        String ns = lab.vm(name, node, DeviceNames.tap(portId), mac(portId), cidr);
        for (String c : more) lab.run("ip", "-n", ns, "addr", "add", c, "dev", "eth0", "nodad");
        lab.run("ip", "-n", ns, "route", "add", "default", "via", "10.0.0.1");
        if (more.length > 0) lab.run("ip", "-n", ns, "-6", "route", "add", "default", "via", "2001:db8:a::1");
        vms.put(portId, ns);
    }

    static RouterPlan.Router routerA(List<RouterPlan.FloatingIp> fips, List<RouterPlan.Route> routes) {
        return new RouterPlan.Router(ROUTER_A, "project-a",
                new RouterPlan.Gateway(GW_A, EXT_NET, mac(GW_A), 1500, List.of("203.0.113.1/24"), List.of(EXTERNAL), true),
                List.of(new RouterPlan.Interface(IF_A, NET_A, mac(IF_A), 1500, List.of("10.0.0.1/24", "2001:db8:a::1/64"))),
                routes, fips, true);
    }

    static RouterPlan.Router routerB() {
        return new RouterPlan.Router(ROUTER_B, "project-b",
                new RouterPlan.Gateway(GW_B, EXT_NET, mac(GW_B), 1500, List.of("203.0.113.2/24"), List.of(EXTERNAL), true),
                List.of(new RouterPlan.Interface(IF_B, NET_B, mac(IF_B), 1500, List.of("10.0.0.1/24"))),
                List.of(), List.of(), false);
    }

    static RouterPlan.FloatingIp fip(String fixed) { return new RouterPlan.FloatingIp("f1000000-0000-4000-8000-000000000001", FIP, fixed); }

    static RouterPlan plan(RouterPlan.Router... routers) { return new RouterPlan(List.of(routers)); }

    static RouterPlan base() { return plan(routerA(List.of(fip("10.0.0.10")), List.of()), routerB()); }

    RouterRealiser realiser() {
        CommandRunner recording = (argv, stdin) -> {
            if (!isRead(argv)) writes.add(argv);
            return Lab.SHELL.run(argv, stdin);
        };
        return new RouterRealiser(recording, settings(), metadata);
    }

    static boolean isRead(List<String> argv) {
        return argv.contains("-j") || argv.contains("sysctl") && !argv.contains("-w");
    }

    AgentSettings settings() { return RouterFixtures.settings(node, Map.of("external", "ext0"), state); }

    /** Routers, then L2 (which plugs the taps the routers made), as two agent reconciles would. */
    RouterReport realise(RouterRealiser routers, RouterPlan plan, boolean readBack) {
        RouterReport report = readBack ? routers.reconcile(plan) : routers.update(plan);
        assertTrue(report.succeeded(), report.errors().toString());
        ReconcileReport plugged = new L2Realiser(Lab.SHELL, new Iproute2(node)).reconcile(l2);
        assertTrue(plugged.succeeded(), plugged.errors().toString());
        return report;
    }

    String routerNs(String id) { return settings().serviceNamespace("qrouter-", id); }

    @Test
    void snatFloatingIpAndHairpin() {
        RouterRealiser routers = realiser();
        RouterReport report = realise(routers, base(), true);
        assertTrue(report.changed());
        assertEquals(List.of(), report.notes());

        assertEquals("203.0.113.1", lab.sourceSeen(vms.get(VM2), ext, EXTERNAL, 8080), "a VM without a floating IP leaves as the gateway");
        assertEquals(FIP, lab.sourceSeen(vms.get(VM1), ext, EXTERNAL, 8080), "the VM with the floating IP leaves as it");
        assertTrue(lab.reaches(ext, FIP), "the outside pings the floating IP");
        assertEquals(EXTERNAL, lab.sourceSeen(ext, vms.get(VM1), FIP, SSH), "the VM sees the real client");
        assertEquals("10.0.0.1", lab.sourceSeen(vms.get(VM2), vms.get(VM1), FIP, SSH), "hairpin: another tenant VM reaches the floating IP");
        assertTrue(lab.reaches(vms.get(VM1), "2001:db8:a::1"), "the router answers on its IPv6 address");
        assertFalse(lab.ping(ext, "10.0.0.10"), "fixed addresses are not reachable from outside");
        assertEquals("1\n", lab.run("ip", "netns", "exec", routerNs(ROUTER_A), "sysctl", "-n", "net.ipv4.ip_forward"));
    }

    @Test
    void twoProjectsWithTheSameCidrLeaveThroughTheirOwnGateways() {
        realise(realiser(), base(), true);
        assertEquals("203.0.113.1", lab.sourceSeen(vms.get(VM2), ext, EXTERNAL, 8080));
        assertEquals("203.0.113.2", lab.sourceSeen(vms.get(VM3), ext, EXTERNAL, 8080), "10.0.0.10 of project B is not project A's 10.0.0.10");
        assertTrue(lab.reaches(vms.get(VM3), EXTERNAL));
        assertEquals(FIP, lab.sourceSeen(vms.get(VM1), ext, EXTERNAL, 8080), "project A's 10.0.0.10 still has the floating IP");
    }

    @Test
    void floatingIpRemovedThenMovedToAnotherVm() {
        RouterRealiser routers = realiser();
        realise(routers, base(), true);
        assertEquals(EXTERNAL, lab.sourceSeen(ext, vms.get(VM1), FIP, SSH));

        RouterPlan without = plan(routerA(List.of(), List.of()), routerB());
        RouterReport removed = realise(routers, without, false);
        assertTrue(removed.changes().stream().anyMatch(c -> c.contains("addr del " + FIP + "/32")), removed.changes().toString());
        assertFalse(lab.ping(ext, FIP), "no answer once the floating IP is gone");
        assertNull(lab.sourceSeen(ext, vms.get(VM1), FIP, SSH), "no connection once the floating IP is gone");
        assertEquals("203.0.113.1", lab.sourceSeen(vms.get(VM1), ext, EXTERNAL, 8080), "VM1 now leaves through source NAT");

        RouterPlan moved = plan(routerA(List.of(fip("10.0.0.11")), List.of()), routerB());
        realise(routers, moved, false);
        routers.awaitAnnouncements(Duration.ofSeconds(10));
        assertEquals(EXTERNAL, lab.sourceSeen(ext, vms.get(VM2), FIP, SSH), "the floating IP now leads to VM2");
        assertEquals(FIP, lab.sourceSeen(vms.get(VM2), ext, EXTERNAL, 8080));
        assertEquals("203.0.113.1", lab.sourceSeen(vms.get(VM1), ext, EXTERNAL, 8080));
    }

    @Test
    void extraRouteLeadsToANetworkBehindAVm() {
        vm(VM4, "vm4", "10.0.0.30/24");
        lab.run("ip", "-n", vms.get(VM4), "addr", "add", "10.20.0.5/32", "dev", "lo");
        RouterRealiser routers = realiser();
        realise(routers, base(), true);
        assertFalse(lab.ping(vms.get(VM2), "10.20.0.5"), "without the route the router sends it outside");

        RouterPlan routed = plan(routerA(List.of(fip("10.0.0.10")), List.of(new RouterPlan.Route("10.20.0.0/24", "10.0.0.30"))), routerB());
        realise(routers, routed, false);
        assertTrue(lab.reaches(vms.get(VM2), "10.20.0.5"));
        assertTrue(lab.run("ip", "-n", routerNs(ROUTER_A), "route", "show", "10.20.0.0/24").contains("via 10.0.0.30"));

        realise(routers, base(), false);
        assertFalse(lab.ping(vms.get(VM2), "10.20.0.5"), "the route is gone again");
    }

    @Test
    void metadataRequestsAreRedirectedToTheRoutersProxyPort() {
        realise(realiser(), base(), true);
        String ns = routerNs(ROUTER_A);
        assertTrue(metadata.calls.contains("ensure " + ns + " 0.0.0.0:9697 " + ROUTER_A), metadata.calls.toString());
        assertTrue(metadata.calls.contains("remove " + routerNs(ROUTER_B)), "router B asks for no metadata: " + metadata.calls);
        assertTrue(lab.run("ip", "netns", "exec", ns, "nft", "list", "table", "ip", "skein_router")
                .contains("iifname \"qr-*\" ip daddr 169.254.169.254 tcp dport 80 redirect to :9697"));
        L3Lab.Server proxy = lab.server(ns, RouterNat.METADATA_PORT);
        assertTrue(lab.connects(vms.get(VM1), "169.254.169.254", 80));
        assertEquals("10.0.0.10", proxy.next(), "the proxy sees the VM's own address");
        assertTrue(lab.connects(vms.get(VM1), "10.0.0.1", RouterNat.METADATA_PORT), "tenant networks may reach the proxy port");
        assertEquals("10.0.0.10", proxy.next());
        assertFalse(lab.connects(ext, "203.0.113.1", RouterNat.METADATA_PORT), "the external network may not");
        proxy.stop();
    }

    @Test
    void restartedAgentChangesNothingAndLosesNoPacket() {
        realise(realiser(), base(), true);
        assertTrue(lab.reaches(ext, FIP));
        writes.clear();
        Process ping = lab.pinging(ext, FIP, 60, 50);
        RouterRealiser restarted = realiser();
        RouterReport report = restarted.reconcile(base());
        assertEquals(List.of(), report.changes());
        assertTrue(report.succeeded(), report.errors().toString());
        assertEquals(List.of(), writes, "a restarted agent sends no command");
        assertEquals(List.of(), restarted.update(base()).changes());
        String summary = L3Lab.summary(ping);
        assertTrue(summary.contains(" 0% packet loss"), summary);
    }

    @Test
    void handEditsAreRepairedOnTheNextReadBack() {
        RouterRealiser routers = realiser();
        realise(routers, base(), true);
        // A gratuitous ARP still on its way would teach the outside the floating IP again.
        routers.awaitAnnouncements(Duration.ofSeconds(10));
        String ns = routerNs(ROUTER_A);
        String qg = RouterDiff.gatewayDevice(GW_A);

        lab.run("ip", "-n", ns, "addr", "del", FIP + "/32", "dev", qg);
        // Until its ARP entry expires the outside would still reach the router, whose table still translates.
        lab.run("ip", "-n", ext, "neigh", "flush", "all");
        assertFalse(lab.ping(ext, FIP), "nobody answers ARP for the floating IP");
        RouterReport repaired = realise(routers, base(), true);
        assertEquals(List.of("router " + ROUTER_A + ": ip addr add " + FIP + "/32 dev " + qg + "  # " + FIP + "/32 missing"),
                repaired.changes());
        assertTrue(lab.reaches(ext, FIP));

        lab.run("ip", "netns", "exec", ns, "nft", "delete", "table", "ip", "skein_router");
        assertNull(lab.sourceSeen(ext, vms.get(VM1), FIP, SSH), "without the table the router itself answers the floating IP");
        assertEquals(List.of(), routers.update(base()).changes(), "an update trusts what it realised last");
        repaired = realise(routers, base(), true);
        assertEquals(1, repaired.changes().size(), repaired.changes().toString());
        assertEquals(EXTERNAL, lab.sourceSeen(ext, vms.get(VM1), FIP, SSH));

        lab.run("ip", "-n", node, "link", "del", DeviceNames.tap(IF_A));
        assertFalse(lab.ping(vms.get(VM1), "10.0.0.1"));
        RouterReport recreated = realise(routers, base(), false);
        assertTrue(recreated.changed(), "a router whose tap went is redone even by an update");
        assertTrue(lab.reaches(vms.get(VM1), "10.0.0.1"));
    }

    @Test
    void routersGoneFromThePlanAreRemovedWithTheirTaps() {
        RouterRealiser routers = realiser();
        realise(routers, base(), true);
        assertTrue(lab.run("ip", "netns", "list").contains(routerNs(ROUTER_B)));

        RouterRealiser restarted = realiser();
        RouterReport report = realise(restarted, plan(routerA(List.of(fip("10.0.0.10")), List.of())), true);
        assertEquals(List.of("router " + ROUTER_B + ": namespace " + routerNs(ROUTER_B) + " deleted"), report.changes());
        assertFalse(lab.run("ip", "netns", "list").contains(routerNs(ROUTER_B)));
        assertFalse(lab.run("ip", "-n", node, "-br", "link", "show").contains(DeviceNames.tap(GW_B)), "router B's taps went with it");
        assertTrue(metadata.calls.contains("remove " + routerNs(ROUTER_B)));
        assertTrue(lab.reaches(ext, FIP), "router A is untouched");
        List<String> left = new ArrayList<>(List.of(state.resolve("routers").toFile().list()));
        assertEquals(List.of(ROUTER_A), left);
    }
}
