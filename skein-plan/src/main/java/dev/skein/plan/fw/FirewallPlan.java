package dev.skein.plan.fw;

import java.util.List;
import java.util.Objects;

/**
 * The nftables objects one host must hold, as nft text: tables, their named sets and maps with elements, and
 * their chains with rules. Nothing in it refers to kernel handles, so two compilations of the same intent are
 * equal and the realiser can diff a plan against the previous one or against what the kernel reports.
 *
 * <p>Rules never contain anonymous sets ("{ a, b }"): the nft tool fetches every set's elements into its cache
 * before any element change, so thousands of anonymous sets would make each port change cost seconds.
 */
public record FirewallPlan(List<Table> tables, List<String> problems) {
    public static final FirewallPlan EMPTY = new FirewallPlan(List.of(), List.of());

    public FirewallPlan {
        tables = List.copyOf(tables);
        problems = List.copyOf(problems);
    }

    public enum Family {
        BRIDGE, INET;

        public String nft() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    public record Table(Family family, String name, List<NamedSet> sets, List<Chain> chains) {
        public Table {
            Objects.requireNonNull(family, "family");
            Objects.requireNonNull(name, "name");
            sets = List.copyOf(sets);
            chains = List.copyOf(chains);
        }

        /** "bridge skein": how nft commands name the table. */
        public String spec() { return family.nft() + " " + name; }
    }

    /** A base chain is attached to a hook; a regular chain (hook null) is only reached by jumps. */
    public record Chain(String name, Hook hook, List<String> rules) {
        public Chain {
            Objects.requireNonNull(name, "name");
            rules = List.copyOf(rules);
        }
    }

    public record Hook(String type, String hook, int priority, String policy) {
        public String declaration() {
            return "type " + type + " hook " + hook + " priority " + priority + "; policy " + policy + ";";
        }
    }

    /** elements are nft element text, sorted: {@code "tap1" : jump as-x}, {@code 10.0.0.0/24}, {@code "skbr-1" : 7}. */
    public record NamedSet(String name, SetKind kind, List<String> elements) {
        public NamedSet {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            elements = List.copyOf(elements);
        }
    }

    public enum SetKind {
        /** Interface name to a verdict: per-port dispatch. */
        IFNAME_VERDICT(true, "type ifname : verdict;"),
        /** Bridge name to the conntrack zone of its network. */
        IFNAME_CT_ZONE(true, "typeof iifname : ct zone;"),
        IFNAMES(false, "type ifname;"),
        IPV4_ADDRESSES(false, "type ipv4_addr; flags interval;"),
        IPV6_ADDRESSES(false, "type ipv6_addr; flags interval;");

        private final boolean map;
        private final String declaration;

        SetKind(boolean map, String declaration) {
            this.map = map;
            this.declaration = declaration;
        }

        public boolean map() { return map; }

        /** What goes between the braces of "add set" / "add map". */
        public String declaration() { return declaration; }
    }

    public Table table(Family family, String name) {
        return tables.stream().filter(t -> t.family() == family && t.name().equals(name)).findFirst().orElse(null);
    }
}
