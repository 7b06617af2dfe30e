package dev.skein.plan.fw;

import dev.skein.ipam.Eui64;
import dev.skein.ipam.IpAddresses;
import dev.skein.ipam.MacAddresses;
import dev.skein.plan.DeviceNames;
import dev.skein.plan.fw.FirewallIntent.Direction;
import dev.skein.plan.fw.FirewallPlan.Chain;
import dev.skein.plan.fw.FirewallPlan.Family;
import dev.skein.plan.fw.FirewallPlan.Hook;
import dev.skein.plan.fw.FirewallPlan.NamedSet;
import dev.skein.plan.fw.FirewallPlan.SetKind;
import dev.skein.plan.fw.FirewallPlan.Table;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Compiles a host's {@link FirewallPlan} from its {@link FirewallIntent}. Pure and deterministic.
 *
 * <p>Layout. Conntrack cannot run in the bridge family, so {@code table inet skein} tracks the bridged traffic
 * of Skein's bridges (a conntrack zone per network, so overlapping tenant addresses never share state) and
 * hands its verdict on as two bits of the packet mark. {@code table bridge skein} holds the policy: its
 * prerouting chain sends every frame from a filtered port through that port's anti-spoofing chain, its forward
 * chain accepts established traffic on the mark and otherwise runs the egress chain of the ingoing port and the
 * ingress chain of the outgoing port. Both dispatches are verdict-map lookups by interface name, so the cost per
 * packet does not depend on how many ports the host has. A port without port security is in no map and so is
 * not filtered at all. What every port shares (the allowances for ARP, DHCP and neighbour discovery, the ban on
 * answering as a DHCP server or router) lives once in shared chains that the port chains jump or go to.
 *
 * <p>Remote groups become one named set of member addresses per (group, IP version) and one rule that matches
 * it; membership changes are element changes, never rule changes.
 */
public final class FirewallCompiler {
    public static final String TABLE = "skein";
    /** Mark bits the inet table sets for the bridge table; chosen high to stay clear of typical routing marks. */
    public static final int MARK_ESTABLISHED = 0x20000000;
    public static final int MARK_INVALID = 0x40000000;

    public static final String PREROUTING = "port-prerouting";
    public static final String FORWARD = "port-forward";
    public static final String SPOOF_MAP = "port-spoof";
    public static final String EGRESS_MAP = "port-egress";
    public static final String INGRESS_MAP = "port-ingress";
    public static final String CT_ZONE_CHAIN = "ct-zone";
    public static final String CT_MARK_CHAIN = "ct-mark";
    public static final String ZONE_MAP = "ct-zones";
    public static final String BRIDGE_SET = "ct-bridges";
    /** Shared tails and heads of the per-port chains, so each port carries only what is its own. */
    public static final String SPOOF_BASE = "spoof-base";
    public static final String EGRESS_BASE = "egress-base";
    public static final String INGRESS_BASE = "ingress-base";

    /** Every name carries a hyphen, so no Skein name can ever be read as an nft keyword. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");
    private static final Map<String, Integer> PROTOCOLS = protocols();
    private static final Map<Integer, String> PORT_PROTOCOLS = Map.of(6, "tcp", 17, "udp", 33, "dccp", 132, "sctp", 136, "udplite");
    private static final int ICMP = 1;
    private static final int ICMPV6 = 58;
    private static final IpAddresses.Prefix LINK_LOCAL = IpAddresses.parsePrefix("fe80::/64");
    private static final String INVALID_DROP = "meta mark & " + hex(MARK_INVALID) + " == " + hex(MARK_INVALID) + " drop";

    private FirewallCompiler() {}

    public static String spoofChain(String portId) { return "as-" + portId; }

    public static String neighbourChain(String portId) { return "nd-" + portId; }

    public static String egressChain(String portId) { return "eg-" + portId; }

    public static String ingressChain(String portId) { return "ig-" + portId; }

    public static String remoteGroupSet(int version, String groupId) { return "rg" + version + "-" + groupId; }

    /** A stable zone per network (1..65535); a change of zone would turn live connections into new ones. */
    public static int conntrackZone(String networkId) {
        CRC32 crc = new CRC32();
        crc.update(networkId.getBytes(StandardCharsets.UTF_8));
        return 1 + (int) (crc.getValue() % 65535);
    }

