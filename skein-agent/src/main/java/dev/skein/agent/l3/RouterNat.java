package dev.skein.agent.l3;

import dev.skein.agent.fw.NftState;
import dev.skein.ipam.IpAddresses;
import dev.skein.plan.fw.FirewallPlan.Hook;
import dev.skein.plan.fw.NftText;
import dev.skein.plan.l3.RouterPlan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The nftables table of one router namespace: 1:1 NAT of floating IPs (two address-to-address maps, so a router
 * with hundreds of them still has a handful of rules), source NAT of the attached IPv4 subnets to the gateway
 * address, NAT of traffic between two of the router's own networks towards a floating IP (hairpin), and the
 * metadata redirect.
 *
 * <p>The table is small and lives alone in its namespace, so it is always replaced whole, deleted and added again
 * in one nft transaction: no packet ever sees it half-written, and conntrack keeps the translations of connections
 * already established. Every rule carries the fingerprint of its text in its comment, which is how a table read
 * back from the kernel is recognised as this one (nft lists rules differently from how they were written).
 */
final class RouterNat {
    static final String FAMILY = "ip";
    static final String TABLE = "skein_router";
    static final String SPEC = FAMILY + " " + TABLE;
    static final String METADATA_ADDRESS = "169.254.169.254";
    /** Where the metadata proxy of a router namespace listens; requests to 169.254.169.254:80 from tenant networks are redirected there. */
    static final int METADATA_PORT = 9697;
    static final String FIP_DNAT = "fip_dnat";
    static final String FIP_SNAT = "fip_snat";
    static final String SNAT_SOURCES = "snat_sources";
    static final String INTERFACES = "\"" + RouterDiff.INTERFACE_PREFIX + "*\"";

    private static final NftState.Signature ADDRESS_MAP = new NftState.Signature(true, "ipv4_addr", "ipv4_addr", Set.of());
    private static final NftState.Signature PREFIX_SET = new NftState.Signature(false, "ipv4_addr", null, Set.of("interval"));

    record NatSet(String name, NftState.Signature signature, List<String> elements) {
        NatSet { elements = List.copyOf(new TreeSet<>(elements)); }
    }

    record NatChain(String name, Hook hook, List<String> rules) {
        NatChain { rules = List.copyOf(rules); }
    }

    private final List<NatSet> sets;
    private final List<NatChain> chains;
    private final Map<String, String> floatingIps;

    private RouterNat(List<NatSet> sets, List<NatChain> chains, Map<String, String> floatingIps) {
        this.sets = List.copyOf(sets);
        this.chains = List.copyOf(chains);
        this.floatingIps = Map.copyOf(floatingIps);
    }

    /** The table router must have; what the plan holds that cannot be expressed is added to notes. */
    static RouterNat of(RouterPlan.Router router, List<String> notes) {
        RouterPlan.Gateway gw = router.gateway();
        String qg = gw == null ? null : RouterDiff.gatewayDevice(gw.portId());
        Map<String, String> dnat = new TreeMap<>();
        Map<String, String> snat = new TreeMap<>();
        for (RouterPlan.FloatingIp f : router.floatingIps()) {
            String floating = ipv4(f.floatingIp());
            String fixed = ipv4(f.fixedIp());
            if (gw == null) {
                notes.add("floating IP " + f.floatingIp() + " not realised: the router has no external gateway");
            } else if (floating == null || fixed == null) {
                notes.add("floating IP " + f.id() + " (" + f.floatingIp() + " -> " + f.fixedIp() + ") not realised: only IPv4 addresses are translated");
            } else if (dnat.containsKey(floating) || snat.containsKey(fixed)) {
                notes.add("floating IP " + f.id() + " (" + floating + " -> " + fixed + ") not realised: the address is already translated for another floating IP");
            } else {
                dnat.put(floating, fixed);
                snat.put(fixed, floating);
            }
        }
        List<NatSet> sets = new ArrayList<>();
        sets.add(new NatSet(FIP_DNAT, ADDRESS_MAP, dnat.entrySet().stream().map(e -> e.getKey() + " : " + e.getValue()).toList()));
        sets.add(new NatSet(FIP_SNAT, ADDRESS_MAP, snat.entrySet().stream().map(e -> e.getKey() + " : " + e.getValue()).toList()));
        List<String> sources = snatSources(router);
        sets.add(new NatSet(SNAT_SOURCES, PREFIX_SET, sources));

        List<String> pre = new ArrayList<>();
        List<String> post = new ArrayList<>();
        List<String> input = new ArrayList<>();
        if (router.metadata()) {
            pre.add("iifname " + INTERFACES + " ip daddr " + METADATA_ADDRESS + " tcp dport 80 redirect to :" + METADATA_PORT);
            // The proxy listens on every address of the namespace; only requests from tenant networks may reach it,
            // or a host on the external network with a tenant's address could read that tenant's metadata.
            input.add("iifname != " + INTERFACES + " tcp dport " + METADATA_PORT + " drop");
        }
        pre.add("dnat to ip daddr map @" + FIP_DNAT);
        if (qg != null) {
            post.add("oifname " + NftText.quote(qg) + " snat to ip saddr map @" + FIP_SNAT);
            String snatTo = gw.addresses().stream().map(RouterNat::ipv4).filter(a -> a != null).findFirst().orElse(null);
            if (gw.enableSnat() && snatTo == null) notes.add("source NAT not realised: the gateway has no IPv4 address");
            else if (gw.enableSnat()) post.add("oifname " + NftText.quote(qg) + " ip saddr @" + SNAT_SOURCES + " snat to " + snatTo);
        }
        // A tenant VM reaching another one through its floating IP: without this the reply would go straight back
        // from the fixed address and the client would drop it as coming from the wrong address.
        post.add("iifname " + INTERFACES + " oifname " + INTERFACES + " ct status dnat masquerade");

        List<NatChain> chains = List.of(
                new NatChain("prerouting", new Hook("nat", "prerouting", -100, "accept"), pre),
                // nft 1.0.6 rejects the "dstnat" priority name for the output hook, so the number is written.
                new NatChain("output", new Hook("nat", "output", -100, "accept"), List.of("dnat to ip daddr map @" + FIP_DNAT)),
                new NatChain("postrouting", new Hook("nat", "postrouting", 100, "accept"), post),
                new NatChain("input", new Hook("filter", "input", 0, "accept"), input));
        return new RouterNat(sets, chains, dnat);
    }

