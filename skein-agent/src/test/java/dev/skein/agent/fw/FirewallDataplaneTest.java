package dev.skein.agent.fw;

import dev.skein.agent.CommandRunner;
import dev.skein.ipam.Eui64;
import dev.skein.ipam.IpAddresses;
import dev.skein.plan.DeviceNames;
import dev.skein.plan.fw.FirewallCompiler;
import dev.skein.plan.fw.FirewallIntent;
import dev.skein.plan.fw.FirewallIntent.Direction;
import dev.skein.plan.fw.FirewallPlan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import inet.ipaddr.IPAddressString;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real packets through a realised firewall: the hypervisor is a namespace holding a bridge and Skein's nft
 * tables, VMs are namespaces plugged into the bridge. Needs root; fails (never skips) without it, and deletes
 * every namespace and stops every process it started after each test, pass or fail.
 */
class FirewallDataplaneTest {
    static final String NET = "5e5e5e5e-0000-4000-8000-000000000001";
    static final String P1 = "a1a1a1a1-0000-4000-8000-000000000001";
    static final String P2 = "a2a2a2a2-0000-4000-8000-000000000002";
    static final String P3 = "a3a3a3a3-0000-4000-8000-000000000003";
    static final String WEB = "0eb00000-0000-4000-8000-000000000001";
    static final String OPEN = "0be00000-0000-4000-8000-000000000002";
    static final String MEMBERS = "3e3e0000-0000-4000-8000-000000000003";
    static final String FROM_MEMBERS = "f3f30000-0000-4000-8000-000000000004";
    static final String BRIDGE = DeviceNames.bridge(NET);

    FwLab lab;
    String host;
    final List<List<String>> commands = new CopyOnWriteArrayList<>();

    @BeforeEach
    void hypervisor() {
        String missing = FwLab.missing();
        assertNull(missing, "firewall data-plane tests need root, iproute2, nftables, ping and python3; missing: " + missing);
        lab = new FwLab();
        host = lab.netns("h");
        lab.bridge(host, BRIDGE);
    }

    @AfterEach
    void cleanUp() {
        if (lab != null) lab.close();
    }

    static String mac(String portId) { return "fa:16:3e:00:00:" + portId.substring(1, 2) + portId.substring(35, 36); }

    static String tap(String portId) { return DeviceNames.tap(portId); }

    static FirewallIntent.Port port(String id, List<String> ips, List<String> groups, FirewallIntent.AddressPair... pairs) {
        return new FirewallIntent.Port(id, NET, tap(id), mac(id), ips, List.of(pairs), true, groups);
    }

    static FirewallIntent.Port unfiltered(String id, String ip) {
        return new FirewallIntent.Port(id, NET, tap(id), mac(id), List.of(ip), List.of(), false, List.of());
    }

    static FirewallIntent.Rule rule(Direction d, String ethertype, String protocol, Integer min, Integer max, String prefix, String group) {
        return new FirewallIntent.Rule(d, ethertype, protocol, min, max, prefix, group);
    }

    static final List<FirewallIntent.Rule> ANY_EGRESS = List.of(
            rule(Direction.EGRESS, "IPv4", null, null, null, null, null), rule(Direction.EGRESS, "IPv6", null, null, null, null, null));

    static FirewallIntent.SecurityGroup group(String id, List<FirewallIntent.Rule> ingress) {
        List<FirewallIntent.Rule> all = new ArrayList<>(ANY_EGRESS);
        all.addAll(ingress);
        return new FirewallIntent.SecurityGroup(id, all);
    }

    /** tcp/22 and icmp from 192.0.2.0/28 only. */
    static final FirewallIntent.SecurityGroup WEB_GROUP = group(WEB, List.of(
            rule(Direction.INGRESS, "IPv4", "tcp", 22, 22, "192.0.2.0/28", null),
            rule(Direction.INGRESS, "IPv4", "icmp", null, null, "192.0.2.0/28", null)));
    static final FirewallIntent.SecurityGroup OPEN_GROUP = group(OPEN, List.of(
            rule(Direction.INGRESS, "IPv4", null, null, null, null, null), rule(Direction.INGRESS, "IPv6", null, null, null, null, null)));
    static final FirewallIntent.SecurityGroup REMOTE_GROUP = group(FROM_MEMBERS, List.of(
            rule(Direction.INGRESS, "IPv4", "icmp", null, null, null, MEMBERS)));