    public static FirewallPlan compile(FirewallIntent intent) {
        return new FirewallCompiler.Run(intent).compile();
    }

    private static final class Run {
        private final FirewallIntent intent;
        private final List<String> problems = new ArrayList<>();
        private final Map<String, FirewallIntent.SecurityGroup> groups = new HashMap<>();
        private final List<Chain> portChains = new ArrayList<>();
        private final TreeSet<String> spoof = new TreeSet<>();
        private final TreeSet<String> egress = new TreeSet<>();
        private final TreeSet<String> ingress = new TreeSet<>();
        /** (version, group id) of every remote group a local rule refers to. */
        private final TreeSet<String> remoteSets = new TreeSet<>();
        private final TreeMap<String, Integer> zones = new TreeMap<>();
        private final Map<String, List<List<String>>> compiledGroups = new HashMap<>();

        Run(FirewallIntent intent) { this.intent = intent; }

        FirewallPlan compile() {
            for (FirewallIntent.SecurityGroup g : intent.groups()) {
                if (groups.putIfAbsent(g.id(), g) != null) problems.add("security group " + g.id() + " listed twice; the first is used");
            }
            Map<String, String> portByTap = new HashMap<>();
            for (FirewallIntent.Port p : intent.ports().stream().sorted(Comparator.comparing(FirewallIntent.Port::id)).toList()) {
                if (!p.portSecurityEnabled()) continue;
                if (!ID.matcher(p.id()).matches()) {
                    problems.add("port '" + p.id() + "' left out: its id cannot name a chain");
                    continue;
                }
                if (!NftText.ifname(p.tap())) {
                    problems.add("port " + p.id() + " left out: '" + p.tap() + "' is not an interface name");
                    continue;
                }
                String owner = portByTap.putIfAbsent(p.tap(), p.id());
                if (owner != null) {
                    problems.add("port " + p.id() + " left out: its interface " + p.tap() + " is taken by port " + owner);
                    continue;
                }
                port(p);
            }
            return new FirewallPlan(List.of(bridgeTable(), inetTable()), problems);
        }

        private void port(FirewallIntent.Port p) {
            zone(p);
            String mac = MacAddresses.normalize(p.mac());
            String as = spoofChain(p.id()), eg = egressChain(p.id()), ig = ingressChain(p.id());
            if (mac == null) {
                // Without a MAC nothing the port sends can be told apart from spoofing: it gets no traffic at all.
                problems.add("port " + p.id() + " has no valid MAC address; all its traffic is dropped");
                portChains.add(new Chain(as, null, List.of("drop")));
                portChains.add(new Chain(eg, null, List.of("drop")));
                portChains.add(new Chain(ig, null, List.of("drop")));
            } else {
                String nd = neighbourChain(p.id());
                Sources sources = sources(p, mac);
                portChains.add(new Chain(as, null, spoofRules(mac, nd, sources)));
                portChains.add(new Chain(nd, null, neighbourRules(sources)));
                TreeSet<String> egressRules = new TreeSet<>(), ingressRules = new TreeSet<>();
                securityGroupRules(p, egressRules, ingressRules);
                portChains.add(new Chain(eg, null, egressRules(egressRules)));
                portChains.add(new Chain(ig, null, ingressRules(ingressRules)));
            }
            spoof.add(NftText.quote(p.tap()) + " : jump " + as);
            egress.add(NftText.quote(p.tap()) + " : jump " + eg);
            ingress.add(NftText.quote(p.tap()) + " : jump " + ig);
        }

        private void zone(FirewallIntent.Port p) {
            String bridge;
            try {
                bridge = DeviceNames.bridge(p.networkId());
            } catch (IllegalArgumentException e) {
                problems.add("port " + p.id() + ": network '" + p.networkId() + "' names no bridge; its traffic shares the default conntrack zone");
                return;
            }
            if (zones.containsKey(bridge)) return;
            int zone = conntrackZone(p.networkId());
            zones.entrySet().stream().filter(e -> e.getValue() == zone).findFirst().ifPresent(e -> problems.add(
                    "bridges " + e.getKey() + " and " + bridge + " share conntrack zone " + zone));
            zones.put(bridge, zone);
        }

