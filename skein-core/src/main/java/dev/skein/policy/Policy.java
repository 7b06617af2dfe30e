package dev.skein.policy;

import dev.skein.error.NeutronException;
import dev.skein.model.Network;
import dev.skein.model.RbacPolicy;

import java.util.Set;

/**
 * Neutron's default policy, reduced to the rules Skein enforces: a project owns its resources, admin owns
 * everything, RBAC policies open networks to other projects, and some attributes are admin-only.
 */
public final class Policy {
    private Policy() {}

    public static void requireWrite(RequestContext ctx, String action) {
        if (!ctx.canWrite()) throw NeutronException.forbidden(action);
    }

    public static void requireAdmin(RequestContext ctx, String action) {
        if (!ctx.isAdmin()) throw NeutronException.forbidden(action);
    }

    public static boolean owns(RequestContext ctx, String projectId) {
        return ctx.isAdmin() || ctx.projectId().equals(projectId);
    }

    /**
     * Whether the caller may see the network. {@code grants} are the actions of the RBAC policies on it that name
     * the caller's project or every project (none need be looked up for the owner or admin).
     */
    public static boolean canSee(RequestContext ctx, Network n, Set<String> grants) {
        return owns(ctx, n.projectId()) || !grants.isEmpty();
    }

    /** Ports may be created on one's own networks and on those shared with one's project; external ones are for routers. */
    public static boolean canAttachTo(RequestContext ctx, Network n, Set<String> grants) {
        return owns(ctx, n.projectId()) || grants.contains(RbacPolicy.ACCESS_SHARED);
    }

    /**
     * The project a new resource belongs to: the caller's, unless an admin names another one. A member that
     * names a foreign project is refused rather than silently ignored.
     */
    public static String owningProject(RequestContext ctx, String requested, String action) {
        if (requested == null || requested.equals(ctx.projectId())) return ctx.projectId();
        if (!ctx.isAdmin()) throw NeutronException.forbidden(action + ":project_id");
        return requested;
    }
}
