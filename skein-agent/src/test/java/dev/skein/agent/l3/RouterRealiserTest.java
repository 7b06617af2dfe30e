package dev.skein.agent.l3;

import dev.skein.agent.CommandRunner;
import dev.skein.agent.fw.NftState;
import dev.skein.plan.DeviceNames;
import dev.skein.plan.l3.RouterPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The router diff, the NAT table text and the command sequence, without a kernel: reads are answered with output
 * recorded from a real kernel (src/test/resources/l3: "converged" is {@link #plan()} as realised on a network
 * node, "fresh" a namespace just created), writes are recorded.
 */
class RouterRealiserTest {
    static final String ROUTER = "7a000000-0000-4000-8000-00000000000a";
    static final String OTHER = "7b000000-0000-4000-8000-00000000000b";
    static final String EXT_NET = "e0e0e0e0-0000-4000-8000-000000000001";
    static final String NET = "aaaaaaaa-0000-4000-8000-000000000001";
    static final String GW = "9a000000-0000-4000-8000-0000000000a1", IF = "1a000000-0000-4000-8000-0000000000a2";
    static final String QG = "qg-9a000000-00", QR = "qr-1a000000-00";
    static final String HOST = "node";
    static final String NS = HOST + "-qrouter-" + ROUTER;

    static RouterPlan.Router router(List<RouterPlan.FloatingIp> fips, List<RouterPlan.Route> routes) {
        return new RouterPlan.Router(ROUTER, "project-a",
                new RouterPlan.Gateway(GW, EXT_NET, "fa:16:3e:9a:00:a1", 1500, List.of("203.0.113.1/24"), List.of("203.0.113.100"), true),
                List.of(new RouterPlan.Interface(IF, NET, "fa:16:3e:1a:00:a2", 1450, List.of("10.0.0.1/24", "2001:db8:a::1/64"))),
                routes, fips, true);
    }

    static RouterPlan.FloatingIp fip(String floating, String fixed) {
        return new RouterPlan.FloatingIp("f" + floating.replace(".", ""), floating, fixed);
    }

    static final RouterPlan.Route EXTRA = new RouterPlan.Route("10.20.0.0/24", "10.0.0.30");

    /** The plan the "converged" recording realises. */
    static RouterPlan plan() { return new RouterPlan(List.of(router(List.of(fip("203.0.113.50", "10.0.0.10")), List.of(EXTRA)))); }

    @TempDir
    Path state;
    final RouterFixtures.RecordingMetadata metadata = new RouterFixtures.RecordingMetadata();

    RouterRealiser realiser(Kernel kernel) {
        return new RouterRealiser(kernel, RouterFixtures.settings(HOST, Map.of(), state), metadata, Runnable::run);
    }

    static String resource(String file) {
        try (InputStream in = RouterRealiserTest.class.getResourceAsStream("/l3/" + file)) {
            if (in == null) throw new IllegalArgumentException("no recording " + file);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers reads from recordings (or what a test put instead) and records everything else as a write. */
    static final class Kernel implements CommandRunner {
        String namespaces = "[]";
        String hostLinks = "[]";
        String addrRoutes = resource("fresh-addr-routes.json");
        String routes6 = "[]";
        String sysctl = resource("fresh-sysctl.txt");
        String nft = null;
        final Map<String, String> linksInside = new HashMap<>();
        Result writeResult = new Result(0, "", "");
        final List<String> reads = new ArrayList<>();
        final List<String> writes = new ArrayList<>();

        static Kernel converged() {
            Kernel k = new Kernel();
            k.namespaces = "[{\"name\":\"" + NS + "\"}]";
            k.hostLinks = resource("converged-host-links.json");
            k.addrRoutes = resource("converged-addr-routes.json");
            k.routes6 = resource("converged-routes6.json");
            k.sysctl = resource("converged-sysctl.txt");
            k.nft = resource("converged-nft.json");
            return k;
        }

        @Override
        public Result run(List<String> argv, String stdin) {
            String line = String.join(" ", argv);
            if (line.equals("ip -j netns list")) return read(line, namespaces);
            if (line.equals("ip -n " + HOST + " -j link show")) return read(line, hostLinks);
            if (line.matches("ip -n \\S+ -j link show")) return read(line, linksInside.getOrDefault(argv.get(2), "[]"));
            if (line.matches("ip -n \\S+ -d -j -batch -")) return read(line, addrRoutes);
            if (line.matches("ip -n \\S+ -6 -j route show")) return read(line, routes6);
            if (line.matches("ip netns exec \\S+ sysctl net\\..*")) return read(line, sysctl);
            if (line.matches("ip netns exec \\S+ nft -j list table ip skein_router")) {
                reads.add(line);
                return nft == null ? new Result(1, "", "Error: No such file or directory\nlist table ip skein_router\n") : new Result(0, nft, "");
            }
            writes.add(stdin.isEmpty() ? line : line + "\n" + stdin);
            return writeResult;
        }

        private Result read(String line, String out) {
            reads.add(line);
            return new Result(0, out, "");
        }
    }

    static String fingerprinted(String rule) { return rule + " comment \"" + NftState.fingerprint(rule) + "\""; }

    @Test
    void rendersTheNatTable() {
        List<String> notes = new ArrayList<>();
        RouterNat nat = RouterNat.of(router(List.of(fip("203.0.113.51", "10.0.0.11"), fip("203.0.113.50", "10.0.0.10")), List.of()), notes);
        assertEquals(List.of(), notes);
        assertEquals("""
                table ip skein_router {
                \tmap fip_dnat { type ipv4_addr : ipv4_addr; elements = { 203.0.113.50 : 10.0.0.10, 203.0.113.51 : 10.0.0.11 } }
                \tmap fip_snat { type ipv4_addr : ipv4_addr; elements = { 10.0.0.10 : 203.0.113.50, 10.0.0.11 : 203.0.113.51 } }
                \tset snat_sources { type ipv4_addr; flags interval; elements = { 10.0.0.0/24 } }
                \tchain prerouting {
                \t\ttype nat hook prerouting priority -100; policy accept;
                \t\t%s
                \t\t%s
                \t}
                \tchain output {
                \t\ttype nat hook output priority -100; policy accept;
                \t\t%s
                \t}
                \tchain postrouting {
                \t\ttype nat hook postrouting priority 100; policy accept;
                \t\t%s
                \t\t%s
                \t\t%s
                \t}
                \tchain input {
                \t\ttype filter hook input priority 0; policy accept;
                \t\t%s
                \t}
                }
                """.formatted(
                fingerprinted("iifname \"qr-*\" ip daddr 169.254.169.254 tcp dport 80 redirect to :9697"),
                fingerprinted("dnat to ip daddr map @fip_dnat"),
                fingerprinted("dnat to ip daddr map @fip_dnat"),
                fingerprinted("oifname \"" + QG + "\" snat to ip saddr map @fip_snat"),
                fingerprinted("oifname \"" + QG + "\" ip saddr @snat_sources snat to 203.0.113.1"),
                fingerprinted("iifname \"qr-*\" oifname \"qr-*\" ct status dnat masquerade"),
                fingerprinted("iifname != \"qr-*\" tcp dport 9697 drop")), nat.render());
        assertTrue(nat.transaction().startsWith("table ip skein_router\ndelete table ip skein_router\ntable ip skein_router {\n"),
                "the table is replaced whole, in one transaction, whether or not it exists");
    }

    @Test
    void routerWithoutGatewayOrMetadataOnlyKeepsTheHairpin() {
        List<String> notes = new ArrayList<>();
        RouterPlan.Router bare = new RouterPlan.Router(ROUTER, "p", null,
                List.of(new RouterPlan.Interface(IF, NET, "fa:16:3e:1a:00:a2", 1450, List.of("10.0.0.1/24"))), List.of(),
                List.of(fip("203.0.113.50", "10.0.0.10")), false);
        RouterNat nat = RouterNat.of(bare, notes);
        assertEquals(List.of("floating IP 203.0.113.50 not realised: the router has no external gateway"), notes);
        assertEquals(List.of(List.of("dnat to ip daddr map @fip_dnat"), List.of("dnat to ip daddr map @fip_dnat"),
                List.of("iifname \"qr-*\" oifname \"qr-*\" ct status dnat masquerade"), List.of()),
                nat.chains().stream().map(RouterNat.NatChain::rules).toList());
        assertEquals(Map.of(), nat.floatingIps());
    }

    @Test
    void fromScratchTheCommandsComeInOrder() throws IOException {
        Kernel kernel = new Kernel();
        RouterReport report = realiser(kernel).reconcile(plan());
        assertTrue(report.succeeded(), report.errors().toString());
        assertEquals(List.of(), report.notes());
        String tapGw = DeviceNames.tap(GW), tapIf = DeviceNames.tap(IF);
        String nat = RouterNat.of(plan().routers().get(0), new ArrayList<>()).transaction();
        assertEquals(List.of(
                "ip netns add " + NS,
                "ip -n " + HOST + " -force -batch -\n"
                        + "link add " + tapIf + " mtu 1450 type veth peer name " + QR + " address fa:16:3e:1a:00:a2 mtu 1450 netns " + NS + "\n"
                        + "link add " + tapGw + " mtu 1500 type veth peer name " + QG + " address fa:16:3e:9a:00:a1 mtu 1500 netns " + NS + "\n",
                "ip netns exec " + NS + " sysctl -q -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.promote_secondaries=1 "
                        + "net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
                "ip netns exec " + NS + " nft -f -\n" + nat,
                "ip -n " + NS + " -force -batch -\n"
                        + "link set lo up\n"
                        + "link set " + QR + " up\n"
                        + "link set " + QG + " up\n"
                        + "addr add 10.0.0.1/24 dev " + QR + "\n"
                        + "addr add 2001:db8:a::1/64 dev " + QR + " nodad\n"
                        + "addr add 203.0.113.1/24 dev " + QG + "\n"
                        + "addr add 203.0.113.50/32 dev " + QG + "\n"
                        + "route replace 0.0.0.0/0 proto static via 203.0.113.100\n"
                        + "route replace 10.20.0.0/24 proto static via 10.0.0.30\n",
                "ip netns exec " + NS + " sh -c " + announceScript() + " sh " + QG + " 203.0.113.1 203.0.113.50"), kernel.writes);
        assertEquals(List.of("ensure " + NS + " 0.0.0.0:9697 " + ROUTER), metadata.calls);
        assertEquals(NS + "\n", Files.readString(state.resolve("routers").resolve(ROUTER)), "the namespace is marked as this agent's");
    }

    static String announceScript() {
        return "dev=$1; shift; for a; do arping -q -U -c 2 -I \"$dev\" \"$a\" || echo \"$a\" & done; wait";
    }

    @Test
    void convergedRouterGetsNoCommand() {
        Kernel kernel = Kernel.converged();
        RouterReport report = realiser(kernel).reconcile(plan());
        assertTrue(report.succeeded(), report.errors().toString());
        assertEquals(List.of(), report.changes());
        assertEquals(List.of(), kernel.writes);
        assertEquals(List.of("ip -j netns list", "ip -n " + NS + " -d -j -batch -", "ip -n " + NS + " -6 -j route show",
                "ip netns exec " + NS + " sysctl net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.promote_secondaries net.ipv4.ip_forward net.ipv6.conf.all.forwarding",
                "ip netns exec " + NS + " nft -j list table ip skein_router", "ip -n " + HOST + " -j link show"), kernel.reads);
    }

    @Test
    void updateOfAnUnchangedRouterOnlyLooksForItsTaps() {
        Kernel kernel = Kernel.converged();
        RouterRealiser realiser = realiser(kernel);
        realiser.reconcile(plan());
        kernel.reads.clear();
        RouterReport report = realiser.update(plan());
        assertEquals(List.of(), report.changes());
        assertEquals(List.of("ip -n " + HOST + " -j link show"), kernel.reads);
        assertEquals(List.of(), kernel.writes);

        kernel.hostLinks = "[]";
        kernel.reads.clear();
        assertTrue(realiser.update(plan()).changed(), "taps gone from the host: the router is done again");
        assertTrue(kernel.reads.contains("ip -n " + NS + " -d -j -batch -"));
    }

    @Test
    void addedFloatingIpIsTranslatedBeforeItsAddressAppearsAndIsAnnounced() {
        Kernel kernel = Kernel.converged();
        RouterPlan more = new RouterPlan(List.of(router(List.of(fip("203.0.113.50", "10.0.0.10"), fip("203.0.113.51", "10.0.0.11")), List.of(EXTRA))));
        RouterReport report = realiser(kernel).reconcile(more);
        assertEquals(List.of(
                "router " + ROUTER + ": nft table ip skein_router replaced (elements of fip_dnat differ)",
                "router " + ROUTER + ": ip addr add 203.0.113.51/32 dev " + QG + "  # 203.0.113.51/32 missing"), report.changes());
        assertEquals(3, kernel.writes.size(), kernel.writes.toString());
        assertTrue(kernel.writes.get(0).startsWith("ip netns exec " + NS + " nft -f -\n"));
        assertEquals("ip -n " + NS + " -force -batch -\naddr add 203.0.113.51/32 dev " + QG + "\n", kernel.writes.get(1));
        assertEquals("ip netns exec " + NS + " sh -c " + announceScript() + " sh " + QG + " 203.0.113.51", kernel.writes.get(2));
    }

    @Test
    void movedFloatingIpDropsItsConnectionsAndIsAnnounced() {
        Kernel kernel = Kernel.converged();
        RouterPlan moved = new RouterPlan(List.of(router(List.of(fip("203.0.113.50", "10.0.0.12")), List.of(EXTRA))));
        RouterReport report = realiser(kernel).reconcile(moved);
        assertEquals(List.of("router " + ROUTER + ": nft table ip skein_router replaced (elements of fip_dnat differ)"), report.changes());
        assertEquals(3, kernel.writes.size(), kernel.writes.toString());
        assertTrue(kernel.writes.get(1).startsWith("ip netns exec " + NS + " sh -c command -v conntrack"), kernel.writes.get(1));
        assertTrue(kernel.writes.get(1).endsWith(" sh 203.0.113.50"), kernel.writes.get(1));
        assertTrue(kernel.writes.get(2).endsWith(" sh " + QG + " 203.0.113.50"), kernel.writes.get(2));
    }

    @Test
    void removedFloatingIpAndRouteGoAndTheirConnectionsAreDropped() {
        Kernel kernel = Kernel.converged();
        RouterReport report = realiser(kernel).reconcile(new RouterPlan(List.of(router(List.of(), List.of()))));
        assertTrue(report.succeeded(), report.errors().toString());
        assertEquals("ip -n " + NS + " -force -batch -\nroute del 10.20.0.0/24 proto static\naddr del 203.0.113.50/32 dev " + QG + "\n",
                kernel.writes.get(1));
        assertTrue(kernel.writes.get(2).startsWith("ip netns exec " + NS + " sh -c command -v conntrack"));
        assertEquals(3, kernel.writes.size(), "nothing announced: " + kernel.writes);
    }

    @Test
    void changedSubnetAddressSendsTheRoutesAgain() {
        Kernel kernel = Kernel.converged();
        RouterPlan.Router r = router(List.of(fip("203.0.113.50", "10.0.0.10")), List.of(EXTRA));
        RouterPlan.Gateway gw = r.gateway();
        RouterPlan narrower = new RouterPlan(List.of(new RouterPlan.Router(ROUTER, r.projectId(),
                new RouterPlan.Gateway(gw.portId(), gw.networkId(), gw.mac(), gw.mtu(), List.of("203.0.113.1/25"), gw.nexthops(), true),
                r.interfaces(), r.routes(), r.floatingIps(), true)));
        RouterReport report = realiser(kernel).reconcile(narrower);
        assertTrue(report.succeeded(), report.errors().toString());
        assertEquals("ip -n " + NS + " -force -batch -\n"
                + "addr del 203.0.113.1/24 dev " + QG + "\n"
                + "addr add 203.0.113.1/25 dev " + QG + "\n"
                + "route replace 0.0.0.0/0 proto static via 203.0.113.100\n"
                + "route replace 10.20.0.0/24 proto static via 10.0.0.30\n", kernel.writes.get(0),
                "the kernel drops the default route with the /24, so it is sent again");
    }

    @Test
    void handChangedDevicesAreSetRightOrRecreated() {
        Kernel kernel = Kernel.converged();
        kernel.addrRoutes = kernel.addrRoutes.replace("\"mtu\":1450", "\"mtu\":1400").replace("fa:16:3e:9a:00:a1", "fa:16:3e:ff:ff:ff");
        RouterReport report = realiser(kernel).reconcile(plan());
        assertTrue(report.succeeded(), report.errors().toString());
        assertEquals("ip -n " + NS + " -force -batch -\nlink set " + QR + " mtu 1450\nlink set " + QG + " address fa:16:3e:9a:00:a1\n",
                kernel.writes.get(0));

        Kernel foreignTap = Kernel.converged();
        // The host's tap now points at another peer: the pair is rebuilt and everything on the device sent again.
        foreignTap.hostLinks = foreignTap.hostLinks.replaceFirst("\"link_index\":\\d+", "\"link_index\":999");
        RouterReport rebuilt = realiser(foreignTap).reconcile(plan());
        assertTrue(rebuilt.succeeded(), rebuilt.errors().toString());
        String before = foreignTap.writes.get(0), host = foreignTap.writes.get(1), inside = foreignTap.writes.get(2);
        assertTrue(before.startsWith("ip -n " + NS + " -force -batch -\nlink del "), before);
        assertTrue(host.startsWith("ip -n " + HOST + " -force -batch -\nlink del tap"), host);
        assertTrue(host.contains(" type veth peer name "), host);
        assertTrue(inside.contains("route replace 0.0.0.0/0 proto static via 203.0.113.100\n"), "routes sent again: " + inside);
    }

    @Test
    void staleRouterIsRemovedWithItsDevices() throws IOException {
        Files.createDirectories(state.resolve("routers"));
        Files.writeString(state.resolve("routers").resolve(OTHER), "");
        Kernel kernel = Kernel.converged();
        String other = HOST + "-qrouter-" + OTHER;
        kernel.namespaces = "[{\"name\":\"" + NS + "\"},{\"name\":\"" + other + "\"},{\"name\":\"" + HOST + "-qrouter-not-ours\"}]";
        kernel.linksInside.put(other, "[{\"ifindex\":1,\"ifname\":\"lo\"},{\"ifindex\":2,\"ifname\":\"qr-1b000000-00\"},{\"ifindex\":3,\"ifname\":\"qg-9b000000-00\"}]");
        RouterReport report = realiser(kernel).reconcile(plan());
        assertTrue(report.succeeded(), report.errors().toString());
        assertEquals(List.of("router " + OTHER + ": namespace " + other + " deleted"), report.changes());
        assertEquals(List.of("ip -n " + other + " -force -batch -\nlink del qr-1b000000-00\nlink del qg-9b000000-00\n", "ip netns del " + other),
                kernel.writes);
        assertEquals(List.of("remove " + other, "ensure " + NS + " 0.0.0.0:9697 " + ROUTER), metadata.calls);
        assertFalse(Files.exists(state.resolve("routers").resolve(OTHER)));
    }

    @Test
    void whatCannotBeRealisedIsANoteNotAnError() {
        Kernel kernel = Kernel.converged();
        RouterPlan odd = new RouterPlan(List.of(router(List.of(fip("203.0.113.50", "10.0.0.10"), fip("2001:db8::50", "2001:db8:a::10")),
                List.of(EXTRA, new RouterPlan.Route("10.30.0.0/24", "192.168.7.1"), new RouterPlan.Route("10.40.0.0/24", "2001:db8:a::7")))));
        RouterReport report = realiser(kernel).reconcile(odd);
        assertTrue(report.succeeded(), report.errors().toString());
        assertEquals(List.of(
                "router " + ROUTER + ": floating IP f2001:db8::50 (2001:db8::50 -> 2001:db8:a::10) not realised: only IPv4 addresses are translated",
                "router " + ROUTER + ": route 10.30.0.0/24 via 192.168.7.1 not realised: the nexthop is on none of the router's subnets",
                "router " + ROUTER + ": route 10.40.0.0/24 via 2001:db8:a::7 not realised: not a destination and nexthop of one IP version"),
                report.notes());
        assertEquals(List.of(), kernel.writes);
    }

    @Test
    void failedBatchIsAnErrorAndTheNextUpdateReadsBack() {
        Kernel kernel = new Kernel();
        kernel.namespaces = "[{\"name\":\"" + NS + "\"}]";
        kernel.writeResult = new CommandRunner.Result(1, "", "RTNETLINK answers: Operation not permitted");
        RouterRealiser realiser = realiser(kernel);
        RouterReport report = realiser.reconcile(plan());
        assertFalse(report.succeeded());
        assertTrue(report.errors().get(0).startsWith("router " + ROUTER + ": "), report.errors().toString());
        kernel.reads.clear();
        realiser.update(plan());
        assertTrue(kernel.reads.contains("ip netns exec " + NS + " nft -j list table ip skein_router"), "nothing is trusted after a failure");
    }

    @Test
    void routesAreReadWhateverTheirProtocolAndPaths() {
        RouterState s = RouterState.parse("[]\n" + """
                [{"type":"unicast","dst":"default","gateway":"203.0.113.100","dev":"qg-x","protocol":"static","scope":"global","flags":[]},
                 {"type":"unicast","dst":"10.7.0.0/16","protocol":"static","scope":"global","flags":[],
                  "nexthops":[{"gateway":"10.0.0.7","dev":"qr-x","weight":1,"flags":[]},{"gateway":"10.0.0.5","dev":"qr-x","weight":1,"flags":[]}]},
                 {"type":"unicast","dst":"10.8.0.5","gateway":"10.0.0.6","dev":"qr-x","protocol":"boot","scope":"global","flags":[]},
                 {"type":"unicast","dst":"10.0.0.0/24","dev":"qr-x","protocol":"kernel","scope":"link","flags":[]},
                 {"type":"blackhole","dst":"10.9.0.0/16","protocol":"boot","flags":[]}]""")
                .withIpv6Routes("[{\"dst\":\"default\",\"gateway\":\"2001:DB8::1\",\"dev\":\"qg-x\",\"metric\":1024,\"flags\":[]}]")
                .withSysctls("net.ipv4.ip_forward = 1\n");
        assertEquals(List.of(
                new RouterState.Route("0.0.0.0/0", List.of("203.0.113.100"), "qg-x", "static", null),
                new RouterState.Route("10.7.0.0/16", List.of("10.0.0.5", "10.0.0.7"), "qr-x", "static", null),
                new RouterState.Route("10.8.0.5/32", List.of("10.0.0.6"), "qr-x", "boot", null),
                new RouterState.Route("10.0.0.0/24", List.of(), "qr-x", "kernel", null),
                new RouterState.Route("::/0", List.of("2001:db8::1"), "qg-x", "boot", 1024)), s.routes());
        assertEquals(Map.of("net.ipv4.ip_forward", "1"), s.sysctls());
    }
}