        /** The (MAC, address) pairs a port may send from, per IP version, including each MAC's EUI-64 link-local address. */
        private record Sources(Map<String, List<NftText.Cidr>> v4, Map<String, List<NftText.Cidr>> v6) {
            List<NftText.Cidr> allV6() { return v6.values().stream().flatMap(List::stream).distinct().toList(); }
        }

        private Sources sources(FirewallIntent.Port p, String mac) {
            Map<String, TreeSet<String>> byMac = new LinkedHashMap<>();
            byMac.put(mac, new TreeSet<>());
            for (String ip : p.fixedIps()) {
                IpAddresses.Ip parsed = IpAddresses.parse(ip);
                if (parsed == null) problems.add("port " + p.id() + ": fixed IP '" + ip + "' is not an address; not allowed as a source");
                else byMac.get(mac).add(ip);
            }
            for (FirewallIntent.AddressPair pair : p.allowedAddressPairs()) {
                String pairMac = pair.macAddress() == null ? mac : MacAddresses.normalize(pair.macAddress());
                if (pairMac == null || NftText.cidr(pair.ipAddress()) == null) {
                    problems.add("port " + p.id() + ": allowed address pair " + pair.ipAddress() + "/" + pair.macAddress() + " is not valid; ignored");
                    continue;
                }
                byMac.computeIfAbsent(pairMac, m -> new TreeSet<>()).add(pair.ipAddress());
            }
            Map<String, List<NftText.Cidr>> v4 = new TreeMap<>(), v6 = new TreeMap<>();
            byMac.forEach((m, texts) -> {
                List<NftText.Cidr> cidrs = new ArrayList<>(texts.stream().map(NftText::cidr).toList());
                cidrs.add(NftText.cidr(IpAddresses.format(6, Eui64.address(LINK_LOCAL, m))));
                v4.put(m, normalise(cidrs.stream().filter(c -> c.version() == 4).toList()));
                v6.put(m, normalise(cidrs.stream().filter(c -> c.version() == 6).toList()));
            });
            return new Sources(v4, v6);
        }

        private List<String> spoofRules(String mac, String nd, Sources s) {
            List<String> r = new ArrayList<>();
            r.add("jump " + SPOOF_BASE);
            // Link-layer address options in neighbour discovery must name the sending MAC.
            for (String m : s.v6().keySet()) {
                r.add("ether saddr " + m + " icmpv6 type nd-neighbor-solicit @th,192,8 1 @th,208,48 != " + NftText.hexMac(m) + " drop");
                r.add("ether saddr " + m + " icmpv6 type nd-neighbor-advert @th,192,8 2 @th,208,48 != " + NftText.hexMac(m) + " drop");
            }
            // Advertisements and duplicate address probes may only be about the port's own addresses.
            r.add("ether type ip6 icmpv6 type nd-neighbor-advert jump " + nd);
            r.add("ether type ip6 ip6 saddr :: icmpv6 type nd-neighbor-solicit jump " + nd);
            r.add("ether saddr " + mac + " ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 udp dport 67 return");
            s.v4().forEach((m, cidrs) -> {
                for (NftText.Cidr c : cidrs) r.add("ether saddr " + m + " ip saddr " + c.text() + " return");
            });
            s.v4().forEach((m, cidrs) -> {
                for (NftText.Cidr c : cidrs) r.add("ether saddr " + m + " arp saddr ether " + m + " arp saddr ip " + c.text() + " return");
            });
            r.add("ether saddr " + mac + " arp saddr ether " + mac + " arp saddr ip 0.0.0.0 return");
            s.v6().forEach((m, cidrs) -> {
                for (NftText.Cidr c : cidrs) r.add("ether saddr " + m + " ip6 saddr " + c.text() + " return");
            });
            r.add("ether saddr " + mac + " ip6 saddr :: icmpv6 type nd-neighbor-solicit return");
            r.add("ether saddr " + mac + " ip6 saddr :: icmpv6 type mld2-listener-report return");
            r.add("drop");
            return r;
        }

