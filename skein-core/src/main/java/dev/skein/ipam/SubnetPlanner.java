package dev.skein.ipam;

import dev.skein.error.NeutronException;
import dev.skein.ipam.IpAddresses.Ip;
import dev.skein.ipam.IpAddresses.Prefix;
import dev.skein.model.AllocationPool;
import dev.skein.model.HostRoute;
import dev.skein.model.Subnet;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Subnet address rules: CIDR, gateway, allocation pools, DNS servers, host routes, IPv6 modes. */
public final class SubnetPlanner {
    public static final int MAX_DNS_NAMESERVERS = 5;
    public static final int MAX_HOST_ROUTES = 20;
    private static final Set<String> IPV6_MODES = Set.of("slaac", "dhcpv6-stateful", "dhcpv6-stateless");

    private SubnetPlanner() {}

    public static Prefix cidr(String text, int ipVersion) {
        Prefix p = IpAddresses.parsePrefix(text);
        if (p == null) throw NeutronException.invalidAttribute("cidr", "'" + text + "' is not a valid IP subnet");
        if (p.hasHostBits()) {
            throw NeutronException.invalidAttribute("cidr",
                    "'" + text + "' isn't a recommended CIDR, it should be '" + p.canonical() + "'");
        }
        if (p.version() != ipVersion) {
            throw NeutronException.invalidInput("Cidr " + text + " does not match ip_version " + ipVersion);
        }
        if (p.version() == 4 && p.length() == 32 || p.version() == 6 && p.length() == 128 || p.length() == 0) {
            throw NeutronException.invalidInput("Requested subnet " + text + " has no usable address range");
        }
        return p;
    }

    /** The lowest and highest addresses hosts may use: IPv4 loses network and broadcast, IPv6 the router anycast. */
    public static Range hostRange(Prefix p) {
        if (p.version() == 4) {
            if (p.length() >= 31) return new Range(p.network(), p.broadcast());
            return new Range(p.network().add(BigInteger.ONE), p.broadcast().subtract(BigInteger.ONE));
        }
        return new Range(p.network().add(BigInteger.ONE), p.broadcast());
    }

    public static Ip gateway(String text, Prefix cidr) {
        Ip gw = IpAddresses.parse(text);
        if (gw == null) throw NeutronException.invalidAttribute("gateway_ip", "'" + text + "' is not a valid IP address");
        if (!hostRange(cidr).contains(gw.value()) || gw.version() != cidr.version()) {
            throw NeutronException.invalidInput("Gateway is not valid on subnet: " + text + " is not a host address of " + cidr.canonical());
        }
        return gw;
    }

    public static Ip defaultGateway(Prefix cidr) {
        return new Ip(cidr.version(), hostRange(cidr).first());
    }

    /** The whole host range, minus the gateway. */
    public static List<Range> defaultPools(Prefix cidr, Ip gateway) {
        Range host = hostRange(cidr);
        if (gateway == null || !host.contains(gateway.value())) return List.of(host);
        List<Range> out = new ArrayList<>(2);
        if (gateway.value().compareTo(host.first()) > 0) out.add(new Range(host.first(), gateway.value().subtract(BigInteger.ONE)));
        if (gateway.value().compareTo(host.last()) < 0) out.add(new Range(gateway.value().add(BigInteger.ONE), host.last()));
        return out;
    }

    public static List<Range> pools(List<Map<String, Object>> raw, Prefix cidr, Ip gateway) {
        List<Range> pools = new ArrayList<>();
        for (Map<String, Object> m : raw) {
            Object start = m.get("start"), end = m.get("end");
            Set<String> keys = new HashSet<>(m.keySet());
            keys.removeAll(Set.of("start", "end"));
            String shown = "{'start': '" + start + "', 'end': '" + end + "'}";
            if (!keys.isEmpty() || !(start instanceof String) || !(end instanceof String)) {
                throw NeutronException.invalidAttribute("allocation_pools", "Invalid data format for IP pool: '" + m + "'");
            }
            Ip s = IpAddresses.parse((String) start), e = IpAddresses.parse((String) end);
            if (s == null || e == null || s.version() != e.version() || s.value().compareTo(e.value()) > 0) {
                throw new NeutronException(400, "InvalidAllocationPool", "The allocation pool " + shown + " is not valid.");
            }
            Range r = new Range(s.value(), e.value());
            Range host = hostRange(cidr);
            if (s.version() != cidr.version() || !host.contains(r.first()) || !host.contains(r.last())) {
                throw new NeutronException(400, "OutOfBoundsAllocationPool",
                        "The allocation pool " + shown + " spans beyond the subnet cidr " + cidr.canonical() + ".");
            }
            pools.add(r);
        }
        pools.sort(Comparator.comparing(Range::first));
        for (int i = 1; i < pools.size(); i++) {
            if (pools.get(i - 1).overlaps(pools.get(i))) {
                throw new NeutronException(409, "OverlappingAllocationPools", "Found overlapping allocation pools: "
                        + show(cidr, pools.get(i - 1)) + " " + show(cidr, pools.get(i)) + " for subnet " + cidr.canonical() + ".");
            }
        }
        requireGatewayOutside(pools, cidr, gateway);
        return pools;
    }

