package dev.skein.l3;

import dev.skein.error.NeutronException;

/** The errors of routers and floating IPs, with neutron-lib's type names and wording. */
public final class L3Errors {
    private L3Errors() {}

    /** neutron-lib's generic BadRequest, which names the resource the request was about. */
    public static NeutronException badRequest(String resource, String message) {
        return new NeutronException(400, "BadRequest", "Bad " + resource + " request: " + message + ".");
    }

    public static NeutronException routerNotFound(String id) {
        return NeutronException.notFound("RouterNotFound", "Router " + id + " could not be found");
    }

    public static NeutronException floatingIpNotFound(String id) {
        return NeutronException.notFound("FloatingIPNotFound", "Floating IP " + id + " could not be found");
    }

    public static NeutronException routerInUse(String routerId, String reason) {
        return NeutronException.conflict("RouterInUse", "Router " + routerId + " " + reason);
    }

    public static NeutronException interfaceNotFound(String routerId, String portId) {
        return NeutronException.notFound("RouterInterfaceNotFound",
                "Router " + routerId + " does not have an interface with id " + portId);
    }

    public static NeutronException interfaceNotFoundForSubnet(String routerId, String subnetId) {
        return NeutronException.notFound("RouterInterfaceNotFoundForSubnet",
                "Router " + routerId + " has no interface on subnet " + subnetId);
    }

    public static NeutronException interfaceInUseByFloatingIp(String routerId, String subnetId) {
        return NeutronException.conflict("RouterInterfaceInUseByFloatingIP", "Router interface for subnet " + subnetId
                + " on router " + routerId + " cannot be deleted, as it is required by one or more floating IPs.");
    }

    public static NeutronException interfaceInUseByRoute(String routerId, String subnetId) {
        return NeutronException.conflict("RouterInterfaceInUseByRoute", "Router interface for subnet " + subnetId
                + " on router " + routerId + " cannot be deleted, as it is required by one or more routes.");
    }

    public static NeutronException gatewayInUseByFloatingIp(String routerId, String networkId) {
        return NeutronException.conflict("RouterExternalGatewayInUseByFloatingIp", "Gateway cannot be updated for router "
                + routerId + ", since a gateway to external network " + networkId + " is required by one or more floating IPs.");
    }

    public static NeutronException noRouteToExternal(String subnetId, String externalNetworkId, String portId) {
        return NeutronException.notFound("ExternalGatewayForFloatingIPNotFound", "External network " + externalNetworkId
                + " is not reachable from subnet " + subnetId + ".  Therefore, cannot associate Port " + portId
                + " with a Floating IP.");
    }

    public static NeutronException alreadyAssociated(String floatingIp, String fipId, String portId, String fixedIp, String networkId) {
        return NeutronException.conflict("FloatingIPPortAlreadyAssociated", "Cannot associate floating IP " + floatingIp
                + " (" + fipId + ") with port " + portId + " using fixed IP " + fixedIp
                + ", as that fixed IP already has a floating IP on external network " + networkId + ".");
    }

    public static NeutronException portInUse(String networkId, String portId, String deviceId) {
        return NeutronException.conflict("PortInUse", "Unable to complete operation on port " + portId + " for network "
                + networkId + ". Port already has an attached device " + deviceId + ".");
    }

    public static NeutronException servicePortInUse(String portId, String deviceOwner) {
        return NeutronException.conflict("ServicePortInUse", "Port " + portId
                + " cannot be deleted directly via the port API: has device owner " + deviceOwner + ".");
    }

    public static NeutronException invalidRoutes(String routes, String reason) {
        return new NeutronException(400, "InvalidRoutes", "Invalid format for routes: " + routes + ", " + reason);
    }
}
