package dev.skein.service;

import dev.skein.error.NeutronException;
import dev.skein.model.Network;
import dev.skein.model.RbacPolicy;
import dev.skein.policy.Policy;
import dev.skein.policy.RequestContext;
import dev.skein.store.Tx;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import static dev.skein.model.RbacPolicy.ACCESS_EXTERNAL;
import static dev.skein.model.RbacPolicy.ACCESS_SHARED;
import static dev.skein.model.RbacPolicy.ALL_PROJECTS;
import static dev.skein.model.RbacPolicy.NETWORK;

/**
 * Who besides its owner may use a network, and how the network's {@code shared} and {@code router:external}
 * flags follow its RBAC policies. The flags are kept on the network row as a summary of the policies
 * ({@code shared}: an access_as_shared policy for every project; {@code router:external}: any access_as_external
 * policy), so that listing networks needs no join. Both change only under the network's row lock, in the same
 * transaction; lock order is network row, then policy rows.
 */
public final class NetworkAccess {
    private NetworkAccess() {}

    /** The RBAC actions granted to the caller on the network; owners and admin need none, so none are looked up. */
    public static Set<String> grants(Tx tx, RequestContext ctx, Network n) {
        if (Policy.owns(ctx, n.projectId())) return Set.of();
        return tx.rbacPolicies().grants(NETWORK, n.id(), ctx.projectId());
    }

    public static boolean canSee(Tx tx, RequestContext ctx, Network n) {
        return Policy.canSee(ctx, n, grants(tx, ctx, n));
    }

    /** The policies that stand for the flags a new network was created with, owned by the network's project. */
    static void onCreate(Tx tx, Network n) {
        if (n.shared()) insertForAll(tx, n, ACCESS_SHARED);
        if (n.external()) insertForAll(tx, n, ACCESS_EXTERNAL);
    }

    /**
     * Makes the network shared with every project or not. Unsharing removes only the policy for every project, and is
     * refused while other projects have ports that no remaining policy covers.
     */
    static void setShared(Tx tx, Network n, boolean shared) {
        if (shared == n.shared()) return;
        if (shared) {
            insertForAll(tx, n, ACCESS_SHARED);
            return;
        }
        tx.rbacPolicies().find(NETWORK, n.id(), ACCESS_SHARED, ALL_PROJECTS).ifPresent(p -> {
            if (tx.rbacPolicies().portsDependingOn(p, n.projectId()) > 0) throw invalidSharedSetting(n.id());
            tx.rbacPolicies().delete(p.id());
        });
    }

    /** Making a network external opens it to every project; making it internal removes every access_as_external policy. */
    static void setExternal(Tx tx, Network n, boolean external) {
        if (external == n.external()) return;
        if (external) {
            insertForAll(tx, n, ACCESS_EXTERNAL);
            return;
        }
        for (RbacPolicy p : tx.rbacPolicies().onObject(NETWORK, n.id())) {
            if (p.action().equals(ACCESS_EXTERNAL)) tx.rbacPolicies().delete(p.id());
        }
    }

    /** Re-derives the flags after the network's policies changed, which (as in Neutron) revises the network. */
    static Network refresh(Tx tx, Network n, Instant now) {
        boolean shared = false, external = false;
        for (RbacPolicy p : tx.rbacPolicies().onObject(NETWORK, n.id())) {
            shared |= p.action().equals(ACCESS_SHARED) && p.targetsAll();
            external |= p.action().equals(ACCESS_EXTERNAL);
        }
        Network u = n.withAccess(shared, external, now);
        tx.networks().update(u);
        return u;
    }

    static void removeAll(Tx tx, String networkId) {
        for (RbacPolicy p : tx.rbacPolicies().onObject(NETWORK, networkId)) tx.rbacPolicies().delete(p.id());
    }

    static NeutronException invalidSharedSetting(String networkId) {
        return NeutronException.conflict("InvalidSharedSetting", "Unable to reconfigure sharing settings for network "
                + networkId + ". Multiple projects are using it.");
    }

    private static void insertForAll(Tx tx, Network n, String action) {
        RbacPolicy p = new RbacPolicy(UUID.randomUUID().toString(), n.projectId(), NETWORK, n.id(), action, ALL_PROJECTS);
        if (!tx.rbacPolicies().tryInsert(p)) throw duplicate();
    }

    static NeutronException duplicate() {
        return NeutronException.conflict("DuplicateRbacPolicy", "An RBAC policy already exists with those values.");
    }
}
