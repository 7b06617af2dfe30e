package dev.skein.l3;

import dev.skein.ipam.IpAddresses;
import dev.skein.ipam.IpAddresses.Ip;
import dev.skein.model.FixedIp;
import dev.skein.model.Port;
import dev.skein.store.RouterRepository.Hop;

import java.util.List;
import java.util.Optional;

/** Which fixed IP of a port a floating IP maps to, and which router carries the traffic. */
public final class FloatingIpRules {
    private FloatingIpRules() {}

    /**
     * The port's address the floating IP is for: the requested one, which must be an IPv4 address of the port,
     * or else the port's only IPv4 address.
     */
    public static FixedIp internalAddress(Port port, String requested) {
        if (requested != null) {
            Ip ip = IpAddresses.parse(requested);
            if (ip == null) throw L3Errors.badRequest("floatingip", "'" + requested + "' is not a valid IP address");
            if (ip.version() != 4) {
                throw L3Errors.badRequest("floatingip", "Cannot process floating IP association with " + requested
                        + ", since that is not an IPv4 address");
            }
            return port.fixedIps().stream().filter(f -> f.ipAddress().equals(ip.text())).findFirst().orElseThrow(() ->
                    L3Errors.badRequest("floatingip", "Port " + port.id() + " does not have fixed ip " + ip.text()));
        }
        List<FixedIp> v4 = port.fixedIps().stream().filter(f -> IpAddresses.parse(f.ipAddress()).version() == 4).toList();
        if (v4.isEmpty()) {
            throw L3Errors.badRequest("floatingip", "Cannot add floating IP to port " + port.id() + " that has no fixed IPv4 addresses");
        }
        if (v4.size() > 1) {
            throw L3Errors.badRequest("floatingip", "Port " + port.id() + " has multiple fixed IPv4 addresses.  Must provide "
                    + "a specific IPv4 address when assigning a floating IP");
        }
        return v4.get(0);
    }

    /**
     * Of the routers joining the subnet to the external network, the one whose interface is the subnet's gateway,
     * as the hosts on it route through that address; otherwise the first one attached.
     */
    public static Optional<String> pickRouter(List<Hop> hops, String subnetGatewayIp) {
        return hops.stream().filter(h -> h.interfaceIp().equals(subnetGatewayIp)).findFirst()
                .or(() -> hops.stream().findFirst()).map(Hop::routerId);
    }
}
