package dev.skein.l3;

import dev.skein.ipam.IpAddresses;
import dev.skein.ipam.IpAddresses.Ip;
import dev.skein.ipam.IpAddresses.Prefix;
import dev.skein.ipam.Range;
import dev.skein.ipam.SubnetPlanner;
import dev.skein.model.FixedIp;
import dev.skein.model.Subnet;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Which subnets a router may connect: one interface per subnet, no two overlapping, sensible ports. */
public final class RouterSubnets {
    private RouterSubnets() {}

    /**
     * Checks subnets about to be connected against those the router already has (for a gateway: every subnet of
     * its external network): the same subnet twice, or two subnets whose address ranges overlap, would make
     * the router's routing table ambiguous.
     */
    public static void requireDistinct(Collection<Subnet> connected, Collection<Subnet> adding) {
        for (Subnet n : adding) {
            for (Subnet c : connected) {
                if (c.id().equals(n.id())) throw L3Errors.badRequest("router", "Router already has a port on subnet " + n.id());
            }
        }
        for (Subnet n : adding) {
            Prefix np = IpAddresses.parsePrefix(n.cidr());
            for (Subnet c : connected) {
                if (IpAddresses.parsePrefix(c.cidr()).overlaps(np)) {
                    throw L3Errors.badRequest("router", "Cidr " + n.cidr() + " of subnet " + n.id()
                            + " overlaps with cidr " + c.cidr() + " of subnet " + c.id());
                }
            }
        }
    }

    /** A subnet whose hosts take router advertisements from elsewhere cannot have a Neutron router on it. */
    public static void requireRoutable(Subnet s) {
        if (s.ipVersion() == 6 && s.ipv6RaMode() == null && s.ipv6AddressMode() != null) {
            throw L3Errors.badRequest("router", "IPv6 subnet " + s.id()
                    + " configured to receive RAs from an external router cannot be added to Neutron Router.");
        }
    }

    /** An existing port may become an interface if it has an address and at most one IPv4 subnet. */
    public static void requireUsableInterfacePort(List<FixedIp> ips, Map<String, Subnet> subnets) {
        if (ips.isEmpty()) throw L3Errors.badRequest("router", "Router port must have at least one fixed IP");
        long v4 = ips.stream().map(f -> subnets.get(f.subnetId())).filter(s -> s.ipVersion() == 4).map(Subnet::id).distinct().count();
        if (v4 > 1) throw L3Errors.badRequest("router", "Cannot have multiple IPv4 subnets on router port");
    }

    /**
     * A project may not make a router answer on an address outside a subnet's allocation pools (the gateway
     * address, typically) unless it owns that subnet: otherwise it could hijack another project's gateway.
     */
    public static void requireInPoolsOrOwner(String portId, List<FixedIp> ips, Map<String, Subnet> subnets, String callerProject) {
        for (FixedIp f : ips) {
            Subnet s = subnets.get(f.subnetId());
            Ip ip = IpAddresses.parse(f.ipAddress());
            List<Range> pools = SubnetPlanner.ranges(s);
            boolean inPool = pools.stream().anyMatch(r -> r.contains(ip.value()));
            if (!inPool && !s.projectId().equals(callerProject)) {
                throw L3Errors.badRequest("router", "Cannot add interface to router because specified port " + portId
                        + " has an IP address out of the allocation pool of subnet " + s.id()
                        + ", which is not owned by the project making the request");
            }
        }
    }

    public static boolean hasIpv6(List<FixedIp> ips) {
        return ips.stream().anyMatch(f -> IpAddresses.parse(f.ipAddress()).version() == 6);
    }
}