        /** Target address check for advertisements and DAD probes: the ICMPv6 target sits 64 bits into the header. */
        private List<String> neighbourRules(Sources s) {
            List<String> r = new ArrayList<>();
            for (NftText.Cidr c : normalise(s.allV6())) {
                if (c.length() == 0) r.add("return");
                else if (c.length() == 128) r.add("@th,64,128 " + c.hexNetwork() + " return");
                else r.add("@th,64,128 & " + c.hexMask() + " == " + c.hexNetwork() + " return");
            }
            r.add("drop");
            return r;
        }

        /**
         * Conntrack's invalid verdict first, then the groups' rules, then a goto (not a jump) to the shared
         * allowances, so that their "return" goes straight back to the forward chain and their "drop" ends it.
         */
        private static List<String> egressRules(Set<String> groupRules) {
            List<String> r = new ArrayList<>();
            r.add(INVALID_DROP);
            r.addAll(groupRules);
            r.add("goto " + EGRESS_BASE);
            return r;
        }

        private static List<String> ingressRules(Set<String> groupRules) {
            List<String> r = new ArrayList<>();
            r.add(INVALID_DROP);
            r.addAll(groupRules);
            r.add("goto " + INGRESS_BASE);
            return r;
        }

        private void securityGroupRules(FirewallIntent.Port p, Set<String> egressRules, Set<String> ingressRules) {
            for (String id : new TreeSet<>(p.securityGroupIds())) {
                FirewallIntent.SecurityGroup g = groups.get(id);
                if (g == null) {
                    problems.add("port " + p.id() + ": security group " + id + " is unknown; it allows nothing");
                    continue;
                }
                List<List<String>> compiled = compiledGroups.computeIfAbsent(id, x -> compileGroup(g));
                egressRules.addAll(compiled.get(0));
                ingressRules.addAll(compiled.get(1));
            }
        }

        /** A group's rules are the same on every port that uses it, so each group is compiled once: [egress, ingress]. */
        private List<List<String>> compileGroup(FirewallIntent.SecurityGroup g) {
            List<String> egressRules = new ArrayList<>(), ingressRules = new ArrayList<>();
            for (FirewallIntent.Rule rule : g.rules()) {
                String text = rule(g.id(), rule);
                if (text != null) (rule.direction() == Direction.INGRESS ? ingressRules : egressRules).add(text);
            }
            return List.of(egressRules, ingressRules);
        }

        /** One nft rule for one security group rule, or null (with a problem noted) if it cannot be expressed. */
        private String rule(String groupId, FirewallIntent.Rule rule) {
            int version = switch (rule.ethertype()) {
                case "IPv4" -> 4;
                case "IPv6" -> 6;
                default -> 0;
            };
            if (version == 0) return skip(groupId, rule, "ethertype " + rule.ethertype() + " is neither IPv4 nor IPv6");
            boolean in = rule.direction() == Direction.INGRESS;
            String field = (version == 4 ? "ip" : "ip6") + (in ? " saddr " : " daddr ");
            List<String> parts = new ArrayList<>();
            parts.add(version == 4 ? "ether type ip" : "ether type ip6");
            if (rule.remoteIpPrefix() != null) {
                NftText.Cidr remote = NftText.cidr(rule.remoteIpPrefix());
                if (remote == null) return skip(groupId, rule, "remote_ip_prefix " + rule.remoteIpPrefix() + " is not a prefix");
                if (remote.version() != version) return skip(groupId, rule, "remote_ip_prefix " + rule.remoteIpPrefix() + " is not " + rule.ethertype());
                if (remote.length() > 0) parts.add(field + remote.text());
            }
            if (rule.remoteGroupId() != null) {
                if (!ID.matcher(rule.remoteGroupId()).matches()) return skip(groupId, rule, "remote group id cannot name a set");
                remoteSets.add(version + " " + rule.remoteGroupId());
                parts.add(field + "@" + remoteGroupSet(version, rule.remoteGroupId()));
            }
            String protocol = protocol(version, rule);
            if (protocol == null) return skip(groupId, rule, "protocol " + rule.protocol() + " or its port range cannot be expressed");
            if (!protocol.isEmpty()) parts.add(protocol);
            parts.add(in ? "accept" : "return");
            return String.join(" ", parts);
        }

        private String skip(String groupId, FirewallIntent.Rule rule, String why) {
            problems.add("security group " + groupId + ": rule " + rule + " left out: " + why);
            return null;
        }

