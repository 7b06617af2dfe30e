package dev.skein.service;

import dev.skein.error.NeutronException;
import dev.skein.model.Network;
import dev.skein.model.Port;
import dev.skein.model.Subnet;
import dev.skein.policy.Policy;
import dev.skein.policy.RequestContext;
import dev.skein.store.Tx;

/** Lookups the router and floating IP services share: what a caller may see, and ports they own outright. */
final class L3Access {
    private L3Access() {}

    /** A port the caller may see (its own, or one on a network it owns), locked, with its fixed IPs; 404 otherwise. */
    static Port lockedPort(Tx tx, RequestContext ctx, String id) {
        Port p = tx.ports().get(id).orElseThrow(() -> NeutronException.portNotFound(id));
        if (!Policy.owns(ctx, p.projectId())) {
            Network n = tx.networks().get(p.networkId()).orElseThrow(() -> NeutronException.portNotFound(id));
            if (!Policy.owns(ctx, n.projectId())) throw NeutronException.portNotFound(id);
        }
        Port locked = tx.ports().lock(id).orElseThrow(() -> NeutronException.portNotFound(id));
        return locked.withFixedIps(tx.ipAllocations().ofPort(id));
    }

    /** A subnet the caller may see: its own, or one on a network it may see. */
    static Subnet visibleSubnet(Tx tx, RequestContext ctx, String id) {
        Subnet s = tx.subnets().get(id).orElseThrow(() -> NeutronException.subnetNotFound(id));
        if (Policy.owns(ctx, s.projectId())) return s;
        Network n = tx.networks().get(s.networkId()).orElseThrow(() -> NeutronException.subnetNotFound(id));
        if (!NetworkAccess.canSee(tx, ctx, n)) throw NeutronException.subnetNotFound(id);
        return s;
    }

    /** Removes a port a router or floating IP made for itself, with its addresses. */
    static void deletePort(Tx tx, String portId) {
        var port = tx.ports().get(portId);
        tx.ipAllocations().releaseAll(portId);
        tx.ports().delete(portId);
        port.ifPresent(p -> PlanChanges.port(tx, p, null));
    }
}
