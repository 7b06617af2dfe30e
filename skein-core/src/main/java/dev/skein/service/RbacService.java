package dev.skein.service;

import dev.skein.attr.Attributes;
import dev.skein.error.NeutronException;
import dev.skein.model.Network;
import dev.skein.model.RbacPolicy;
import dev.skein.policy.Policy;
import dev.skein.policy.RequestContext;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

import static dev.skein.model.RbacPolicy.ACCESS_EXTERNAL;
import static dev.skein.model.RbacPolicy.ACCESS_SHARED;
import static dev.skein.model.RbacPolicy.ALL_PROJECTS;
import static dev.skein.model.RbacPolicy.NETWORK;

/**
 * RBAC policies (/v2.0/rbac-policies): a network owner (or admin) grants another project, or every project, access
 * to a network: {@code access_as_shared} to see it and create ports on it, {@code access_as_external} to see it and
 * use it as a router gateway. A policy is visible to the project that owns it and to admin, as in Neutron.
 */
public final class RbacService {
    static final Set<String> CREATE = Set.of("object_type", "object_id", "action", "target_tenant", "target_project",
            "project_id", "tenant_id");
    private static final Set<String> UPDATE = Set.of("target_tenant", "target_project");
    private static final Set<String> READ_ONLY = Set.of("id", "object_type", "object_id", "action", "project_id", "tenant_id");
    private static final List<String> NETWORK_ACTIONS = List.of(ACCESS_SHARED, ACCESS_EXTERNAL);
    /** Neutron accepts what oslo's is_uuid_like does: 32 hex digits, with or without the four dashes. */
    private static final Pattern UUID_LIKE = Pattern.compile(
            "(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}");

    private final Store store;
    private final QuotaService quotas;
    private final Clock clock;

    public RbacService(Store store, QuotaService quotas, Clock clock) {
        this.store = store;
        this.quotas = quotas;
        this.clock = clock;
    }

    /** A validated create request. */
    private record Request(String projectId, String objectId, String action, String target) {}

    public RbacPolicy create(RequestContext ctx, Map<String, Object> body) {
        return createBulk(ctx, List.of(body)).get(0);
    }

    /**
     * All-or-nothing. Quota first, then the networks' row locks in id order, then the inserts: two bulk requests on
     * the same networks wait for each other instead of deadlocking.
     */
    public List<RbacPolicy> createBulk(RequestContext ctx, List<Map<String, Object>> bodies) {
        Policy.requireWrite(ctx, "create_rbac_policy");
        List<Request> requests = bodies.stream().map(b -> parse(ctx, b)).toList();
        return store.write(tx -> {
            quotas.charge(tx, requests.stream().map(r -> new QuotaService.Charge(r.projectId(), "rbac_policy", 1)).toList());
            Map<String, Network> locked = new TreeMap<>();
            for (String id : new TreeSet<>(requests.stream().map(Request::objectId).toList())) {
                Network n = tx.networks().lock(id).filter(x -> NetworkAccess.canSee(tx, ctx, x)).orElseThrow(() ->
                        NeutronException.invalidInput("Network " + id + " could not be found."));
                requireNetworkOwner(ctx, n);
                locked.put(id, n);
            }
            List<RbacPolicy> out = new ArrayList<>();
            for (Request r : requests) {
                RbacPolicy p = new RbacPolicy(UUID.randomUUID().toString(), r.projectId(), NETWORK, r.objectId(), r.action(), r.target());
                if (!tx.rbacPolicies().tryInsert(p)) throw NetworkAccess.duplicate();
                out.add(p);
            }
            locked.values().forEach(n -> NetworkAccess.refresh(tx, n, StandardAttributes.now(clock)));
            return out;
        });
    }

    public RbacPolicy get(RequestContext ctx, String id) {
        return store.read(tx -> visible(tx, ctx, id));
    }

    public List<RbacPolicy> list(RequestContext ctx) {
        return store.read(tx -> tx.rbacPolicies().list(ctx.isAdmin() ? null : ctx.projectId()));
    }

    /** Only the target may change; the project losing access must not have ports that depend on it. */
    public RbacPolicy update(RequestContext ctx, String id, Map<String, Object> body) {
        Policy.requireWrite(ctx, "update_rbac_policy");
        for (String k : body.keySet()) {
            if (READ_ONLY.contains(k)) throw NeutronException.badRequest("Cannot update read-only attribute " + k);
        }
        String target = target(Attributes.of(body, UPDATE));
        if (target != null && target.equals(ALL_PROJECTS)) Policy.requireAdmin(ctx, "update_rbac_policy:target_tenant");
        return store.write(tx -> {
            Network n = lockNetworkOf(tx, ctx, id);
            RbacPolicy p = tx.rbacPolicies().lock(id).orElseThrow(() -> notFound(id));
            if (p.action().equals(ACCESS_SHARED)) requireNetworkOwner(ctx, n);
            if (target == null || target.equals(p.targetProject())) return p;
            requireUnused(tx, n, p);
            if (!tx.rbacPolicies().tryUpdateTarget(id, target)) throw NetworkAccess.duplicate();
            NetworkAccess.refresh(tx, n, StandardAttributes.now(clock));
            return p.withTarget(target);
        });
    }

