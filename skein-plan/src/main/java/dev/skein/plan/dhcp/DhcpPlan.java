package dev.skein.plan.dhcp;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The DHCP servers one network node must run: one per network scheduled onto it, each behind its own DHCP port
 * (device_owner network:dhcp) and serving static reservations only, so a MAC the API does not know gets no lease.
 * problems lists what the compiler had to leave out.
 */
public record DhcpPlan(List<Server> servers, List<String> problems) {
    public static final DhcpPlan EMPTY = new DhcpPlan(List.of());

    public DhcpPlan {
        servers = servers.stream().sorted(Comparator.comparing(Server::networkId)).toList();
        problems = problems == null ? List.of() : List.copyOf(problems);
    }

    public DhcpPlan(List<Server> servers) { this(servers, List.of()); }

    /**
     * One network's server. addresses are the DHCP port's own addresses with the prefix length of their subnet
     * ("10.0.0.2/24"); metadata asks for the metadata service on 169.254.169.254 inside the server's namespace
     * (the network has no router to serve it), announced to clients as a classless static route.
     */
    public record Server(String networkId, String portId, String mac, int mtu, List<String> addresses, List<Subnet> subnets,
                         List<Reservation> reservations, String domain, int leaseSeconds, boolean metadata) {
        public Server {
            Objects.requireNonNull(networkId, "networkId");
            Objects.requireNonNull(portId, "portId");
            Objects.requireNonNull(mac, "mac");
            mac = mac.toLowerCase(Locale.ROOT);
            addresses = List.copyOf(addresses);
            subnets = subnets.stream().sorted(Comparator.comparing(Subnet::id)).toList();
            reservations = reservations.stream().sorted(Comparator.comparing(Reservation::portId)).toList();
            if (leaseSeconds <= 0) throw new IllegalArgumentException("lease time must be positive");
        }
    }

    /**
     * A subnet as DHCP clients learn it. gatewayIp may be null (no router option); ipv6AddressMode and ipv6RaMode
     * are Neutron's values (slaac, dhcpv6-stateful, dhcpv6-stateless) or null.
     */
    public record Subnet(String id, int ipVersion, String cidr, String gatewayIp, List<String> dnsNameservers,
                         List<Route> hostRoutes, String ipv6AddressMode, String ipv6RaMode, boolean enableDhcp) {
        public Subnet {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(cidr, "cidr");
            if (ipVersion != 4 && ipVersion != 6) throw new IllegalArgumentException("ip version " + ipVersion);
            dnsNameservers = List.copyOf(dnsNameservers);
            hostRoutes = List.copyOf(hostRoutes);
        }
    }

    public record Route(String destination, String nexthop) {
        public Route {
            Objects.requireNonNull(destination, "destination");
            Objects.requireNonNull(nexthop, "nexthop");
        }
    }

    /**
     * A port's lease: its MAC and the fixed IPs (without prefix) a DHCP server hands out, those on the network's
     * DHCP-enabled subnets except SLAAC and DHCPv6-stateless ones, whose addresses hosts configure themselves.
     */
    public record Reservation(String portId, String mac, List<String> ips, String hostname) {
        public Reservation {
            Objects.requireNonNull(portId, "portId");
            Objects.requireNonNull(mac, "mac");
            mac = mac.toLowerCase(Locale.ROOT);
            ips = List.copyOf(ips);
        }
    }
}