        /** The protocol match ("" for any protocol), or null if the rule cannot be expressed. */
        private static String protocol(int version, FirewallIntent.Rule rule) {
            String name = rule.protocol();
            if (name == null || name.isEmpty() || name.equalsIgnoreCase("any")) return "";
            Integer number = PROTOCOLS.get(name.toLowerCase(java.util.Locale.ROOT));
            if (number == null) {
                try {
                    number = Integer.parseInt(name);
                } catch (NumberFormatException e) {
                    return null;
                }
                if (number < 0 || number > 255) return null;
            }
            // Neutron lets "icmp" stand for ICMPv6 in an IPv6 rule.
            if (version == 6 && number == ICMP) number = ICMPV6;
            Integer min = rule.portRangeMin(), max = rule.portRangeMax();
            if (number == ICMP || number == ICMPV6) {
                String kw = number == ICMP ? "icmp" : "icmpv6";
                if (min == null) return max == null ? "meta l4proto " + (number == ICMP ? "icmp" : "ipv6-icmp") : null;
                if (min < 0 || min > 255 || (max != null && (max < 0 || max > 255))) return null;
                return kw + " type " + min + (max == null ? "" : " " + kw + " code " + max);
            }
            String l4 = PORT_PROTOCOLS.get(number);
            if (l4 == null) return "meta l4proto " + number;
            if (min == null && max == null) return "meta l4proto " + l4;
            int lo = min == null ? max : min, hi = max == null ? lo : max;
            if (lo < 0 || hi > 65535 || lo > hi) return null;
            if (lo <= 1 && hi == 65535) return "meta l4proto " + l4;
            return l4 + " dport " + (lo == hi ? String.valueOf(lo) : lo + "-" + hi);
        }

        private Table bridgeTable() {
            List<NamedSet> sets = new ArrayList<>();
            sets.add(new NamedSet(SPOOF_MAP, SetKind.IFNAME_VERDICT, List.copyOf(spoof)));
            sets.add(new NamedSet(EGRESS_MAP, SetKind.IFNAME_VERDICT, List.copyOf(egress)));
            sets.add(new NamedSet(INGRESS_MAP, SetKind.IFNAME_VERDICT, List.copyOf(ingress)));
            for (String key : remoteSets) {
                int version = Integer.parseInt(key.substring(0, 1));
                String groupId = key.substring(2);
                sets.add(new NamedSet(remoteGroupSet(version, groupId),
                        version == 4 ? SetKind.IPV4_ADDRESSES : SetKind.IPV6_ADDRESSES, members(version, groupId)));
            }
            List<Chain> chains = new ArrayList<>();
            int ours = MARK_ESTABLISHED | MARK_INVALID;
            chains.add(new Chain(PREROUTING, new Hook("filter", "prerouting", -300, "accept"), List.of(
                    // A mark that arrives with a frame (e.g. kept from a VXLAN outer packet) must not pass as conntrack's verdict.
                    "meta mark & " + hex(ours) + " != 0 meta mark set meta mark & " + hex(~ours),
                    "iifname vmap @" + SPOOF_MAP)));
            chains.add(new Chain(FORWARD, new Hook("filter", "forward", -200, "accept"), List.of(
                    "meta mark & " + hex(MARK_ESTABLISHED) + " == " + hex(MARK_ESTABLISHED) + " accept",
                    "iifname vmap @" + EGRESS_MAP,
                    "oifname vmap @" + INGRESS_MAP)));
            chains.addAll(sharedChains());
            chains.addAll(portChains);
            return new Table(Family.BRIDGE, TABLE, sets, chains);
        }

        private List<String> members(int version, String groupId) {
            List<NftText.Cidr> cidrs = new ArrayList<>();
            for (String text : intent.groupMembers().getOrDefault(groupId, List.of())) {
                NftText.Cidr c = NftText.cidr(text);
                if (c == null) problems.add("security group " + groupId + ": member address '" + text + "' is not an address; ignored");
                else if (c.version() == version) cidrs.add(c);
            }
            return normalise(cidrs).stream().map(NftText.Cidr::text).toList();
        }