    static FirewallPlan plan(List<FirewallIntent.Port> ports, Map<String, List<String>> members) {
        return FirewallCompiler.compile(new FirewallIntent(ports, List.of(WEB_GROUP, OPEN_GROUP, REMOTE_GROUP), members));
    }

    static FirewallPlan plan(FirewallIntent.Port... ports) { return plan(List.of(ports), Map.of()); }

    FirewallRealiser realiser() {
        CommandRunner recording = (argv, stdin) -> {
            commands.add(argv);
            return FwLab.SHELL.run(argv, stdin);
        };
        return new FirewallRealiser(recording, new Nft(host));
    }

    static FirewallReport ok(FirewallReport report) {
        assertTrue(report.succeeded(), report.errors().toString());
        return report;
    }

    String vm(String portId, String... cidrs) {
        return lab.pluggedVm("vm" + portId.charAt(1), host, BRIDGE, tap(portId), mac(portId), cidrs);
    }

    @Test
    void securityGroupLetsInExactlyWhatItAllowsAndRepliesToEgressPass() {
        String vm1 = vm(P1, "192.0.2.10/24", "2001:db8::10/64"), vm2 = vm(P2, "192.0.2.11/24"), vm3 = vm(P3, "192.0.2.20/24", "2001:db8::20/64");
        lab.listen(vm1, 22, 80);
        lab.listen(vm3, 80);
        ok(realiser().reconcile(plan(port(P1, List.of("192.0.2.10", "2001:db8::10"), List.of(WEB)),
                unfiltered(P2, "192.0.2.11"), unfiltered(P3, "192.0.2.20"))));

        assertTrue(lab.connects(vm2, "192.0.2.10", 22), "tcp/22 from inside 192.0.2.0/28");
        assertFalse(lab.connects(vm2, "192.0.2.10", 80), "tcp/80 is not allowed");
        assertTrue(lab.reaches(vm2, "192.0.2.10"), "icmp from inside the prefix");
        assertFalse(lab.ping(vm3, "192.0.2.10"), "icmp from outside the prefix");
        assertFalse(lab.connects(vm3, "192.0.2.10", 22), "tcp/22 from outside the prefix");
        assertTrue(lab.reaches(vm1, "192.0.2.20"), "vm1's own echo requests get their replies");
        assertTrue(lab.connects(vm1, "192.0.2.20", 80), "vm1's own connection gets its SYN-ACK");
        assertTrue(lab.connects(vm1, "2001:db8::20", 80), "and so does its own IPv6 connection");
        assertFalse(lab.connects(vm3, "2001:db8::10", 80), "while IPv6 towards vm1 is not allowed at all");
    }

    @Test
    void remoteGroupRuleFollowsMembershipThroughItsSet() {
        String vm2 = vm(P2, "192.0.2.11/24");
        vm(P1, "192.0.2.10/24");
        FirewallRealiser realiser = realiser();
        List<FirewallIntent.Port> ports = List.of(port(P1, List.of("192.0.2.10"), List.of(FROM_MEMBERS)), unfiltered(P2, "192.0.2.11"));
        ok(realiser.reconcile(plan(ports, Map.of(MEMBERS, List.of("192.0.2.30")))));
        assertFalse(lab.ping(vm2, "192.0.2.10"), "vm2 is not a member yet");

        FirewallReport joined = ok(realiser.update(plan(ports, Map.of(MEMBERS, List.of("192.0.2.30", "192.0.2.11")))));
        assertEquals(List.of("add element bridge skein rg4-" + MEMBERS + " { 192.0.2.11 }"),
                joined.commands().stream().map(NftCommand::line).toList());
        assertTrue(lab.reaches(vm2, "192.0.2.10"), "a member may ping");
        String chain = lab.nft(host, "", "list", "chain", "bridge", "skein", FirewallCompiler.ingressChain(P1));
        assertEquals(1, count(chain, "@rg4-" + MEMBERS), chain);

        FirewallReport left = ok(realiser.update(plan(ports, Map.of(MEMBERS, List.of("192.0.2.30")))));
        assertEquals(List.of("delete element bridge skein rg4-" + MEMBERS + " { 192.0.2.11 }"),
                left.commands().stream().map(NftCommand::line).toList());
        assertFalse(lab.ping(vm2, "192.0.2.10"), "no longer a member");
    }

