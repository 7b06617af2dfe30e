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
import dev.skein.plan.fw.FirewallSections.GroupSection;
import dev.skein.plan.fw.FirewallSections.PortSection;
import dev.skein.plan.fw.FirewallSections.RemoteSet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
 *
 * <p>Compiling goes through {@link FirewallSections}: each port's chains are compiled on their own (which is what
 * lets a change compile only the ports it touched), and the tables are assembled from the sections.
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
    private static final Comparator<RemoteSet> REMOTE_SET_ORDER = Comparator.comparingInt(RemoteSet::version).thenComparing(RemoteSet::groupId);
    private static final List<Chain> SHARED_CHAINS = sharedChains();

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
        return sections(intent).plan();
    }

    /** The intent's ports and remote groups as the sections a host plan carries. */
    public static FirewallSections sections(FirewallIntent intent) {
        return FirewallSections.EMPTY.apply(change(intent, List.of()));
    }

    /**
     * The sections of the intent's ports and of the groups it lists members for, as a change that also takes their
     * sections from the touched ports the intent leaves out (gone from the host, or without port security now).
     * The intent needs only the ports that changed, their groups, and the members of the groups to send.
     */
    public static FirewallSections.Change change(FirewallIntent intent, Collection<String> touched) {
        return new Sections(intent).change(touched);
    }

    static FirewallPlan assemble(FirewallSections sections) {
        return new Assembly().plan(sections);
    }

    /** A group's rules compiled once for all its ports: [egress, ingress], the remote sets they match, what was left out. */
    private record CompiledGroup(List<String> egress, List<String> ingress, List<RemoteSet> remoteSets, List<String> problems) {}

    private static final class Sections {
        private final FirewallIntent intent;
        private final Map<String, FirewallIntent.SecurityGroup> groups = new HashMap<>();
        private final Set<String> listedTwice = new TreeSet<>();
        private final Map<String, CompiledGroup> compiledGroups = new HashMap<>();

        Sections(FirewallIntent intent) {
            this.intent = intent;
            for (FirewallIntent.SecurityGroup g : intent.groups()) {
                if (groups.putIfAbsent(g.id(), g) != null) listedTwice.add(g.id());
            }
        }

        FirewallSections.Change change(Collection<String> touched) {
            List<String> ids = new ArrayList<>(touched);
            TreeMap<String, FirewallIntent.Port> ports = new TreeMap<>();
            intent.ports().forEach(p -> ports.putIfAbsent(p.id(), p));
            List<PortSection> sections = new ArrayList<>();
            for (FirewallIntent.Port p : ports.values()) {
                ids.add(p.id());
                if (p.portSecurityEnabled()) sections.add(section(p));
            }
            List<GroupSection> members = new ArrayList<>();
            new TreeMap<>(intent.groupMembers()).forEach((id, addresses) -> members.add(groupSection(id, addresses)));
            return new FirewallSections.Change(ids, sections, members);
        }

        private PortSection section(FirewallIntent.Port p) {
            if (!ID.matcher(p.id()).matches()) return PortSection.leftOut(p.id(), "port '" + p.id() + "' left out: its id cannot name a chain");
            if (!NftText.ifname(p.tap())) {
                return PortSection.leftOut(p.id(), "port " + p.id() + " left out: '" + p.tap() + "' is not an interface name");
            }
            List<String> problems = new ArrayList<>();
            String bridge = null;
            int zone = 0;
            try {
                bridge = DeviceNames.bridge(p.networkId());
                zone = conntrackZone(p.networkId());
            } catch (IllegalArgumentException e) {
                problems.add("port " + p.id() + ": network '" + p.networkId() + "' names no bridge; its traffic shares the default conntrack zone");
            }
            String mac = MacAddresses.normalize(p.mac());
            String as = spoofChain(p.id()), eg = egressChain(p.id()), ig = ingressChain(p.id());
            List<Chain> chains = new ArrayList<>();
            TreeSet<RemoteSet> remoteSets = new TreeSet<>(REMOTE_SET_ORDER);
            if (mac == null) {
                // Without a MAC nothing the port sends can be told apart from spoofing: it gets no traffic at all.
                problems.add("port " + p.id() + " has no valid MAC address; all its traffic is dropped");
                chains.add(new Chain(as, null, List.of("drop")));
                chains.add(new Chain(eg, null, List.of("drop")));
                chains.add(new Chain(ig, null, List.of("drop")));
            } else {
                String nd = neighbourChain(p.id());
                Sources sources = sources(p, mac, problems);
                chains.add(new Chain(as, null, spoofRules(mac, nd, sources)));
                chains.add(new Chain(nd, null, neighbourRules(sources)));
                TreeSet<String> egressRules = new TreeSet<>(), ingressRules = new TreeSet<>();
                securityGroupRules(p, egressRules, ingressRules, remoteSets, problems);
                chains.add(new Chain(eg, null, egressRules(egressRules)));
                chains.add(new Chain(ig, null, ingressRules(ingressRules)));
            }
            return new PortSection(p.id(), p.tap(), bridge, zone, chains, List.copyOf(remoteSets), problems);
        }

        private Sources sources(FirewallIntent.Port p, String mac, List<String> problems) {
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

        private void securityGroupRules(FirewallIntent.Port p, Set<String> egressRules, Set<String> ingressRules,
                                        Set<RemoteSet> remoteSets, List<String> problems) {
            for (String id : new TreeSet<>(p.securityGroupIds())) {
                FirewallIntent.SecurityGroup g = groups.get(id);
                if (g == null) {
                    problems.add("port " + p.id() + ": security group " + id + " is unknown; it allows nothing");
                    continue;
                }
                if (listedTwice.contains(id)) problems.add("security group " + id + " listed twice; the first is used");
                CompiledGroup compiled = compiledGroups.computeIfAbsent(id, x -> compileGroup(g));
                egressRules.addAll(compiled.egress());
                ingressRules.addAll(compiled.ingress());
                remoteSets.addAll(compiled.remoteSets());
                problems.addAll(compiled.problems());
            }
        }

        /** A group's rules are the same on every port that uses it, so each group is compiled once. */
        private static CompiledGroup compileGroup(FirewallIntent.SecurityGroup g) {
            List<String> egressRules = new ArrayList<>(), ingressRules = new ArrayList<>(), problems = new ArrayList<>();
            TreeSet<RemoteSet> remoteSets = new TreeSet<>(REMOTE_SET_ORDER);
            for (FirewallIntent.Rule rule : g.rules()) {
                String text = rule(g.id(), rule, remoteSets, problems);
                if (text != null) (rule.direction() == Direction.INGRESS ? ingressRules : egressRules).add(text);
            }
            return new CompiledGroup(egressRules, ingressRules, List.copyOf(remoteSets), problems);
        }

        /** One nft rule for one security group rule, or null (with a problem noted) if it cannot be expressed. */
        private static String rule(String groupId, FirewallIntent.Rule rule, Set<RemoteSet> remoteSets, List<String> problems) {
            int version = switch (rule.ethertype()) {
                case "IPv4" -> 4;
                case "IPv6" -> 6;
                default -> 0;
            };
            if (version == 0) return skip(groupId, rule, "ethertype " + rule.ethertype() + " is neither IPv4 nor IPv6", problems);
            boolean in = rule.direction() == Direction.INGRESS;
            String field = (version == 4 ? "ip" : "ip6") + (in ? " saddr " : " daddr ");
            List<String> parts = new ArrayList<>();
            parts.add(version == 4 ? "ether type ip" : "ether type ip6");
            if (rule.remoteIpPrefix() != null) {
                NftText.Cidr remote = NftText.cidr(rule.remoteIpPrefix());
                if (remote == null) return skip(groupId, rule, "remote_ip_prefix " + rule.remoteIpPrefix() + " is not a prefix", problems);
                if (remote.version() != version) {
                    return skip(groupId, rule, "remote_ip_prefix " + rule.remoteIpPrefix() + " is not " + rule.ethertype(), problems);
                }
                if (remote.length() > 0) parts.add(field + remote.text());
            }
            if (rule.remoteGroupId() != null) {
                if (!ID.matcher(rule.remoteGroupId()).matches()) return skip(groupId, rule, "remote group id cannot name a set", problems);
                RemoteSet set = new RemoteSet(version, rule.remoteGroupId());
                remoteSets.add(set);
                parts.add(field + "@" + set.name());
            }
            String protocol = protocol(version, rule);
            if (protocol == null) return skip(groupId, rule, "protocol " + rule.protocol() + " or its port range cannot be expressed", problems);
            if (!protocol.isEmpty()) parts.add(protocol);
            parts.add(in ? "accept" : "return");
            return String.join(" ", parts);
        }

        private static String skip(String groupId, FirewallIntent.Rule rule, String why, List<String> problems) {
            problems.add("security group " + groupId + ": rule " + rule + " left out: " + why);
            return null;
        }

        private static GroupSection groupSection(String groupId, List<String> addresses) {
            List<NftText.Cidr> v4 = new ArrayList<>(), v6 = new ArrayList<>();
            List<String> unusable = new ArrayList<>();
            for (String text : addresses) {
                NftText.Cidr c = NftText.cidr(text);
                if (c == null) unusable.add(text);
                else (c.version() == 4 ? v4 : v6).add(c);
            }
            return new GroupSection(groupId, normalise(v4).stream().map(NftText.Cidr::text).toList(),
                    normalise(v6).stream().map(NftText.Cidr::text).toList(), unusable);
        }
    }

    /** The (MAC, address) pairs a port may send from, per IP version, including each MAC's EUI-64 link-local address. */
    private record Sources(Map<String, List<NftText.Cidr>> v4, Map<String, List<NftText.Cidr>> v6) {
        List<NftText.Cidr> allV6() { return v6.values().stream().flatMap(List::stream).distinct().toList(); }
    }

    private static List<String> spoofRules(String mac, String nd, Sources s) {
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
    private static List<String> neighbourRules(Sources s) {
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

    /**
     * The tables the sections make up: the ports in id order (of two with one interface, the first), dispatched by
     * interface name; a conntrack zone per bridge; a set per remote group and IP version that some port matches.
     */
    private static final class Assembly {
        private final Set<String> problems = new LinkedHashSet<>();
        private final List<Chain> portChains = new ArrayList<>();
        private final TreeSet<String> spoof = new TreeSet<>();
        private final TreeSet<String> egress = new TreeSet<>();
        private final TreeSet<String> ingress = new TreeSet<>();
        private final TreeSet<RemoteSet> remoteSets = new TreeSet<>(REMOTE_SET_ORDER);
        private final TreeMap<String, Integer> zones = new TreeMap<>();

        FirewallPlan plan(FirewallSections sections) {
            Map<String, String> portByTap = new HashMap<>();
            for (PortSection s : sections.ports()) {
                if (s.tap() == null) {
                    problems.addAll(s.problems());
                    continue;
                }
                String owner = portByTap.putIfAbsent(s.tap(), s.portId());
                if (owner != null) {
                    problems.add("port " + s.portId() + " left out: its interface " + s.tap() + " is taken by port " + owner);
                    continue;
                }
                if (s.bridge() != null) zone(s.bridge(), s.zone());
                problems.addAll(s.problems());
                portChains.addAll(s.chains());
                remoteSets.addAll(s.remoteSets());
                spoof.add(NftText.quote(s.tap()) + " : jump " + spoofChain(s.portId()));
                egress.add(NftText.quote(s.tap()) + " : jump " + egressChain(s.portId()));
                ingress.add(NftText.quote(s.tap()) + " : jump " + ingressChain(s.portId()));
            }
            Map<String, GroupSection> members = new HashMap<>();
            sections.groups().forEach(g -> members.put(g.groupId(), g));
            return new FirewallPlan(List.of(bridgeTable(members), inetTable()), List.copyOf(problems));
        }

        private void zone(String bridge, int zone) {
            if (zones.containsKey(bridge)) return;
            zones.entrySet().stream().filter(e -> e.getValue() == zone).findFirst().ifPresent(e -> problems.add(
                    "bridges " + e.getKey() + " and " + bridge + " share conntrack zone " + zone));
            zones.put(bridge, zone);
        }

        private Table bridgeTable(Map<String, GroupSection> members) {
            List<NamedSet> sets = new ArrayList<>();
            sets.add(new NamedSet(SPOOF_MAP, SetKind.IFNAME_VERDICT, List.copyOf(spoof)));
            sets.add(new NamedSet(EGRESS_MAP, SetKind.IFNAME_VERDICT, List.copyOf(egress)));
            sets.add(new NamedSet(INGRESS_MAP, SetKind.IFNAME_VERDICT, List.copyOf(ingress)));
            for (RemoteSet r : remoteSets) {
                GroupSection g = members.get(r.groupId());
                List<String> elements = List.of();
                if (g != null) {
                    g.unusable().forEach(text -> problems.add("security group " + r.groupId() + ": member address '" + text + "' is not an address; ignored"));
                    elements = g.elements(r.version());
                }
                sets.add(new NamedSet(r.name(), r.version() == 4 ? SetKind.IPV4_ADDRESSES : SetKind.IPV6_ADDRESSES, elements));
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
            chains.addAll(SHARED_CHAINS);
            chains.addAll(portChains);
            return new Table(Family.BRIDGE, TABLE, sets, chains);
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
