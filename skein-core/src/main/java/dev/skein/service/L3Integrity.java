package dev.skein.service;

import dev.skein.error.NeutronException;
import dev.skein.l3.L3Errors;
import dev.skein.model.FixedIp;
import dev.skein.model.FloatingIp;
import dev.skein.model.Port;
import dev.skein.model.Router;
import dev.skein.policy.RequestContext;
import dev.skein.store.Tx;

import java.time.Instant;
import java.util.List;

/**
 * What port and network changes must respect because routers and floating IPs depend on them; called from
 * {@link PortService} and {@link NetworkService} inside their transactions.
 */
final class L3Integrity {

    private L3Integrity() {}

    /**
     * Router and floating IP ports go away through their router or floating IP, never through DELETE /ports, as
     * long as their owner exists (named by device_id, as Neutron checks, or linked in the store, which holds even
     * if someone edited device_id). A port with floating IPs loses them (they are kept, disassociated).
     */
    static void beforePortDelete(Tx tx, RequestContext ctx, Port p, Instant now) {
        boolean ownerExists = Router.PORT_OWNERS.contains(p.deviceOwner()) ? tx.routers().get(p.deviceId()).isPresent()
                : FloatingIp.PORT_OWNER.equals(p.deviceOwner()) && tx.floatingIps().get(p.deviceId()).isPresent();
        boolean linked = tx.routers().routerOfInterface(p.id()).isPresent() || tx.routers().routerOfGateway(p.id()).isPresent()
                || tx.floatingIps().ofFloatingPort(p.id()).isPresent();
        if (ownerExists || linked) throw L3Errors.servicePortInUse(p.id(), p.deviceOwner());
        List<FloatingIp> fips = tx.floatingIps().onPort(p.id());
        if (!ctx.isAdmin() && fips.stream().anyMatch(f -> !f.projectId().equals(ctx.projectId()))) {
            throw NeutronException.conflict("FipAssociated", "Unable to complete the operation on port " + p.id()
                    + " because the port still has an associated floating IP.");
        }
        for (FloatingIp f : fips) {
            FloatingIp disassociated = FloatingIpService.disassociated(f, now);
            tx.floatingIps().tryUpdate(disassociated);
            PlanChanges.floatingIp(tx, f, disassociated);
        }
    }

    /** A fixed IP that has a floating IP cannot be taken off its port; the floating IP must be moved first. */
    static void requireFloatingIpsKept(Tx tx, String portId, List<FixedIp> newIps) {
        for (FloatingIp f : tx.floatingIps().onPort(portId)) {
            if (newIps.stream().noneMatch(ip -> ip.ipAddress().equals(f.fixedIpAddress()))) {
                throw L3Errors.badRequest("port", "Cannot update the fixed_ips of the port " + portId
                        + ", because its original fixed_ip has been associated to a floating ip");
            }
        }
    }

    /** Deleting an external network releases its unassociated floating IPs; associated ones keep it in use. */
    static void beforeNetworkDelete(Tx tx, String networkId) {
        for (FloatingIp f : tx.floatingIps().unassociatedOn(networkId)) {
            tx.floatingIps().delete(f.id());
            L3Access.deletePort(tx, f.floatingPortId());
        }
    }

    /** A network stays external while routers have their gateway on it. */
    static void requireNoGateways(Tx tx, String networkId) {
        if (tx.routers().countGatewaysOn(networkId) > 0) {
            throw NeutronException.conflict("ExternalNetworkInUse", "External network " + networkId
                    + " cannot be updated to be made non-external, since it has existing gateway ports.");
        }
    }
}
