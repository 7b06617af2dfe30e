package dev.skein.plan.dhcp;

import dev.skein.model.FixedIp;
import dev.skein.model.HostRoute;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the DHCP compiler needs from the intent: the networks a host may serve, their subnets, every port on them
 * (the DHCP ports that place a server on a host, the ports that get leases, the router interfaces that decide
 * whether a network is isolated) and the controller's DHCP settings. Narrower than the stored resources, so a
 * change to anything DHCP does not read cannot change a plan.
 */
public record DhcpIntent(List<Network> networks, List<Subnet> subnets, List<Port> ports, Settings settings) {
    /** Neutron's router interface owners: a port of one of these holding a subnet's gateway IP routes that subnet. */
    public static final List<String> ROUTER_INTERFACE_OWNERS = List.of("network:router_interface",
            "network:router_interface_distributed", "network:ha_router_replicated_interface");

    public DhcpIntent {
        networks = List.copyOf(networks);
        subnets = List.copyOf(subnets);
        ports = List.copyOf(ports);
        Objects.requireNonNull(settings, "settings");
    }

    public record Network(String id, int mtu) {
        public Network { Objects.requireNonNull(id, "id"); }

        public static Network of(dev.skein.model.Network n) { return new Network(n.id(), n.mtu()); }
    }

    public record Subnet(String id, String networkId, int ipVersion, String cidr, String gatewayIp, List<String> dnsNameservers,
                         List<HostRoute> hostRoutes, boolean enableDhcp, String ipv6AddressMode, String ipv6RaMode) {
        public Subnet {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(networkId, "networkId");
            Objects.requireNonNull(cidr, "cidr");
            dnsNameservers = List.copyOf(dnsNameservers);
            hostRoutes = List.copyOf(hostRoutes);
        }

        public static Subnet of(dev.skein.model.Subnet s) {
            return new Subnet(s.id(), s.networkId(), s.ipVersion(), s.cidr(), s.gatewayIp(), s.dnsNameservers(), s.hostRoutes(),
                    s.enableDhcp(), s.ipv6AddressMode(), s.ipv6RaMode());
        }

        /** Whether a DHCP server leases addresses on it: IPv4, or IPv6 in stateful DHCPv6 mode. */
        boolean leased() {
            return enableDhcp && (ipVersion == 4 || "dhcpv6-stateful".equals(ipv6AddressMode));
        }
    }

    /** hostId is binding:host_id; null or empty means the port is not bound anywhere. */
    public record Port(String id, String networkId, String mac, String deviceOwner, String hostId, List<FixedIp> fixedIps) {
        public Port {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(networkId, "networkId");
            mac = mac == null ? null : mac.toLowerCase(Locale.ROOT);
            deviceOwner = deviceOwner == null ? "" : deviceOwner;
            hostId = hostId == null ? "" : hostId;
            fixedIps = List.copyOf(fixedIps);
        }

        public static Port of(dev.skein.model.Port p) {
            return new Port(p.id(), p.networkId(), p.macAddress(), p.deviceOwner(), p.hostId(), p.fixedIps());
        }
    }

    /**
     * The controller's DHCP configuration, named after Neutron's options: dnsDomain (dns_domain), leaseSeconds
     * (dhcp_lease_duration; at least dnsmasq's shortest lease of two minutes), enableIsolatedMetadata (serve
     * metadata from the DHCP namespace on networks with a subnet no router serves) and forceMetadata (on every
     * network).
     */
    public record Settings(String dnsDomain, int leaseSeconds, boolean enableIsolatedMetadata, boolean forceMetadata) {
        public static final int MIN_LEASE_SECONDS = 120;
        private static final Pattern DOMAIN = Pattern.compile("(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*");
        public static final Settings DEFAULTS = new Settings("openstacklocal", 86400, true, false);

        public Settings {
            Objects.requireNonNull(dnsDomain, "dnsDomain");
            // Neutron writes dns_domain fully qualified ("example.org."); DHCP clients want it without the root.
            if (dnsDomain.endsWith(".")) dnsDomain = dnsDomain.substring(0, dnsDomain.length() - 1);
            if (dnsDomain.length() > 253 || !DOMAIN.matcher(dnsDomain).matches()) {
                throw new IllegalArgumentException("dns_domain '" + dnsDomain + "' is not a domain name");
            }
            if (leaseSeconds < MIN_LEASE_SECONDS) {
                throw new IllegalArgumentException("dhcp_lease_duration must be at least " + MIN_LEASE_SECONDS + " seconds");
            }
        }
    }
}
