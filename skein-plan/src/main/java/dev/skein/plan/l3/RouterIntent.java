package dev.skein.plan.l3;

import dev.skein.model.FixedIp;
import dev.skein.model.HostRoute;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What the router compiler needs from the intent: routers with their gateway and interface ports, those ports
 * (addresses and binding), the subnets and networks the ports are on, and the floating IPs associated through the
 * routers. Narrower than the stored resources, so a change to anything routing does not read cannot change a plan.
 */
public record RouterIntent(List<Router> routers, List<Port> ports, List<Subnet> subnets, List<Network> networks,
                           List<FloatingIp> floatingIps) {

    public RouterIntent {
        routers = List.copyOf(routers);
        ports = List.copyOf(ports);
        subnets = List.copyOf(subnets);
        networks = List.copyOf(networks);
        floatingIps = List.copyOf(floatingIps);
    }

    /** gatewayPortId is null without an external gateway; routes are the router's extra routes. */
    public record Router(String id, String projectId, boolean adminStateUp, String gatewayPortId, boolean enableSnat,
                         List<HostRoute> routes, List<String> interfacePortIds) {
        public Router {
            Objects.requireNonNull(id, "id");
            routes = List.copyOf(routes);
            interfacePortIds = List.copyOf(interfacePortIds);
        }

        public static Router of(dev.skein.model.Router r, List<String> interfacePortIds) {
            return new Router(r.id(), r.projectId(), r.adminStateUp(), r.gateway() == null ? null : r.gateway().portId(),
                    r.enableSnat(), r.routes(), interfacePortIds);
        }
    }

    /** hostId is binding:host_id; null or empty means the port is not bound anywhere. */
    public record Port(String id, String networkId, String mac, String hostId, List<FixedIp> fixedIps) {
        public Port {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(networkId, "networkId");
            mac = mac == null ? null : mac.toLowerCase(Locale.ROOT);
            hostId = hostId == null ? "" : hostId;
            fixedIps = List.copyOf(fixedIps);
        }

        public static Port of(dev.skein.model.Port p) {
            return new Port(p.id(), p.networkId(), p.macAddress(), p.hostId(), p.fixedIps());
        }
    }

    public record Subnet(String id, String networkId, String cidr, String gatewayIp) {
        public Subnet {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(cidr, "cidr");
        }

        public static Subnet of(dev.skein.model.Subnet s) { return new Subnet(s.id(), s.networkId(), s.cidr(), s.gatewayIp()); }
    }

    public record Network(String id, int mtu) {
        public Network { Objects.requireNonNull(id, "id"); }

        public static Network of(dev.skein.model.Network n) { return new Network(n.id(), n.mtu()); }
    }

    /** An associated floating IP: fixedIpAddress is reached through routerId. */
    public record FloatingIp(String id, String routerId, String floatingIpAddress, String fixedIpAddress) {
        public FloatingIp {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(routerId, "routerId");
            Objects.requireNonNull(floatingIpAddress, "floatingIpAddress");
            Objects.requireNonNull(fixedIpAddress, "fixedIpAddress");
        }

        /** The association of f, or null when f is not associated. */
        public static FloatingIp of(dev.skein.model.FloatingIp f) {
            return f.associated() ? new FloatingIp(f.id(), f.routerId(), f.floatingIpAddress(), f.fixedIpAddress()) : null;
        }
    }
}