    public static void requireGatewayOutside(List<Range> pools, Prefix cidr, Ip gateway) {
        if (gateway == null) return;
        for (Range r : pools) {
            if (r.contains(gateway.value())) {
                throw new NeutronException(409, "GatewayConflictWithAllocationPools",
                        "Gateway ip " + gateway.text() + " conflicts with allocation pool " + show(cidr, r));
            }
        }
    }

    public static List<AllocationPool> toModel(int version, List<Range> pools) {
        return pools.stream().map(r -> new AllocationPool(IpAddresses.format(version, r.first()),
                IpAddresses.format(version, r.last()))).toList();
    }

    public static List<Range> fromModel(List<AllocationPool> pools) {
        return pools.stream().map(p -> new Range(IpAddresses.parse(p.start()).value(), IpAddresses.parse(p.end()).value())).toList();
    }

    public static List<Range> ranges(Subnet s) { return fromModel(s.allocationPools()); }

    private static String show(Prefix cidr, Range r) {
        return IpAddresses.format(cidr.version(), r.first()) + "-" + IpAddresses.format(cidr.version(), r.last());
    }

    public static List<String> dnsNameservers(List<String> raw, int version) {
        if (raw.size() > MAX_DNS_NAMESERVERS) {
            throw NeutronException.badRequest("The number of DNS nameservers exceeds the limit " + MAX_DNS_NAMESERVERS + ".");
        }
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>();
        for (String s : raw) {
            Ip ip = IpAddresses.parse(s);
            if (ip == null) throw NeutronException.invalidAttribute("dns_nameservers", "'" + s + "' is not a valid nameserver");
            if (!seen.add(ip.text())) throw NeutronException.invalidAttribute("dns_nameservers", "Duplicate nameserver '" + s + "'");
            out.add(ip.text());
        }
        return out;
    }

    public static List<HostRoute> hostRoutes(List<Map<String, Object>> raw, int version) {
        if (raw.size() > MAX_HOST_ROUTES) {
            throw NeutronException.badRequest("The number of host routes exceeds the limit " + MAX_HOST_ROUTES + ".");
        }
        Set<HostRoute> seen = new HashSet<>();
        List<HostRoute> out = new ArrayList<>();
        for (Map<String, Object> m : raw) {
            Object d = m.get("destination"), n = m.get("nexthop");
            Prefix dest = d instanceof String ds ? IpAddresses.parsePrefix(ds) : null;
            Ip hop = n instanceof String ns ? IpAddresses.parse(ns) : null;
            if (m.size() != 2 || dest == null || hop == null || dest.hasHostBits()) {
                throw NeutronException.invalidAttribute("host_routes", "Invalid data format for hostroute: '" + m + "'");
            }
            if (dest.version() != version || hop.version() != version) {
                throw NeutronException.invalidInput("host route " + m + " does not match the subnet's ip_version " + version);
            }
            HostRoute r = new HostRoute(dest.canonical(), hop.text());
            if (!seen.add(r)) throw NeutronException.invalidAttribute("host_routes", "Duplicate hostroute '" + m + "'");
            out.add(r);
        }
        return out;
    }

    /** Validates ipv6_ra_mode / ipv6_address_mode and returns them; both must agree when both are given. */
    public static void ipv6Modes(String raMode, String addressMode, Prefix cidr) {
        for (String[] m : new String[][]{{"ipv6_ra_mode", raMode}, {"ipv6_address_mode", addressMode}}) {
            if (m[1] == null) continue;
            if (!IPV6_MODES.contains(m[1])) {
                throw NeutronException.invalidAttribute(m[0], "'" + m[1] + "' is not in " + new java.util.TreeSet<>(IPV6_MODES));
            }
            if (cidr.version() != 6) {
                throw NeutronException.invalidInput(m[0] + " is not valid when ip_version is 4");
            }
        }
        if (raMode != null && addressMode != null && !raMode.equals(addressMode)) {
            throw NeutronException.invalidInput("ipv6_ra_mode set to '" + raMode + "' with ipv6_address_mode set to '"
                    + addressMode + "' is not valid. If both attributes are set, they must be the same value");
        }
        // Either mode alone makes hosts form EUI-64 addresses, so either one needs the /64.
        if ((autoAddress(addressMode) || autoAddress(raMode)) && cidr.length() != 64) {
            throw NeutronException.invalidInput("Invalid CIDR " + cidr.canonical() + " for IPv6 address mode. "
                    + "OpenStack uses the EUI-64 address format, which requires the prefix to be /64");
        }
    }

    private static boolean autoAddress(String mode) { return "slaac".equals(mode) || "dhcpv6-stateless".equals(mode); }
}
