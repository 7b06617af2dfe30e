package dev.skein.model;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A Neutron router. Its interfaces are ports (device_owner network:router_interface) linked to it in the store;
 * its gateway is one port on an external network. Extra routes share the {destination, nexthop} shape of
 * subnet host routes.
 */
public record Router(
        String id, String projectId, String name, String description, boolean adminStateUp, String status,
        Gateway gateway, boolean enableSnat, List<HostRoute> routes, boolean distributed, boolean ha,
        List<String> tags, Instant createdAt, Instant updatedAt, long revision) {

    public static final String INTERFACE_OWNER = "network:router_interface";
    public static final String GATEWAY_OWNER = "network:router_gateway";
    public static final String HA_INTERFACE_OWNER = "network:ha_router_replicated_interface";
    /** The device owners of the ports a router owns. */
    public static final Set<String> PORT_OWNERS = Set.of(INTERFACE_OWNER, GATEWAY_OWNER, HA_INTERFACE_OWNER);

    /** The gateway port and the external network it is on; fixedIps are filled in by the service on reads. */
    public record Gateway(String portId, String networkId, List<FixedIp> fixedIps) {
        public Gateway withFixedIps(List<FixedIp> ips) { return new Gateway(portId, networkId, List.copyOf(ips)); }
    }

    public Router withGateway(Gateway g, boolean snat) {
        return new Router(id, projectId, name, description, adminStateUp, status, g, snat, routes, distributed, ha,
                tags, createdAt, updatedAt, revision);
    }

    public Router withRoutes(List<HostRoute> newRoutes) {
        return new Router(id, projectId, name, description, adminStateUp, status, gateway, enableSnat,
                List.copyOf(newRoutes), distributed, ha, tags, createdAt, updatedAt, revision);
    }

    public Router withTags(List<String> newTags, Instant now) {
        return new Router(id, projectId, name, description, adminStateUp, status, gateway, enableSnat, routes,
                distributed, ha, List.copyOf(newTags), createdAt, now, revision + 1);
    }

    /** A visible change that is not to the router's own columns, such as an interface added or removed. */
    public Router touched(Instant now) {
        return new Router(id, projectId, name, description, adminStateUp, status, gateway, enableSnat, routes,
                distributed, ha, tags, createdAt, now, revision + 1);
    }
}