        private Table inetTable() {
            List<String> zoneElements = new ArrayList<>(), bridges = new ArrayList<>();
            zones.forEach((bridge, zone) -> {
                zoneElements.add(NftText.quote(bridge) + " : " + zone);
                bridges.add(NftText.quote(bridge));
            });
            List<Chain> chains = List.of(
                    new Chain(CT_ZONE_CHAIN, new Hook("filter", "prerouting", -300, "accept"), List.of(
                            "ct zone set iifname map @" + ZONE_MAP)),
                    new Chain(CT_MARK_CHAIN, new Hook("filter", "prerouting", -150, "accept"), List.of(
                            "iifname @" + BRIDGE_SET + " ct state established,related meta mark set meta mark | " + hex(MARK_ESTABLISHED),
                            "iifname @" + BRIDGE_SET + " ct state invalid meta mark set meta mark | " + hex(MARK_INVALID))));
            return new Table(Family.INET, TABLE, List.of(
                    new NamedSet(ZONE_MAP, SetKind.IFNAME_CT_ZONE, zoneElements),
                    new NamedSet(BRIDGE_SET, SetKind.IFNAMES, bridges)), chains);
        }
    }

    /** What every filtered port may always send and receive, and the servers no VM may impersonate. */
    private static List<Chain> sharedChains() {
        List<String> spoof = List.of(
                "ether type ip udp sport 67 drop",
                "ether type ip6 udp sport 547 drop",
                "ether type ip6 icmpv6 type nd-router-advert drop",
                "ether type ip6 icmpv6 type nd-redirect drop");
        List<String> egress = new ArrayList<>(List.of(
                "ether type arp return",
                "ether type ip udp sport 68 udp dport 67 return",
                "ether type ip6 udp sport 546 udp dport 547 return"));
        for (String type : List.of("nd-router-solicit", "nd-neighbor-solicit", "nd-neighbor-advert",
                "mld-listener-report", "mld-listener-done", "mld2-listener-report")) {
            egress.add("ether type ip6 icmpv6 type " + type + " return");
        }
        egress.add("drop");
        List<String> ingress = new ArrayList<>(List.of(
                "ether type arp accept",
                "ether type ip udp sport 67 udp dport 68 accept",
                "ether type ip6 udp sport 547 udp dport 546 accept"));
        for (String type : List.of("nd-router-advert", "nd-neighbor-solicit", "nd-neighbor-advert", "mld-listener-query")) {
            ingress.add("ether type ip6 icmpv6 type " + type + " accept");
        }
        ingress.add("drop");
        return List.of(new Chain(SPOOF_BASE, null, spoof), new Chain(EGRESS_BASE, null, egress), new Chain(INGRESS_BASE, null, ingress));
    }

    /**
     * Sorted, without duplicates and without entries that another entry covers: an nft interval set refuses
     * overlapping elements.
     */
    static List<NftText.Cidr> normalise(List<NftText.Cidr> cidrs) {
        List<NftText.Cidr> sorted = cidrs.stream().distinct()
                .sorted(Comparator.comparing(NftText.Cidr::version).thenComparing(NftText.Cidr::network)
                        .thenComparing(NftText.Cidr::length))
                .toList();
        List<NftText.Cidr> kept = new ArrayList<>();
        for (NftText.Cidr c : sorted) {
            if (kept.isEmpty() || !kept.getLast().covers(c)) kept.add(c);
        }
        return kept;
    }

    private static String hex(int value) { return String.format("0x%08x", value); }


    private static Map<String, Integer> protocols() {
        Map<String, Integer> m = new HashMap<>();
        m.put("hopopt", 0);
        m.put("icmp", ICMP);
        m.put("igmp", 2);
        m.put("ipip", 4);
        m.put("tcp", 6);
        m.put("egp", 8);
        m.put("udp", 17);
        m.put("dccp", 33);
        m.put("ipv6-encap", 41);
        m.put("ipv6-route", 43);
        m.put("ipv6-frag", 44);
        m.put("rsvp", 46);
        m.put("gre", 47);
        m.put("esp", 50);
        m.put("ah", 51);
        m.put("ipv6-icmp", ICMPV6);
        m.put("icmpv6", ICMPV6);
        m.put("ipv6-nonxt", 59);
        m.put("ipv6-opts", 60);
        m.put("ospf", 89);
        m.put("vrrp", 112);
        m.put("pgm", 113);
        m.put("sctp", 132);
        m.put("udplite", 136);
        return Map.copyOf(m);
    }
}
