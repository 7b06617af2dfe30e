package dev.skein.l3;

import dev.skein.error.NeutronException;
import dev.skein.ipam.IpAddresses;
import dev.skein.ipam.IpAddresses.Ip;
import dev.skein.ipam.IpAddresses.Prefix;
import dev.skein.model.HostRoute;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** A router's extra routes: their format, whether the router can reach each nexthop, and atomic add/remove. */
public final class ExtraRoutes {
    /** Neutron's default router_route quota. */
    public static final int MAX_ROUTES = 30;

    private ExtraRoutes() {}

    /** Parses the routes attribute (null means none), in Neutron's canonical text, refusing duplicates. */
    public static List<HostRoute> parse(List<Map<String, Object>> raw) {
        if (raw == null) return List.of();
        List<HostRoute> out = new ArrayList<>(raw.size());
        for (Map<String, Object> m : raw) {
            if (m.size() != 2 || !(m.get("destination") instanceof String d) || !(m.get("nexthop") instanceof String n)) {
                throw NeutronException.invalidAttribute("routes", "Invalid data format for hostroute: '" + m + "'");
            }
            Prefix dest = IpAddresses.parsePrefix(d);
            if (dest == null || dest.hasHostBits()) throw NeutronException.invalidAttribute("routes", "'" + d + "' is not a valid CIDR");
            if (isLoopback(dest)) throw NeutronException.invalidAttribute("routes", "'" + d + "' is not a routable CIDR");
            Ip hop = IpAddresses.parse(n);
            if (hop == null) throw NeutronException.invalidAttribute("routes", "'" + n + "' is not a valid IP address");
            HostRoute r = new HostRoute(dest.canonical(), hop.text());
            if (dest.version() != hop.version()) {
                throw L3Errors.invalidRoutes(show(List.of(r)), "the nexthop and the destination are of different IP versions");
            }
            if (out.contains(r)) throw NeutronException.invalidAttribute("routes", "Duplicate hostroute '" + show(r) + "'");
            out.add(r);
        }
        return out;
    }

    /**
     * Every nexthop must lie on a subnet the router is attached to (its gateway's included) and must not be one of
     * the router's own addresses; more than {@link #MAX_ROUTES} routes exceed the router_route quota.
     */
    public static void requireReachable(List<HostRoute> routes, Collection<Prefix> connected, Set<String> routerIps) {
        if (routes.size() > MAX_ROUTES) {
            throw NeutronException.conflict("OverQuota", "Quota exceeded for resources: ['router_route'].");
        }
        for (HostRoute r : routes) {
            Ip hop = IpAddresses.parse(r.nexthop());
            if (connected.stream().noneMatch(c -> c.contains(hop))) {
                throw L3Errors.invalidRoutes(show(routes), "the nexthop is not connected with router");
            }
            if (routerIps.contains(hop.text())) {
                throw L3Errors.invalidRoutes(show(routes), "the nexthop is used by router");
            }
        }
    }

    /** Whether some route goes through an address of the subnet, which then may not be detached. */
    public static boolean anyNexthopIn(List<HostRoute> routes, Prefix subnet) {
        return routes.stream().anyMatch(r -> subnet.contains(IpAddresses.parse(r.nexthop())));
    }

    /** extraroute-atomic add: the union, keeping the existing order; adding a route already there is no error. */
    public static List<HostRoute> plus(List<HostRoute> current, List<HostRoute> added) {
        LinkedHashSet<HostRoute> out = new LinkedHashSet<>(current);
        out.addAll(added);
        return List.copyOf(out);
    }

    /** extraroute-atomic remove: removing a route that is not there is no error. */
    public static List<HostRoute> minus(List<HostRoute> current, List<HostRoute> removed) {
        List<HostRoute> out = new ArrayList<>(current);
        out.removeAll(removed);
        return List.copyOf(out);
    }

    /** Routes as Neutron prints them in messages. */
    public static String show(List<HostRoute> routes) {
        return routes.stream().map(ExtraRoutes::show).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String show(HostRoute r) {
        return "{'destination': '" + r.destination() + "', 'nexthop': '" + r.nexthop() + "'}";
    }

    private static boolean isLoopback(Prefix p) {
        if (p.version() == 6) return p.length() == 128 && p.network().equals(BigInteger.ONE);
        return p.network().shiftRight(24).intValue() == 127;
    }
}