    @Test
    void spoofedAddressesMacsAndArpFromAVmAreDropped() throws Exception {
        String vm1 = vm(P1, "192.0.2.10/24", "2001:db8::10/64"), vm2 = vm(P2, "192.0.2.11/24", "2001:db8::11/64");
        String vm3 = vm(P3, "192.0.2.20/24");
        // Control: without the firewall a forged ARP reply from vm1 poisons vm3's cache, so the check below can fail.
        assertTrue(forgedArpPoisons(vm1, vm3));
        lab.run("ip", "-n", vm3, "neigh", "flush", "all");
        ok(realiser().reconcile(plan(port(P1, List.of("192.0.2.10", "2001:db8::10"), List.of(OPEN),
                        new FirewallIntent.AddressPair("192.0.2.50", null)),
                unfiltered(P2, "192.0.2.11"), unfiltered(P3, "192.0.2.20"))));

        assertTrue(lab.reaches(vm1, "192.0.2.11"), "own MAC and address");
        assertTrue(lab.reaches(vm1, "2001:db8::11"), "own IPv6 address, with neighbour discovery passing the checks");
        lab.run("ip", "-n", vm1, "addr", "add", "192.0.2.50/32", "dev", "eth0");
        assertTrue(lab.reaches(vm1, "192.0.2.11", "-I", "192.0.2.50"), "allowed address pair");

        lab.run("ip", "-n", vm1, "addr", "add", "192.0.2.99/32", "dev", "eth0");
        lab.run("ip", "-n", vm1, "neigh", "replace", "192.0.2.11", "lladdr", mac(P2), "dev", "eth0", "nud", "permanent");
        lab.run("ip", "-n", vm2, "neigh", "replace", "192.0.2.99", "lladdr", mac(P1), "dev", "eth0", "nud", "permanent");
        assertFalse(lab.ping(vm1, "192.0.2.11", "-I", "192.0.2.99"), "spoofed IPv4 source");
        lab.run("ip", "-n", vm1, "addr", "add", "2001:db8::99/64", "dev", "eth0", "nodad");
        assertFalse(lab.ping(vm1, "2001:db8::11", "-I", "2001:db8::99"), "spoofed IPv6 source");

        assertFalse(forgedArpPoisons(vm1, vm3), "forged ARP reply claiming vm2's address");

        lab.run("ip", "-n", vm1, "link", "set", "eth0", "address", "fa:16:3e:00:00:66");
        assertFalse(lab.ping(vm1, "192.0.2.11"), "spoofed source MAC");
    }

    /** vm3 learns vm2's MAC, then vm1 sends ARP replies claiming vm2's address; true if vm3 now has vm1's MAC for it. */
    boolean forgedArpPoisons(String vm1, String vm3) throws InterruptedException {
        assertTrue(lab.reaches(vm3, "192.0.2.11"));
        Thread.sleep(1100);  // past the neighbour entry's locktime, so an update would be taken
        String m1 = mac(P1).replace(":", ""), m3 = mac(P3).replace(":", "");
        lab.sendFrame(vm1, m3 + m1 + "0806" + "0001080006040002" + m1 + hexIp("192.0.2.11") + m3 + hexIp("192.0.2.20"));
        Thread.sleep(200);
        return lab.run("ip", "-n", vm3, "neigh", "show", "192.0.2.11").contains(mac(P1));
    }

    static String hexIp(String ip) {
        StringBuilder out = new StringBuilder();
        for (String octet : ip.split("\\.")) out.append(String.format("%02x", Integer.parseInt(octet)));
        return out.toString();
    }

    @Test
    void forgedNeighbourAdvertsRouterAdvertsAndDhcpOffersFromAVmAreDropped() throws Exception {
        String vm1 = vm(P1, "192.0.2.10/24", "2001:db8::10/64"), vm2 = vm(P2, "192.0.2.11/24", "2001:db8::11/64");
        String vm3 = vm(P3, "192.0.2.12/24", "2001:db8::12/64");
        // Controls: without the firewall each forgery works, so the checks below can fail.
        assertTrue(forgedAdvertPoisons(vm1, vm3, "2001:db8::11", mac(P1)), "advert for vm2's address");
        assertTrue(forgedAdvertPoisons(vm1, vm3, "2001:db8::10", mac(P2)), "advert for its own address naming vm2's MAC");
        assertTrue(routerAdvertTaken(vm1, vm3));
        assertTrue(lab.udpDelivered(vm1, vm2, "192.0.2.11", 67, 68), "DHCP server reply");
        lab.run("ip", "-n", vm3, "neigh", "flush", "all");
        lab.run("ip", "-n", vm3, "-6", "route", "del", "default");
        ok(realiser().reconcile(plan(port(P1, List.of("192.0.2.10", "2001:db8::10"), List.of(OPEN)),
                unfiltered(P2, "192.0.2.11"), unfiltered(P3, "192.0.2.12"))));

        assertFalse(forgedAdvertPoisons(vm1, vm3, "2001:db8::11", mac(P1)), "advert for another port's address");
        assertFalse(forgedAdvertPoisons(vm1, vm3, "2001:db8::10", mac(P2)), "target link-layer address that is not the sender's");
        assertTrue(forgedAdvertPoisons(vm1, vm3, "2001:db8::10", mac(P1)), "an honest advert passes");
        assertFalse(routerAdvertTaken(vm1, vm3), "router advertisement from a VM");
        assertFalse(lab.udpDelivered(vm1, vm2, "192.0.2.11", 67, 68), "DHCP server reply from a VM");
        assertTrue(lab.udpDelivered(vm1, vm2, "192.0.2.11", 1067, 68), "the same datagram from another port passes");
    }

