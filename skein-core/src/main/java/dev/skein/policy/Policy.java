package dev.skein.policy;

import dev.skein.error.NeutronException;
import dev.skein.model.Network;

/**
 * Neutron's default policy, reduced to the rules Skein enforces: a project owns its resources, admin owns
 * everything, shared and external networks are visible to all, and some attributes are admin-only.
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

    public static boolean canSee(RequestContext ctx, Network n) {
        return owns(ctx, n.projectId()) || n.shared() || n.external();
    }

    /** Ports may be created on one's own networks and on shared ones; external networks are for routers. */
    public static boolean canAttachTo(RequestContext ctx, Network n) {
        return owns(ctx, n.projectId()) || n.shared();
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
