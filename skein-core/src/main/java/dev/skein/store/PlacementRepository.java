package dev.skein.store;

import dev.skein.model.Port;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where DHCP servers and routers run, read from the ports that serve them: a network's DHCP server is on the host
 * its network:dhcp port is bound to, a router on the host its gateway and interface ports are bound to. There is no
 * other record of placement, so whatever reads ports sees the same answer. Ports come back without fixed IPs.
 */
public interface PlacementRepository {
    /** The network's DHCP ports, oldest first. */
    List<Port> dhcpPorts(String networkId);

    /** The router's gateway and interface ports, oldest first. */
    List<Port> routerPorts(String routerId);

    /** How many networks' DHCP servers and routers each of the hosts runs; a host that runs none is absent. */
    Map<String, Integer> load(Collection<String> hosts);

    /** Every host that has a DHCP or router port bound to it. */
    Set<String> serviceHosts();

    /** Networks with a DHCP port bound to any of the hosts. */
    Set<String> dhcpNetworksOn(Collection<String> hosts);

    /** Routers with a port bound to any of the hosts. */
    Set<String> routersOn(Collection<String> hosts);

    /** Networks with a DHCP-enabled subnet but no DHCP port bound to a host. */
    List<String> networksAwaitingDhcp();

    /** Routers with a gateway or interface port bound to no host. */
    List<String> routersAwaitingHost();

    /** Addresses on the subnet held by ports other than DHCP ports. */
    long allocationsBesidesDhcp(String subnetId);
}