    static String linkLocal(String mac) {
        return IpAddresses.format(6, Eui64.address(IpAddresses.parsePrefix("fe80::/64"), mac));
    }

    static String hex6(String address) {
        return HexFormat.of().formatHex(new IPAddressString(address).getAddress().getBytes());
    }

    /** vm3 learns target, then vm1 advertises target at lladdr with the override flag; true if vm3 now has lladdr for it. */
    boolean forgedAdvertPoisons(String vm1, String vm3, String target, String lladdr) {
        assertTrue(lab.reaches(vm3, target));
        lab.sendIcmp6(vm1, mac(P1), mac(P3), linkLocal(mac(P1)), "2001:db8::12", 136,
                "20000000" + hex6(target) + "0201" + lladdr.replace(":", ""));
        return lab.run("ip", "-n", vm3, "neigh", "show", target).contains(lladdr);
    }

    /** vm1 advertises itself as a default router to all nodes; true if vm3 installed the route. */
    boolean routerAdvertTaken(String vm1, String vm3) throws InterruptedException {
        lab.sendIcmp6(vm1, mac(P1), "33:33:00:00:00:01", linkLocal(mac(P1)), "ff02::1", 134, "40000708" + "00000000" + "00000000");
        Thread.sleep(200);
        return lab.run("ip", "-n", vm3, "-6", "route", "show", "default").contains("via");
    }

    @Test
    void portSecurityDisabledLiftsAllFiltering() {
        String vm1 = vm(P1, "192.0.2.10/24");
        String vm2 = vm(P2, "192.0.2.11/24");
        FirewallRealiser realiser = realiser();
        ok(realiser.reconcile(plan(port(P1, List.of("192.0.2.10"), List.of()), unfiltered(P2, "192.0.2.11"))));
        assertFalse(lab.ping(vm2, "192.0.2.10"), "no group: ingress denied");

        ok(realiser.update(plan(unfiltered(P1, "192.0.2.10"), unfiltered(P2, "192.0.2.11"))));
        assertTrue(lab.reaches(vm2, "192.0.2.10"));
        lab.run("ip", "-n", vm1, "addr", "add", "192.0.2.99/32", "dev", "eth0");
        assertTrue(lab.reaches(vm1, "192.0.2.11", "-I", "192.0.2.99"), "no anti-spoofing either");
        String maps = lab.nft(host, "", "list", "table", "bridge", "skein");
        assertFalse(maps.contains(tap(P1)), "the port is in no dispatch map");
        assertFalse(maps.contains(FirewallCompiler.spoofChain(P1)), "and has no chains");
    }

