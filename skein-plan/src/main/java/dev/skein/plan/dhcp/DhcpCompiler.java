package dev.skein.plan.dhcp;

import dev.skein.ipam.MacAddresses;
import dev.skein.model.FixedIp;
import dev.skein.model.HostRoute;
import dev.skein.plan.InterfaceAddress;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Compiles the DHCP servers of one host from the intent. A network's server lives on the host its DHCP port
 * (device_owner network:dhcp) is bound to, so placement is whatever scheduled that port. Pure: the same intent
 * and host give an equal plan. Odd intent (a port without a MAC, an address outside its subnet) is left out and
 * reported in the plan's problems rather than failing the whole plan.
 */
public final class DhcpCompiler {

    private DhcpCompiler() {}

    public static DhcpPlan compile(DhcpIntent intent, String host) {
        Map<String, DhcpIntent.Network> networks = new HashMap<>();
        for (DhcpIntent.Network n : intent.networks()) networks.putIfAbsent(n.id(), n);
        Map<String, List<DhcpIntent.Subnet>> subnetsByNetwork = intent.subnets().stream()
                .sorted(Comparator.comparing(DhcpIntent.Subnet::id))
                .collect(Collectors.groupingBy(DhcpIntent.Subnet::networkId));
        Map<String, List<DhcpIntent.Port>> portsByNetwork = intent.ports().stream()
                .sorted(Comparator.comparing(DhcpIntent.Port::id))
                .collect(Collectors.groupingBy(DhcpIntent.Port::networkId));

        List<DhcpPlan.Server> servers = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, String> serverPortOfNetwork = new HashMap<>();
        List<DhcpIntent.Port> local = intent.ports().stream()
                .filter(p -> dev.skein.model.Port.DHCP_OWNER.equals(p.deviceOwner()) && p.hostId().equals(host))
                .sorted(Comparator.comparing(DhcpIntent.Port::networkId).thenComparing(DhcpIntent.Port::id)).toList();
        for (DhcpIntent.Port dhcpPort : local) {
            String other = serverPortOfNetwork.get(dhcpPort.networkId());
            if (other != null) {
                problems.add("DHCP port " + dhcpPort.id() + " left out: network " + dhcpPort.networkId()
                        + " already has its server here behind port " + other);
                continue;
            }
            DhcpIntent.Network network = networks.get(dhcpPort.networkId());
            if (network == null) {
                problems.add("DHCP port " + dhcpPort.id() + " left out: its network " + dhcpPort.networkId() + " is unknown");
                continue;
            }
            server(network, dhcpPort, subnetsByNetwork.getOrDefault(network.id(), List.of()),
                    portsByNetwork.getOrDefault(network.id(), List.of()), intent.settings(), problems)
                    .ifPresent(s -> {
                        servers.add(s);
                        serverPortOfNetwork.put(s.networkId(), s.portId());
                    });
        }
        return new DhcpPlan(servers, problems);
    }

    private static Optional<DhcpPlan.Server> server(DhcpIntent.Network network, DhcpIntent.Port dhcpPort,
                                                             List<DhcpIntent.Subnet> subnets, List<DhcpIntent.Port> ports,
                                                             DhcpIntent.Settings settings, List<String> problems) {
        // A network without a DHCP-enabled subnet has nothing to serve; its port may simply not be removed yet.
        if (subnets.stream().noneMatch(DhcpIntent.Subnet::enableDhcp)) return Optional.empty();
        String mac = MacAddresses.normalize(dhcpPort.mac());
        if (mac == null) {
            problems.add("DHCP server of network " + network.id() + " left out: its port " + dhcpPort.id() + " has no valid MAC address");
            return Optional.empty();
        }
        Map<String, DhcpIntent.Subnet> byId = new HashMap<>();
        subnets.forEach(s -> byId.put(s.id(), s));

        List<String> addresses = new ArrayList<>();
        for (FixedIp ip : dhcpPort.fixedIps()) {
            DhcpIntent.Subnet s = byId.get(ip.subnetId());
            String address = s == null ? null : InterfaceAddress.of(ip.ipAddress(), s.cidr());
            if (address == null) {
                problems.add("DHCP port " + dhcpPort.id() + ": address " + ip.ipAddress() + " is not on a subnet of network "
                        + network.id() + "; left out");
            } else {
                addresses.add(address);
            }
        }
        for (DhcpIntent.Subnet s : subnets) {
            if (s.enableDhcp() && dhcpPort.fixedIps().stream().noneMatch(ip -> ip.subnetId().equals(s.id()))) {
                problems.add("DHCP port " + dhcpPort.id() + " has no address on subnet " + s.id() + ", so it cannot serve it");
            }
        }

        List<DhcpPlan.Reservation> reservations = new ArrayList<>();
        for (DhcpIntent.Port p : ports) {
            if (p.id().equals(dhcpPort.id())) continue;
            List<String> leased = p.fixedIps().stream()
                    .filter(ip -> byId.containsKey(ip.subnetId()) && byId.get(ip.subnetId()).leased())
                    .map(FixedIp::ipAddress).toList();
            if (leased.isEmpty()) continue;
            String portMac = MacAddresses.normalize(p.mac());
            if (portMac == null) {
                problems.add("port " + p.id() + " gets no lease: it has no valid MAC address");
                continue;
            }
            reservations.add(new DhcpPlan.Reservation(p.id(), portMac, leased, hostname(leased.get(0))));
        }

        List<DhcpPlan.Subnet> planned = subnets.stream().map(DhcpCompiler::subnet).toList();
        return Optional.of(new DhcpPlan.Server(network.id(), dhcpPort.id(), mac, network.mtu(), addresses, planned,
                reservations, settings.dnsDomain(), settings.leaseSeconds(), metadata(subnets, ports, settings)));
    }

    /** Neutron's host name for a port when DNS integration is off: "host-" and the address with dashes for separators. */
    static String hostname(String ip) {
        return "host-" + ip.replace('.', '-').replace(':', '-');
    }

    /**
     * Whether the server answers for the metadata service: always when forced; otherwise, as Neutron's isolated
     * metadata, when some DHCP-enabled IPv4 subnet has no router interface holding its gateway address, because
     * then no router is there to take the clients' requests.
     */
    private static boolean metadata(List<DhcpIntent.Subnet> subnets, List<DhcpIntent.Port> ports, DhcpIntent.Settings settings) {
        if (settings.forceMetadata()) return true;
        if (!settings.enableIsolatedMetadata()) return false;
        for (DhcpIntent.Subnet s : subnets) {
            if (!s.enableDhcp() || s.ipVersion() != 4) continue;
            boolean routed = s.gatewayIp() != null && ports.stream()
                    .filter(p -> DhcpIntent.ROUTER_INTERFACE_OWNERS.contains(p.deviceOwner()))
                    .flatMap(p -> p.fixedIps().stream())
                    .anyMatch(ip -> ip.subnetId().equals(s.id()) && ip.ipAddress().equals(s.gatewayIp()));
            if (!routed) return true;
        }
        return false;
    }

    private static DhcpPlan.Subnet subnet(DhcpIntent.Subnet s) {
        List<DhcpPlan.Route> routes = new ArrayList<>();
        for (HostRoute r : s.hostRoutes()) routes.add(new DhcpPlan.Route(r.destination(), r.nexthop()));
        return new DhcpPlan.Subnet(s.id(), s.ipVersion(), s.cidr(), s.gatewayIp(), s.dnsNameservers(), routes,
                s.ipv6AddressMode(), s.ipv6RaMode(), s.enableDhcp());
    }
}
