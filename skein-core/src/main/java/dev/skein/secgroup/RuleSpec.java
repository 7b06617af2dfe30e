package dev.skein.secgroup;

import dev.skein.error.NeutronException;
import dev.skein.ipam.IpAddresses;

import java.util.Locale;

/**
 * The match part of a security group rule, validated and normalised the way Neutron stores it: ethertype
 * spelled IPv4/IPv6, protocol a lower-case name or a decimal number (the legacy IPv6 ICMP spellings become
 * ipv6-icmp / 58), ports as integers, the remote prefix as a CIDR without host bits.
 */
public record RuleSpec(String direction, String ethertype, String protocol, Integer portRangeMin, Integer portRangeMax,
                       String remoteIpPrefix, String remoteGroupId) {
    public static final String INGRESS = "ingress";
    public static final String EGRESS = "egress";
    public static final String IPV4 = "IPv4";
    public static final String IPV6 = "IPv6";

    /**
     * Validates raw request values (as parsed from JSON, so numbers may arrive as strings) in the order Neutron
     * checks them, so the first problem reported is the one Neutron would report.
     */
    public static RuleSpec normalise(Object direction, Object ethertype, Object protocol, Object portRangeMin,
                                     Object portRangeMax, Object remoteIpPrefix, Object remoteGroupId) {
        String dir = direction(direction);
        String ether = ethertype(ethertype);
        String proto = protocol(protocol);
        Integer min = port(portRangeMin);
        Integer max = port(portRangeMax);
        if (IPV6.equals(ether)) {
            // ICMP in an IPv6 rule can only mean ICMPv6; Neutron rewrites the legacy spellings to one form.
            if ("icmp".equals(proto) || "icmpv6".equals(proto)) proto = "ipv6-icmp";
            else if (String.valueOf(IpProtocols.ICMP).equals(proto)) proto = String.valueOf(IpProtocols.IPV6_ICMP);
        }
        checkPorts(proto, min, max);
        String prefix = prefix(remoteIpPrefix, ether);
        Integer number = IpProtocols.number(proto);
        if (IPV4.equals(ether) && number != null && IpProtocols.IPV6_ONLY.contains(number)) {
            throw SecurityGroupErrors.badRule("SecurityGroupEthertypeConflictWithProtocol",
                    "Invalid ethertype " + ether + " for protocol " + proto + ".");
        }
        String remoteGroup = remoteGroupId == null ? null : String.valueOf(remoteGroupId);
        if (prefix != null && remoteGroup != null) {
            throw SecurityGroupErrors.badRule("SecurityGroupRemoteGroupAndRemoteIpPrefix",
                    "Only remote_ip_prefix or remote_group_id may be provided.");
        }
        return new RuleSpec(dir, ether, proto, min, max, prefix, remoteGroup);
    }

    private static String direction(Object v) {
        if (INGRESS.equals(v) || EGRESS.equals(v)) return (String) v;
        throw NeutronException.invalidAttribute("direction", "'" + v + "' is not in ['ingress', 'egress']");
    }

    private static String ethertype(Object v) {
        if (v == null) return IPV4;
        if (v instanceof String s) {
            if (s.equalsIgnoreCase(IPV4)) return IPV4;
            if (s.equalsIgnoreCase(IPV6)) return IPV6;
        }
        throw SecurityGroupErrors.badRule("SecurityGroupRuleInvalidEtherType",
                "Security group rule for ethertype '" + v + "' not supported. Allowed values are ['IPv4', 'IPv6'].");
    }

    /** null (or "any") for every protocol, a known name in lower case, or a number 0..255 as decimal text. */
    static String protocol(Object v) {
        if (v == null) return null;
        String text = v instanceof Integer || v instanceof Long || v instanceof String ? String.valueOf(v).trim() : null;
        if (text != null) {
            if (text.matches("\\d{1,9}")) {
                int n = Integer.parseInt(text);
                if (n <= 255) return String.valueOf(n);
            } else {
                String lower = text.toLowerCase(Locale.ROOT);
                if (lower.equals("any")) return null;
                if (IpProtocols.isName(lower)) return lower;
            }
        }
        throw SecurityGroupErrors.badRule("SecurityGroupRuleInvalidProtocol", "Security group rule protocol " + v
                + " not supported. Only protocol values [None, " + IpProtocols.names()
                + "] and integer representations [0 to 255] are supported.");
    }

    static Integer port(Object v) {
        if (v == null) return null;
        String text = v instanceof Integer || v instanceof Long || v instanceof String ? String.valueOf(v).trim() : "";
        if (text.matches("\\d{1,9}")) {
            int n = Integer.parseInt(text);
            if (n <= 65535) return n;
        }
        throw SecurityGroupErrors.badRule("SecurityGroupInvalidPortValue", "Invalid value for port " + v + ".");
    }

    private static void checkPorts(String proto, Integer min, Integer max) {
        if (min == null && max == null) return;
        if (proto == null) {
            throw SecurityGroupErrors.badRule("SecurityGroupProtocolRequiredWithPorts",
                    "Must also specify protocol if port range is given.");
        }
        int number = IpProtocols.number(proto);
        if (IpProtocols.WITH_PORTS.contains(number)) {
            if (Integer.valueOf(0).equals(min) || Integer.valueOf(0).equals(max)) {
                throw SecurityGroupErrors.badRule("SecurityGroupInvalidPortValue", "Invalid value for port 0.");
            }
            if (min == null || max == null || min > max) {
                throw SecurityGroupErrors.badRule("SecurityGroupInvalidPortRange",
                        "For TCP/UDP protocols, port_range_min must be <= port_range_max");
            }
        } else if (number == IpProtocols.ICMP || number == IpProtocols.IPV6_ICMP) {
            // For ICMP the two fields carry the message type and code.
            icmp("type", "port_range_min", min);
            icmp("code", "port_range_max", max);
            if (min == null) {
                throw SecurityGroupErrors.badRule("SecurityGroupMissingIcmpType", "ICMP code (port-range-max) " + max
                        + " is provided but ICMP type (port-range-min) is missing.");
            }
        } else {
            throw SecurityGroupErrors.badRule("SecurityGroupInvalidProtocolForPort", "Invalid protocol " + proto
                    + " for port range, only supported for TCP, UDP, UDPLITE, SCTP and DCCP.");
        }
    }

    private static void icmp(String field, String attribute, Integer value) {
        if (value != null && value > 255) {
            throw SecurityGroupErrors.badRule("SecurityGroupInvalidIcmpValue", "Invalid value for ICMP " + field
                    + " (" + attribute + ") " + value + ". It must be 0 to 255.");
        }
    }

    /** A CIDR without host bits (a bare address becomes a /32 or /128) whose family matches the ethertype. */
    private static String prefix(Object v, String ethertype) {
        String text = v instanceof String s ? s.trim() : null;
        // Neutron reads an empty prefix as no prefix.
        if (v == null || "".equals(text)) return null;
        IpAddresses.Prefix p = IpAddresses.parsePrefix(text);
        if (p == null) {
            IpAddresses.Ip ip = IpAddresses.parse(text);
            if (ip != null) p = new IpAddresses.Prefix(ip.version(), ip.value(), ip.version() == 4 ? 32 : 128);
        }
        if (p == null) throw SecurityGroupErrors.badRule("InvalidCIDR", "Invalid CIDR " + v + " given as IP prefix.");
        if (!ethertype.equals(p.version() == 4 ? IPV4 : IPV6)) {
            throw SecurityGroupErrors.badRule("SecurityGroupRuleParameterConflict",
                    "Conflicting value ethertype " + ethertype + " for CIDR " + v);
        }
        return p.canonical();
    }
}