    @Test
    void changesReconcilesAndARestartLoseNoPacketOfAContinuousPing() throws Exception {
        String vm1 = vm(P1, "192.0.2.10/24");
        vm(P2, "192.0.2.11/24");
        vm(P3, "192.0.2.12/24");
        FirewallIntent.Port p1 = port(P1, List.of("192.0.2.10"), List.of(OPEN)), p2 = port(P2, List.of("192.0.2.11"), List.of(OPEN));
        FirewallIntent.Port p3 = port(P3, List.of("192.0.2.12"), List.of(WEB));
        FirewallRealiser realiser = realiser();
        ok(realiser.reconcile(plan(p1, p2)));
        assertTrue(lab.reaches(vm1, "192.0.2.11"));

        Process ping = lab.start(List.of("ip", "netns", "exec", vm1, "ping", "-n", "-q", "-i", "0.01", "-c", "300", "-W", "1", "192.0.2.11"));
        Thread.sleep(300);
        ok(realiser.update(plan(p1, p2, p3)));
        lab.nft(host, "", "delete", "rule", "bridge", "skein", FirewallCompiler.ingressChain(P3), "handle",
                handleOf(FirewallCompiler.ingressChain(P3), "tcp dport 22"));
        assertTrue(ok(realiser.reconcile(plan(p1, p2, p3))).changed(), "the hand-deleted rule is put back");
        FirewallReport restarted = ok(realiser().reconcile(plan(p1, p2, p3)));
        assertEquals(List.of(), restarted.commands(), "a restarted agent finds nothing to change");
        ok(realiser.update(plan(p1, p2)));
        ok(realiser.update(plan(List.of(p1, p2), Map.of(MEMBERS, List.of("192.0.2.99")))));

        String out = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ping.waitFor();
        assertTrue(out.contains("300 packets transmitted, 300 received"), out);
    }

    @Test
    void handMadeChangesInSkeinsTablesAreRepairedAndTheOperatorsTablesAreUntouched() {
        String operator = """
                table inet operator {
                  set blocked { type ipv4_addr; elements = { 198.51.100.7 } }
                  chain screen { type filter hook forward priority 10; policy accept; ip saddr @blocked drop; }
                }
                table bridge operator {
                  chain pre { type filter hook prerouting priority 10; policy accept; ether saddr 02:00:00:00:00:99 drop; }
                }
                """;
        lab.nft(host, operator, "-f", "-");
        String before = lab.nft(host, "", "list", "table", "inet", "operator") + lab.nft(host, "", "list", "table", "bridge", "operator");
        String vm2 = vm(P2, "192.0.2.11/24");
        vm(P1, "192.0.2.10/24");
        FirewallPlan plan = plan(port(P1, List.of("192.0.2.10"), List.of(WEB)), unfiltered(P2, "192.0.2.11"));
        FirewallRealiser realiser = realiser();
        ok(realiser.reconcile(plan));
        assertTrue(lab.reaches(vm2, "192.0.2.10"));

        String ingress = FirewallCompiler.ingressChain(P1);
        lab.nft(host, "", "delete", "rule", "bridge", "skein", ingress, "handle", handleOf(ingress, "l4proto icmp"));
        assertFalse(lab.ping(vm2, "192.0.2.10"), "the hand-deleted rule took icmp away");
        FirewallReport repaired = ok(realiser.reconcile(plan));
        assertTrue(repaired.commands().stream().anyMatch(c -> c.line().equals("flush chain bridge skein " + ingress)), repaired.commands().toString());
        assertTrue(lab.reaches(vm2, "192.0.2.10"), "restored");

        lab.nft(host, "", "insert", "rule", "bridge", "skein", ingress, "ip", "saddr", "192.0.2.11", "tcp", "dport", "80", "accept");
        lab.nft(host, "", "add", "element", "bridge", "skein", FirewallCompiler.INGRESS_MAP, "{ \"bogus0\" : accept }");
        lab.nft(host, "", "add", "chain", "bridge", "skein", "stray-chain");
        FirewallReport cleaned = ok(realiser.reconcile(plan));
        assertEquals(List.of(
                "delete element bridge skein port-ingress { \"bogus0\" }",
                "flush chain bridge skein " + ingress,
                "delete chain bridge skein stray-chain"), cleaned.commands().stream().map(NftCommand::line).limit(3).toList());

        lab.nft(host, "", "delete", "table", "bridge", "skein");
        assertTrue(ok(realiser.reconcile(plan)).changed());
        assertTrue(lab.reaches(vm2, "192.0.2.10"), "a deleted table is rebuilt");
        assertEquals(List.of(), ok(realiser.reconcile(plan)).commands(), "and then nothing differs");

        String after = lab.nft(host, "", "list", "table", "inet", "operator") + lab.nft(host, "", "list", "table", "bridge", "operator");
        assertEquals(before, after);
    }

    String handleOf(String chain, String containing) {
        Matcher m = Pattern.compile("(?m)^\\s*(.*) # handle (\\d+)$").matcher(lab.nft(host, "", "-a", "list", "chain", "bridge", "skein", chain));
        while (m.find()) if (m.group(1).contains(containing)) return m.group(2);
        throw new AssertionError("no rule with '" + containing + "' in " + chain);
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }
}