    /** The networks of the interfaces' IPv4 addresses; one inside another is dropped (interval sets refuse overlaps). */
    private static List<String> snatSources(RouterPlan.Router router) {
        Map<String, IpAddresses.Prefix> nets = new TreeMap<>();
        for (RouterPlan.Interface i : router.interfaces()) {
            for (String a : i.addresses()) {
                IpAddresses.Prefix p = IpAddresses.parsePrefix(a);
                if (p != null && p.version() == 4) nets.put(p.canonical(), new IpAddresses.Prefix(4, p.network(), p.length()));
            }
        }
        return nets.values().stream()
                .filter(p -> nets.values().stream().noneMatch(o -> o.length() < p.length() && o.overlaps(p)))
                .map(p -> NftText.address(p.canonical())).toList();
    }

    /** The address of "address/length" or of a bare address, if it is IPv4. */
    private static String ipv4(String text) {
        IpAddresses.Ip ip = IpAddresses.parse(text);
        if (ip == null) {
            IpAddresses.Prefix p = IpAddresses.parsePrefix(text);
            ip = p == null ? null : new IpAddresses.Ip(p.version(), p.address());
        }
        return ip != null && ip.version() == 4 ? ip.text() : null;
    }

    /** floating IP -> fixed IP, as realised by this table. */
    Map<String, String> floatingIps() { return floatingIps; }

    List<NatChain> chains() { return chains; }

    List<NatSet> sets() { return sets; }

    /** The table as nft input. */
    String render() {
        StringBuilder out = new StringBuilder("table " + SPEC + " {\n");
        for (NatSet s : sets) {
            out.append("\t").append(s.signature().map() ? "map " : "set ").append(s.name()).append(" { type ipv4_addr");
            if (s.signature().map()) out.append(" : ipv4_addr");
            out.append(";");
            if (s.signature().flags().contains("interval")) out.append(" flags interval;");
            if (!s.elements().isEmpty()) out.append(" elements = { ").append(String.join(", ", s.elements())).append(" }");
            out.append(" }\n");
        }
        for (NatChain c : chains) {
            out.append("\tchain ").append(c.name()).append(" {\n\t\t").append(c.hook().declaration()).append("\n");
            for (String rule : c.rules()) {
                out.append("\t\t").append(rule).append(" comment \"").append(NftState.fingerprint(rule)).append("\"\n");
            }
            out.append("\t}\n");
        }
        return out.append("}\n").toString();
    }

    /** One transaction that replaces the table whether or not it exists: the first line makes sure the delete has something to delete. */
    String transaction() {
        return "table " + SPEC + "\ndelete table " + SPEC + "\n" + render();
    }

    /** Why the kernel's table is not this one, or null when it is. */
    String difference(NftState.TableState have) {
        if (have == null) return "table " + SPEC + " missing";
        Map<String, NatSet> wantSets = new LinkedHashMap<>();
        sets.forEach(s -> wantSets.put(s.name(), s));
        if (!have.sets().keySet().equals(wantSets.keySet())) return "sets " + have.sets().keySet() + " instead of " + wantSets.keySet();
        for (NatSet s : sets) {
            NftState.SetState h = have.sets().get(s.name());
            if (!h.signature().equals(s.signature())) return "set " + s.name() + " has the wrong type";
            if (h.elements() == null || !h.elements().equals(new TreeSet<>(s.elements()))) return "elements of " + s.name() + " differ";
        }
        Map<String, NatChain> wantChains = new LinkedHashMap<>();
        chains.forEach(c -> wantChains.put(c.name(), c));
        if (!have.chains().keySet().equals(wantChains.keySet())) return "chains " + have.chains().keySet() + " instead of " + wantChains.keySet();
        for (NatChain c : chains) {
            NftState.ChainState h = have.chains().get(c.name());
            if (!c.hook().equals(h.hook())) return "chain " + c.name() + " is hooked differently";
            if (!h.sameRules(c.rules())) return "rules of chain " + c.name() + " differ";
        }
        return null;
    }

    /** floating IP -> fixed IP as a table read back from the kernel translates them; empty if it cannot be told. */
    static Map<String, String> floatingIps(NftState.TableState have) {
        Map<String, String> out = new TreeMap<>();
        NftState.SetState map = have == null ? null : have.sets().get(FIP_DNAT);
        if (map == null || map.elements() == null) return out;
        for (String e : map.elements()) {
            String[] kv = e.split(" : ");
            if (kv.length == 2) out.put(kv[0], kv[1]);
        }
        return out;
    }
}