    public void delete(RequestContext ctx, String id) {
        Policy.requireWrite(ctx, "delete_rbac_policy");
        store.write(tx -> {
            Network n = lockNetworkOf(tx, ctx, id);
            RbacPolicy p = tx.rbacPolicies().lock(id).orElseThrow(() -> notFound(id));
            requireUnused(tx, n, p);
            if (p.action().equals(ACCESS_EXTERNAL) && lastExternalPolicy(tx, n, p)) L3Integrity.requireNoGateways(tx, n.id());
            tx.rbacPolicies().delete(id);
            NetworkAccess.refresh(tx, n, StandardAttributes.now(clock));
            return null;
        });
    }

    private Request parse(RequestContext ctx, Map<String, Object> body) {
        Attributes a = Attributes.of(body, CREATE);
        String type = required(a, "object_type").trim().toLowerCase(Locale.ROOT);
        if (!type.equals(NETWORK)) throw NeutronException.invalidInput("'" + a.string("object_type", null) + "' is not a valid RBAC object type");
        String objectId = required(a, "object_id");
        if (!UUID_LIKE.matcher(objectId).matches()) throw NeutronException.invalidAttribute("object_id", "'" + objectId + "' is not a valid UUID");
        String action = required(a, "action");
        String target = target(a);
        if (target == null) throw missing("target_tenant");
        if (target.equals(ALL_PROJECTS)) Policy.requireAdmin(ctx, "create_rbac_policy:target_tenant");
        if (!NETWORK_ACTIONS.contains(action)) {
            throw new NeutronException(400, "InvalidActionForType", "Invalid action '" + action + "' for object type 'network'. "
                    + "Valid actions: ('" + String.join("', '", NETWORK_ACTIONS) + "')");
        }
        String project = Policy.owningProject(ctx, NetworkService.projectAttr(a), "create_rbac_policy");
        return new Request(project, objectId, action, target);
    }

    /** target_project is the newer name of target_tenant; either may be given, both only if they agree. */
    static String target(Attributes a) {
        String tenant = a.string("target_tenant", null), project = a.string("target_project", null);
        if (tenant != null && project != null && !tenant.equals(project)) {
            throw NeutronException.invalidInput("target_tenant and target_project do not match");
        }
        String t = tenant != null ? tenant : project;
        if (t != null && !t.equals(ALL_PROJECTS) && !UUID_LIKE.matcher(t).matches()) {
            throw NeutronException.invalidInput("'" + t + "' is not a valid target project ID; expected a UUID or '*'");
        }
        return t;
    }

    /**
     * Taking access_as_shared away from a project is refused while that project (for '*': any project but the owner
     * that no other policy covers) still has ports on the network, which would be left on a network it cannot use.
     */
    private static void requireUnused(Tx tx, Network n, RbacPolicy p) {
        if (!p.action().equals(ACCESS_SHARED) || p.targetProject().equals(n.projectId())) return;
        if (tx.rbacPolicies().portsDependingOn(p, n.projectId()) > 0) {
            throw NeutronException.conflict("RbacPolicyInUse", "RBAC policy on object " + n.id() + " cannot be removed "
                    + "because other objects depend on it.\nDetails: " + NetworkAccess.invalidSharedSetting(n.id()).getMessage());
        }
    }

    /** Removing it would make the network internal, which routers with a gateway there forbid. */
    private static boolean lastExternalPolicy(Tx tx, Network n, RbacPolicy p) {
        return tx.rbacPolicies().onObject(NETWORK, n.id()).stream()
                .noneMatch(o -> !o.id().equals(p.id()) && o.action().equals(ACCESS_EXTERNAL));
    }

    /** Locks the policy's network (before the policy itself: the lock order every network change follows). */
    private static Network lockNetworkOf(Tx tx, RequestContext ctx, String id) {
        RbacPolicy p = visible(tx, ctx, id);
        return tx.networks().lock(p.objectId()).orElseThrow(() -> notFound(id));
    }

    private static RbacPolicy visible(Tx tx, RequestContext ctx, String id) {
        return tx.rbacPolicies().get(id).filter(p -> Policy.owns(ctx, p.projectId())).orElseThrow(() -> notFound(id));
    }

    private static void requireNetworkOwner(RequestContext ctx, Network n) {
        if (!Policy.owns(ctx, n.projectId())) {
            throw NeutronException.invalidInput("Only admins can manipulate policies on networks they do not own");
        }
    }

    private static String required(Attributes a, String key) {
        String v = a.string(key, null);
        if (v == null) throw missing(key);
        return v;
    }

    private static NeutronException missing(String key) {
        return NeutronException.badRequest("Failed to parse request. Required attribute '" + key + "' not specified");
    }

    private static NeutronException notFound(String id) {
        return NeutronException.notFound("RbacPolicyNotFound", "RBAC policy of type network with ID " + id + " not found");
    }
}
