package dev.skein.plan.fw;

import dev.skein.plan.DeviceNames;
import dev.skein.plan.fw.FirewallIntent.AddressPair;
import dev.skein.plan.fw.FirewallIntent.Direction;
import dev.skein.plan.fw.FirewallIntent.Rule;
import dev.skein.plan.fw.FirewallIntent.SecurityGroup;
import dev.skein.plan.fw.FirewallPlan.Chain;
import dev.skein.plan.fw.FirewallPlan.Family;
import dev.skein.plan.fw.FirewallPlan.NamedSet;
import dev.skein.plan.fw.FirewallPlan.SetKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FirewallCompilerTest {
    static final String NET = "0a1b2c3d-4e5f-4a6b-8c7d-0123456789ab";
    static final String P1 = "11111111-1111-4111-8111-111111111111";
    static final String P2 = "22222222-2222-4222-8222-222222222222";
    static final String SG = "5a5a5a5a-0000-4000-8000-000000000001";
    static final String OTHER = "6b6b6b6b-0000-4000-8000-000000000002";
    static final String MAC1 = "fa:16:3e:00:00:11";

    static FirewallIntent.Port port(String id, String mac, List<String> ips, List<String> groups, AddressPair... pairs) {
        return new FirewallIntent.Port(id, NET, DeviceNames.tap(id), mac, ips, List.of(pairs), true, groups);
    }

    static Rule in(String ethertype, String protocol, Integer min, Integer max, String prefix) {
        return new Rule(Direction.INGRESS, ethertype, protocol, min, max, prefix, null);
    }

    static FirewallPlan compile(List<FirewallIntent.Port> ports, List<SecurityGroup> groups, Map<String, List<String>> members) {
        return FirewallCompiler.compile(new FirewallIntent(ports, groups, members));
    }

    static FirewallPlan.Table bridge(FirewallPlan plan) { return plan.table(Family.BRIDGE, FirewallCompiler.TABLE); }

    static Chain chain(FirewallPlan plan, String name) {
        return bridge(plan).chains().stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    static NamedSet set(FirewallPlan plan, Family family, String name) {
        return plan.table(family, FirewallCompiler.TABLE).sets().stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    /** The security-group part of a port's ingress (or egress) chain: between the invalid-state drop and the goto to the shared tail. */
    static List<String> groupRules(FirewallPlan plan, String chainName) {
        List<String> rules = chain(plan, chainName).rules();
        assertEquals("meta mark & 0x40000000 == 0x40000000 drop", rules.getFirst(), "conntrack's invalid verdict drops first");
        assertTrue(rules.getLast().equals("goto " + FirewallCompiler.EGRESS_BASE) || rules.getLast().equals("goto " + FirewallCompiler.INGRESS_BASE));
        return rules.subList(1, rules.size() - 1);
    }

    static List<String> ingressOf(Rule... rules) {
        FirewallPlan plan = compile(List.of(port(P1, MAC1, List.of("192.0.2.10"), List.of(SG))),
                List.of(new SecurityGroup(SG, List.of(rules))), Map.of());
        return groupRules(plan, FirewallCompiler.ingressChain(P1));
    }

    @Test
    void everyKindOfRuleCompilesToOneNftRule() {
        assertEquals(List.of(
                "ether type ip accept",
                "ether type ip icmp type 8 icmp code 0 accept",
                "ether type ip ip saddr 10.0.0.0/24 meta l4proto udp accept",
                "ether type ip ip saddr 192.0.2.0/28 tcp dport 22 accept",
                "ether type ip meta l4proto 47 accept",
                "ether type ip meta l4proto icmp accept",
                "ether type ip sctp dport 1000-2000 accept",
                "ether type ip6 icmpv6 type 128 accept",
                "ether type ip6 ip6 saddr 2001:db8::/32 meta l4proto ipv6-icmp accept",
                "ether type ip6 meta l4proto 112 accept"),
                ingressOf(
                        in("IPv4", null, null, null, null),
                        in("IPv4", "icmp", 8, 0, null),
                        in("IPv4", "udp", null, null, "10.0.0.7/24"),
                        in("IPv4", "tcp", 22, 22, "192.0.2.0/28"),
                        in("IPv4", "47", null, null, "0.0.0.0/0"),
                        in("IPv4", "icmp", null, null, null),
                        in("IPv4", "sctp", 1000, 2000, null),
                        in("IPv6", "icmp", 128, null, null),
                        in("IPv6", "ipv6-icmp", null, null, "2001:db8::/32"),
                        in("IPv6", "vrrp", null, null, null)));
    }

    @Test
    void portRangesAndProtocolsFollowNeutron() {
        assertEquals(List.of("ether type ip meta l4proto 47 accept"), ingressOf(in("IPv4", "gre", null, null, null)));
        assertEquals(List.of("ether type ip meta l4proto tcp accept"), ingressOf(in("IPv4", "tcp", 1, 65535, null)));
        assertEquals(List.of("ether type ip udp dport 53 accept"), ingressOf(in("IPv4", "UDP", 53, null, null)));
        assertEquals(List.of("ether type ip meta l4proto tcp accept"), ingressOf(in("IPv4", "6", null, null, null)));
        assertEquals(List.of("ether type ip6 ip6 saddr 2001:db8::5 tcp dport 443 accept"),
                ingressOf(in("IPv6", "tcp", 443, 443, "2001:db8::5/128")));
    }

    @Test
    void egressRulesReturnToTheForwardChainAndMatchTheDestination() {
        FirewallPlan plan = compile(List.of(port(P1, MAC1, List.of("192.0.2.10"), List.of(SG))), List.of(new SecurityGroup(SG, List.of(
                new Rule(Direction.EGRESS, "IPv4", "tcp", 80, 80, "198.51.100.0/24", null),
                new Rule(Direction.EGRESS, "IPv6", null, null, null, null, null)))), Map.of());
        assertEquals(List.of("ether type ip ip daddr 198.51.100.0/24 tcp dport 80 return", "ether type ip6 return"),
                groupRules(plan, FirewallCompiler.egressChain(P1)));
        assertEquals("goto " + FirewallCompiler.EGRESS_BASE, chain(plan, FirewallCompiler.egressChain(P1)).rules().getLast());
        List<String> shared = chain(plan, FirewallCompiler.EGRESS_BASE).rules();
        assertTrue(shared.contains("ether type ip udp sport 68 udp dport 67 return"), "DHCP requests always leave");
        assertEquals("drop", shared.getLast(), "anything else is dropped");
        assertEquals(List.of(), groupRules(plan, FirewallCompiler.ingressChain(P1)), "no ingress rule: ingress is denied");
    }

    @Test
    void rulesThatCannotBeExpressedAreLeftOutAndReported() {
        FirewallPlan plan = compile(List.of(port(P1, MAC1, List.of("192.0.2.10"), List.of(SG, "missing-group"))),
                List.of(new SecurityGroup(SG, List.of(
                        in("IPv4", "no-such-protocol", null, null, null),
                        in("IPv4", "tcp", null, null, "2001:db8::/32"),
                        in("IPv4", "tcp", 90, 80, null),
                        in("IPv4", "icmp", 300, null, null),
                        in("IPv5", null, null, null, null),
                        in("IPv4", "tcp", 22, 22, "192.0.2.0/24")))), Map.of());
        assertEquals(List.of("ether type ip ip saddr 192.0.2.0/24 tcp dport 22 accept"), groupRules(plan, FirewallCompiler.ingressChain(P1)));
        assertEquals(6, plan.problems().size(), plan.problems().toString());
        assertTrue(plan.problems().stream().anyMatch(p -> p.contains("missing-group is unknown; it allows nothing")));
    }

    @Test
    void remoteGroupIsOneRulePerPortAndOneSetPerGroupAndFamily() {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 500; i++) members.add("10.0." + (i / 250) + "." + (i % 250));
        members.addAll(List.of("10.9.0.0/16", "10.9.3.4", "2001:db8::7", "10.0.0.1"));
        Rule fromMembers = new Rule(Direction.INGRESS, "IPv4", "tcp", 22, 22, null, OTHER);
        FirewallPlan plan = compile(List.of(port(P1, MAC1, List.of("10.0.0.1"), List.of(SG)), port(P2, "fa:16:3e:00:00:22", List.of("10.0.0.2"), List.of(SG))),
                List.of(new SecurityGroup(SG, List.of(fromMembers))), Map.of(OTHER, members));

        String set = "rg4-" + OTHER;
        for (String p : List.of(P1, P2)) {
            assertEquals(List.of("ether type ip ip saddr @" + set + " tcp dport 22 accept"), groupRules(plan, FirewallCompiler.ingressChain(p)));
        }
        NamedSet s = set(plan, Family.BRIDGE, set);
        assertEquals(SetKind.IPV4_ADDRESSES, s.kind());
        assertEquals(501, s.elements().size(), "duplicates and the address inside 10.9.0.0/16 are folded");
        assertTrue(s.elements().contains("10.9.0.0/16"));
        assertFalse(s.elements().contains("10.9.3.4"));
        assertNull(set(plan, Family.BRIDGE, "rg6-" + OTHER), "no IPv6 rule refers to the group");
        long sets = bridge(plan).sets().stream().filter(x -> x.name().startsWith("rg")).count();
        assertEquals(1, sets);
    }

    @Test
    void antiSpoofingAllowsExactlyThePortsOwnAddressesAndMacs() {
        FirewallPlan plan = compile(List.of(port(P1, MAC1, List.of("192.0.2.10", "2001:db8::10"), List.of(),
                        new AddressPair("192.0.2.64/26", null), new AddressPair("198.51.100.5", "fa:16:3e:00:00:99"))),
                List.of(), Map.of());
        String nd = FirewallCompiler.neighbourChain(P1);
        assertEquals(List.of(
                "jump spoof-base",
                "ether saddr fa:16:3e:00:00:11 icmpv6 type nd-neighbor-solicit @th,192,8 1 @th,208,48 != 0xfa163e000011 drop",
                "ether saddr fa:16:3e:00:00:11 icmpv6 type nd-neighbor-advert @th,192,8 2 @th,208,48 != 0xfa163e000011 drop",
                "ether saddr fa:16:3e:00:00:99 icmpv6 type nd-neighbor-solicit @th,192,8 1 @th,208,48 != 0xfa163e000099 drop",
                "ether saddr fa:16:3e:00:00:99 icmpv6 type nd-neighbor-advert @th,192,8 2 @th,208,48 != 0xfa163e000099 drop",
                "ether type ip6 icmpv6 type nd-neighbor-advert jump " + nd,
                "ether type ip6 ip6 saddr :: icmpv6 type nd-neighbor-solicit jump " + nd,
                "ether saddr fa:16:3e:00:00:11 ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 udp dport 67 return",
                "ether saddr fa:16:3e:00:00:11 ip saddr 192.0.2.10 return",
                "ether saddr fa:16:3e:00:00:11 ip saddr 192.0.2.64/26 return",
                "ether saddr fa:16:3e:00:00:99 ip saddr 198.51.100.5 return",
                "ether saddr fa:16:3e:00:00:11 arp saddr ether fa:16:3e:00:00:11 arp saddr ip 192.0.2.10 return",
                "ether saddr fa:16:3e:00:00:11 arp saddr ether fa:16:3e:00:00:11 arp saddr ip 192.0.2.64/26 return",
                "ether saddr fa:16:3e:00:00:99 arp saddr ether fa:16:3e:00:00:99 arp saddr ip 198.51.100.5 return",
                "ether saddr fa:16:3e:00:00:11 arp saddr ether fa:16:3e:00:00:11 arp saddr ip 0.0.0.0 return",
                "ether saddr fa:16:3e:00:00:11 ip6 saddr 2001:db8::10 return",
                "ether saddr fa:16:3e:00:00:11 ip6 saddr fe80::f816:3eff:fe00:11 return",
                "ether saddr fa:16:3e:00:00:99 ip6 saddr fe80::f816:3eff:fe00:99 return",
                "ether saddr fa:16:3e:00:00:11 ip6 saddr :: icmpv6 type nd-neighbor-solicit return",
                "ether saddr fa:16:3e:00:00:11 ip6 saddr :: icmpv6 type mld2-listener-report return",
                "drop"), chain(plan, FirewallCompiler.spoofChain(P1)).rules());
        assertEquals(List.of(
                "@th,64,128 0x20010db8000000000000000000000010 return",
                "@th,64,128 0xfe80000000000000f8163efffe000011 return",
                "@th,64,128 0xfe80000000000000f8163efffe000099 return",
                "drop"), chain(plan, nd).rules(), "neighbour advertisements only for the port's own IPv6 addresses");
        assertEquals(List.of(
                "ether type ip udp sport 67 drop",
                "ether type ip6 udp sport 547 drop",
                "ether type ip6 icmpv6 type nd-router-advert drop",
                "ether type ip6 icmpv6 type nd-redirect drop"), chain(plan, FirewallCompiler.SPOOF_BASE).rules(),
                "no VM may answer as a DHCP server or a router");
        List<String> ingress = chain(plan, FirewallCompiler.INGRESS_BASE).rules();
        assertTrue(ingress.contains("ether type arp accept"));
        assertTrue(ingress.contains("ether type ip udp sport 67 udp dport 68 accept"), "DHCP replies reach the VM");
    }

    @Test
    void anIpv6PrefixPairIsCheckedByMaskInNeighbourDiscovery() {
        FirewallPlan plan = compile(List.of(port(P1, MAC1, List.of(), List.of(), new AddressPair("2001:db8:1::/64", null))), List.of(), Map.of());
        assertTrue(chain(plan, FirewallCompiler.neighbourChain(P1)).rules().contains(
                "@th,64,128 & 0xffffffffffffffff0000000000000000 == 0x20010db8000100000000000000000000 return"));
    }

    @Test
    void portsAreDispatchedThroughVerdictMapsByInterfaceName() {
        FirewallPlan plan = compile(List.of(port(P1, MAC1, List.of("192.0.2.10"), List.of()),
                port(P2, "fa:16:3e:00:00:22", List.of("192.0.2.11"), List.of())), List.of(), Map.of());
        String tap1 = DeviceNames.tap(P1), tap2 = DeviceNames.tap(P2);
        assertEquals(List.of("\"" + tap1 + "\" : jump as-" + P1, "\"" + tap2 + "\" : jump as-" + P2),
                set(plan, Family.BRIDGE, FirewallCompiler.SPOOF_MAP).elements());
        assertEquals(List.of("\"" + tap1 + "\" : jump eg-" + P1, "\"" + tap2 + "\" : jump eg-" + P2),
                set(plan, Family.BRIDGE, FirewallCompiler.EGRESS_MAP).elements());
        assertEquals(List.of("\"" + tap1 + "\" : jump ig-" + P1, "\"" + tap2 + "\" : jump ig-" + P2),
                set(plan, Family.BRIDGE, FirewallCompiler.INGRESS_MAP).elements());
        assertEquals(List.of("meta mark & 0x20000000 == 0x20000000 accept", "iifname vmap @port-egress", "oifname vmap @port-ingress"),
                chain(plan, FirewallCompiler.FORWARD).rules());
        assertEquals(new FirewallPlan.Hook("filter", "forward", -200, "accept"), chain(plan, FirewallCompiler.FORWARD).hook());
        assertEquals("iifname vmap @port-spoof", chain(plan, FirewallCompiler.PREROUTING).rules().getLast());

        String bridgeName = DeviceNames.bridge(NET);
        assertEquals(List.of("\"" + bridgeName + "\" : " + FirewallCompiler.conntrackZone(NET)), set(plan, Family.INET, FirewallCompiler.ZONE_MAP).elements());
        assertEquals(List.of("\"" + bridgeName + "\""), set(plan, Family.INET, FirewallCompiler.BRIDGE_SET).elements());
        FirewallPlan.Table inet = plan.table(Family.INET, FirewallCompiler.TABLE);
        assertEquals(List.of("ct zone set iifname map @ct-zones"), inet.chains().getFirst().rules());
        assertEquals(-300, inet.chains().getFirst().hook().priority(), "zones are set before conntrack runs");
    }

    @Test
    void portSecurityDisabledLeavesThePortOutOfEveryMap() {
        FirewallIntent.Port open = new FirewallIntent.Port(P1, NET, DeviceNames.tap(P1), MAC1, List.of("192.0.2.10"), List.of(), false, List.of(SG));
        FirewallPlan plan = compile(List.of(open), List.of(new SecurityGroup(SG, List.of(in("IPv4", null, null, null, null)))), Map.of());
        for (FirewallPlan.Table t : plan.tables()) {
            for (NamedSet s : t.sets()) assertEquals(List.of(), s.elements(), s.name());
            for (Chain c : t.chains()) {
                assertTrue(c.hook() != null || c.name().endsWith("-base"), "only the base and shared chains remain: " + c.name());
            }
        }
        assertEquals(List.of(), plan.problems());
    }

    @Test
    void sameIntentInAnyOrderGivesAnEqualPlan() {
        List<FirewallIntent.Port> ports = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = String.format("%08x-0000-4000-8000-000000000000", i);
            ports.add(port(id, String.format("fa:16:3e:00:01:%02x", i), List.of("10.0.0." + (i + 2)), List.of(SG, OTHER)));
        }
        List<Rule> rules = new ArrayList<>(List.of(in("IPv4", "tcp", 22, 22, null), in("IPv4", "icmp", null, null, "10.0.0.0/8"),
                new Rule(Direction.INGRESS, "IPv4", null, null, null, null, OTHER)));
        List<String> members = new ArrayList<>(List.of("10.0.0.2", "10.0.0.3", "10.1.0.0/16"));
        FirewallPlan first = compile(ports, List.of(new SecurityGroup(SG, rules), new SecurityGroup(OTHER, List.of())), Map.of(OTHER, members));
        Random random = new Random(7);
        Collections.shuffle(ports, random);
        Collections.shuffle(rules, random);
        Collections.shuffle(members, random);
        FirewallPlan second = compile(ports, List.of(new SecurityGroup(OTHER, List.of()), new SecurityGroup(SG, rules)), Map.of(OTHER, members));
        assertEquals(first, second);
    }

    @Test
    void aPortWithoutAValidMacGetsNoTrafficAtAll() {
        FirewallPlan plan = compile(List.of(port(P1, "not-a-mac", List.of("192.0.2.10"), List.of(SG))),
                List.of(new SecurityGroup(SG, List.of(in("IPv4", null, null, null, null)))), Map.of());
        assertEquals(List.of("drop"), chain(plan, FirewallCompiler.spoofChain(P1)).rules());
        assertEquals(List.of("drop"), chain(plan, FirewallCompiler.ingressChain(P1)).rules());
        assertTrue(plan.problems().getFirst().contains("no valid MAC address"));
    }

    @Test
    void theNetworksOwnPortsAreTrustedWithoutFilteringOrAntiSpoofing() {
        List<FirewallIntent.Port> ports = new ArrayList<>();
        String[] owners = {"network:dhcp", "network:router_interface", "network:router_gateway", "compute:nova", ""};
        for (int i = 0; i < owners.length; i++) {
            String id = String.format("%08d-1111-4111-8111-111111111111", i);
            ports.add(FirewallIntent.Port.of(new dev.skein.model.Port(id, "project", NET, "", "", true, "fa:16:3e:00:00:0" + i,
                    List.of(new dev.skein.model.FixedIp("subnet", "192.0.2." + (i + 1))), "device", owners[i], "net1", "normal",
                    List.of(), true, List.of(SG), "DOWN", List.of(), java.time.Instant.EPOCH, java.time.Instant.EPOCH, 1)));
        }
        assertEquals(List.of(false, false, false, true, true), ports.stream().map(FirewallIntent.Port::portSecurityEnabled).toList());
        FirewallPlan plan = compile(ports, List.of(new SecurityGroup(SG, List.of(in("IPv4", null, null, null, null)))), Map.of());
        List<String> filtered = List.of(DeviceNames.tap(ports.get(3).id()), DeviceNames.tap(ports.get(4).id()));
        for (String map : List.of(FirewallCompiler.SPOOF_MAP, FirewallCompiler.EGRESS_MAP, FirewallCompiler.INGRESS_MAP)) {
            List<String> taps = set(plan, Family.BRIDGE, map).elements().stream().map(e -> e.substring(1, e.indexOf('"', 1))).toList();
            assertEquals(filtered, taps, map + " holds only the tenants' ports");
        }
        assertNull(chain(plan, FirewallCompiler.spoofChain(ports.get(0).id())), "a DHCP port may answer as a DHCP server");
    }

    @Test
    void portsThatCannotBeNamedAreReported() {
        FirewallIntent.Port clash = new FirewallIntent.Port(P2, NET, DeviceNames.tap(P1), "fa:16:3e:00:00:22", List.of(), List.of(), true, List.of());
        FirewallIntent.Port badId = new FirewallIntent.Port("x;drop", NET, "tapx", MAC1, List.of(), List.of(), true, List.of());
        FirewallPlan plan = compile(List.of(port(P1, MAC1, List.of(), List.of()), clash, badId), List.of(), Map.of());
        assertEquals(1, set(plan, Family.BRIDGE, FirewallCompiler.SPOOF_MAP).elements().size());
        assertEquals(2, plan.problems().size(), plan.problems().toString());
        assertTrue(plan.problems().stream().anyMatch(p -> p.contains("is taken by port " + P1)));
    }

    @Test
    void namesAreDerivedFromIdsWithinNftLimits() {
        assertEquals("as-" + P1, FirewallCompiler.spoofChain(P1));
        assertEquals("rg6-" + SG, FirewallCompiler.remoteGroupSet(6, SG));
        assertEquals(FirewallCompiler.conntrackZone(NET), FirewallCompiler.conntrackZone(NET));
        assertTrue(FirewallCompiler.conntrackZone(NET) >= 1 && FirewallCompiler.conntrackZone(NET) <= 65535);
        assertEquals("10.0.0.0/24", NftText.address("10.0.0.9/24"));
        assertEquals("2001:db8::1", NftText.address("2001:DB8:0::1/128"));
        assertNull(NftText.address("10.0.0.300"));
    }
}
