package dev.skein.plan.l3;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The routers one network node must hold, each in a namespace of its own. problems lists what the compiler had to
 * leave out.
 */
public record RouterPlan(List<Router> routers, List<String> problems) {
    public static final RouterPlan EMPTY = new RouterPlan(List.of());

    public RouterPlan {
        routers = routers.stream().sorted(Comparator.comparing(Router::id)).toList();
        problems = problems == null ? List.of() : List.copyOf(problems);
    }

    public RouterPlan(List<Router> routers) { this(routers, List.of()); }

    /**
     * One router. gateway is null when it has no external gateway. metadata asks for the metadata service to be
     * reachable at 169.254.169.254 from the attached networks through this router.
     */
    public record Router(String id, String projectId, Gateway gateway, List<Interface> interfaces, List<Route> routes,
                         List<FloatingIp> floatingIps, boolean metadata) {
        public Router {
            Objects.requireNonNull(id, "id");
            interfaces = interfaces.stream().sorted(Comparator.comparing(Interface::portId)).toList();
            routes = List.copyOf(routes);
            floatingIps = floatingIps.stream().sorted(Comparator.comparing(FloatingIp::floatingIp)).toList();
        }
    }

    /** A router port on a tenant network; addresses carry their subnet's prefix length ("10.0.0.1/24"). */
    public record Interface(String portId, String networkId, String mac, int mtu, List<String> addresses) {
        public Interface {
            Objects.requireNonNull(portId, "portId");
            Objects.requireNonNull(networkId, "networkId");
            Objects.requireNonNull(mac, "mac");
            mac = mac.toLowerCase(Locale.ROOT);
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * The router's port on the external network: its addresses with prefix length, the external subnets' gateways
     * (the default routes), and whether the attached subnets leave through source NAT to the first IPv4 address.
     */
    public record Gateway(String portId, String networkId, String mac, int mtu, List<String> addresses, List<String> nexthops,
                          boolean enableSnat) {
        public Gateway {
            Objects.requireNonNull(portId, "portId");
            Objects.requireNonNull(networkId, "networkId");
            Objects.requireNonNull(mac, "mac");
            mac = mac.toLowerCase(Locale.ROOT);
            addresses = List.copyOf(addresses);
            nexthops = List.copyOf(nexthops);
        }
    }

    public record Route(String destination, String nexthop) {
        public Route {
            Objects.requireNonNull(destination, "destination");
            Objects.requireNonNull(nexthop, "nexthop");
        }
    }

    /** A 1:1 NAT: traffic to floatingIp goes to fixedIp, and fixedIp leaves as floatingIp. */
    public record FloatingIp(String id, String floatingIp, String fixedIp) {
        public FloatingIp {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(floatingIp, "floatingIp");
            Objects.requireNonNull(fixedIp, "fixedIp");
        }
    }
}
