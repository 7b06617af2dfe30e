package dev.skein.secgroup;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The IP protocol names a security group rule may use, with their IANA numbers. */
public final class IpProtocols {
    public static final int ICMP = 1;
    public static final int IPV6_ICMP = 58;

    /** Sorted so error messages list the names in a stable order. */
    static final Map<String, Integer> BY_NAME = new TreeMap<>(Map.ofEntries(
            Map.entry("ah", 51), Map.entry("dccp", 33), Map.entry("egp", 8), Map.entry("esp", 50),
            Map.entry("gre", 47), Map.entry("hopopt", 0), Map.entry("icmp", ICMP), Map.entry("icmpv6", IPV6_ICMP),
            Map.entry("igmp", 2), Map.entry("ip", 0), Map.entry("ipip", 4), Map.entry("ipv6-encap", 41),
            Map.entry("ipv6-frag", 44), Map.entry("ipv6-icmp", IPV6_ICMP), Map.entry("ipv6-nonxt", 59),
            Map.entry("ipv6-opts", 60), Map.entry("ipv6-route", 43), Map.entry("ospf", 89), Map.entry("pgm", 113),
            Map.entry("rsvp", 46), Map.entry("sctp", 132), Map.entry("tcp", 6), Map.entry("udp", 17),
            Map.entry("udplite", 136), Map.entry("vrrp", 112)));

    /** tcp, udp, dccp, sctp and udplite: the protocols with ports, so the only ones a port range fits. */
    static final Set<Integer> WITH_PORTS = Set.of(6, 17, 33, 132, 136);

    /** Protocols that only exist inside IPv6 packets (extension headers, ICMPv6, 6in4 as Neutron counts it). */
    static final Set<Integer> IPV6_ONLY = Set.of(41, 43, 44, IPV6_ICMP, 59, 60);

    private IpProtocols() {}

    /** The number of a normalised protocol (a known name or a decimal number); null for any protocol. */
    public static Integer number(String protocol) {
        if (protocol == null) return null;
        Integer n = BY_NAME.get(protocol);
        return n != null ? n : Integer.valueOf(protocol);
    }

    static boolean isName(String s) { return BY_NAME.containsKey(s); }

    static String names() { return String.join(", ", BY_NAME.keySet()); }
}
