package dev.skein.service;

import dev.skein.attr.Attributes;
import dev.skein.error.NeutronException;
import dev.skein.model.Network;
import dev.skein.model.NetworkType;
import dev.skein.model.Port;
import dev.skein.model.RbacPolicy;
import dev.skein.model.Segment;
import dev.skein.policy.Policy;
import dev.skein.policy.RequestContext;
import dev.skein.segment.SegmentPlanner;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

public final class NetworkService {
    static final Set<String> CREATE = Set.of("name", "description", "admin_state_up", "shared", "router:external",
            "mtu", "port_security_enabled", "provider:network_type", "provider:physical_network",
            "provider:segmentation_id", "project_id", "tenant_id", "tags", "availability_zone_hints");
    static final Set<String> UPDATE = Set.of("name", "description", "admin_state_up", "shared", "router:external",
            "mtu", "port_security_enabled", "provider:network_type", "provider:physical_network",
            "provider:segmentation_id");
    private static final List<String> AUTO_DELETED_OWNERS = List.of(Port.DHCP_OWNER);

    private final Store store;
    private final NetworkSettings settings;
    private final SegmentPlanner segments;
    private final Clock clock;
    private final QuotaService quotas;

    public NetworkService(Store store, NetworkSettings settings, SegmentPlanner segments, Clock clock, QuotaService quotas) {
        this.store = store;
        this.settings = settings;
        this.segments = segments;
        this.clock = clock;
        this.quotas = quotas;
    }

    public Network create(RequestContext ctx, Map<String, Object> body) {
        return store.write(tx -> {
            quotas.charge(tx, charges(ctx, List.of(body), CREATE, "create_network", "network"));
            return create(tx, ctx, body);
        });
    }

    /** All-or-nothing: one transaction for every network of a bulk request. */
    public List<Network> createBulk(RequestContext ctx, List<Map<String, Object>> bodies) {
        return store.write(tx -> {
            quotas.charge(tx, charges(ctx, bodies, CREATE, "create_network", "network"));
            List<Network> out = new ArrayList<>(bodies.size());
            for (Map<String, Object> b : bodies) out.add(create(tx, ctx, b));
            return out;
        });
    }

    private Network create(Tx tx, RequestContext ctx, Map<String, Object> body) {
        Policy.requireWrite(ctx, "create_network");
        Attributes a = Attributes.of(body, CREATE);
        String project = Policy.owningProject(ctx, projectAttr(a), "create_network");
        boolean shared = a.bool("shared", false);
        boolean external = a.bool("router:external", false);
        if (shared) Policy.requireAdmin(ctx, "create_network:shared");
        if (external) Policy.requireAdmin(ctx, "create_network:router:external");
        boolean provider = a.has("provider:network_type") || a.has("provider:physical_network") || a.has("provider:segmentation_id");
        if (provider) Policy.requireAdmin(ctx, "create_network:provider:network_type");
        List<String> zoneHints = a.stringList("availability_zone_hints");
        if (zoneHints != null && !zoneHints.isEmpty()) {
            throw NeutronException.invalidInput("availability zones are not supported: " + zoneHints);
        }

        String id = UUID.randomUUID().toString();
        Segment seg = provider
                ? segments.claimProvider(tx.segments(), id, a.string("provider:network_type", "vxlan"),
                        emptyToNull(a.string("provider:physical_network", null)), a.integer("provider:segmentation_id"))
                : segments.allocateTenant(tx.segments(), id);
        int maxMtu = maxMtu(seg);
        Integer mtu = a.integer("mtu");
        validateMtu(mtu, maxMtu);
        Instant now = now();
        Network n = new Network(id, project, a.text("name", "", StandardAttributes.MAX_NAME),
                a.text("description", "", StandardAttributes.MAX_DESCRIPTION), a.bool("admin_state_up", true),
                shared, external, mtu == null ? maxMtu : mtu, a.bool("port_security_enabled", true), "ACTIVE", seg,
                a.has("tags") ? StandardAttributes.tags(a.stringList("tags")) : List.of(), now, now, 1);
        tx.networks().insert(n);
        NetworkAccess.onCreate(tx, n);
        return n;
    }

    public Network get(RequestContext ctx, String id) {
        return store.read(tx -> visible(tx, ctx, id));
    }

    public List<Network> list(RequestContext ctx) {
        return store.read(tx -> tx.networks().list(ctx.isAdmin() ? null : ctx.projectId()));
    }

    /** Networks shared with the caller's project by a policy naming it, which Neutron shows as {@code shared} to it. */
    public Set<String> sharedWithCaller(RequestContext ctx) {
        return store.read(tx -> tx.rbacPolicies().objectsGranting(RbacPolicy.NETWORK, RbacPolicy.ACCESS_SHARED, ctx.projectId()));
    }

    /** The {@code subnets} attribute of each network. */
    public Map<String, List<String>> subnetIds(java.util.Collection<String> networkIds) {
        return store.read(tx -> tx.subnets().idsByNetwork(networkIds));
    }

    public Network update(RequestContext ctx, String id, Map<String, Object> body, Long ifRevision) {
        return store.write(tx -> {
            Policy.requireWrite(ctx, "update_network");
            Attributes a = Attributes.of(body, UPDATE);
            Network n = owned(tx, ctx, id, true);
            StandardAttributes.checkRevision(ifRevision, n.revision());
            if (a.has("provider:network_type") || a.has("provider:physical_network") || a.has("provider:segmentation_id")) {
                Policy.requireAdmin(ctx, "update_network:provider:network_type");
                throw NeutronException.invalidInput("Plugin does not support updating provider attributes");
            }
            boolean shared = a.bool("shared", n.shared());
            boolean external = a.bool("router:external", n.external());
            if (shared != n.shared()) Policy.requireAdmin(ctx, "update_network:shared");
            if (external != n.external()) Policy.requireAdmin(ctx, "update_network:router:external");
            if (n.external() && !external) L3Integrity.requireNoGateways(tx, id);
            NetworkAccess.setShared(tx, n, shared);
            NetworkAccess.setExternal(tx, n, external);
            Integer mtu = a.integer("mtu");
            validateMtu(mtu, maxMtu(n.segment()));
            Network u = new Network(n.id(), n.projectId(), a.text("name", n.name(), StandardAttributes.MAX_NAME),
                    a.text("description", n.description(), StandardAttributes.MAX_DESCRIPTION),
                    a.bool("admin_state_up", n.adminStateUp()), shared, external, mtu == null ? n.mtu() : mtu,
                    a.bool("port_security_enabled", n.portSecurityEnabled()), n.status(), n.segment(), n.tags(),
                    n.createdAt(), now(), n.revision() + 1);
            tx.networks().update(u);
            PlanChanges.network(tx, n, u);
            return u;
        });
    }

    public void delete(RequestContext ctx, String id, Long ifRevision) {
        store.write(tx -> {
            Policy.requireWrite(ctx, "delete_network");
            Network n = owned(tx, ctx, id, true);
            StandardAttributes.checkRevision(ifRevision, n.revision());
            L3Integrity.beforeNetworkDelete(tx, id);
            if (tx.ports().countOnNetwork(id, AUTO_DELETED_OWNERS) > 0) {
                throw NeutronException.conflict("NetworkInUse", "Unable to complete operation on network " + id
                        + ". There are one or more ports still in use on the network.");
            }
            PlanChanges.network(tx, n, null);
            for (var p : tx.ports().list(null, id)) {
                tx.ipAllocations().releaseAll(p.id());
                tx.ports().delete(p.id());
            }
            for (var s : tx.subnets().onNetwork(id)) tx.subnets().delete(s.id());
            NetworkAccess.removeAll(tx, id);
            tx.segments().releaseOf(id);
            tx.networks().delete(id);
            return null;
        });
    }

    public Network updateTags(RequestContext ctx, String id, UnaryOperator<List<String>> change) {
        return store.write(tx -> {
            Policy.requireWrite(ctx, "update_network:tags");
            Network n = owned(tx, ctx, id, true);
            List<String> tags = change.apply(n.tags());
            if (tags.equals(n.tags())) return n;
            Network u = n.withTags(tags, now());
            tx.networks().update(u);
            return u;
        });
    }

    /** The network if the caller may see it; 404 otherwise, so foreign ids do not leak. */
    static Network visible(Tx tx, RequestContext ctx, String id) {
        Network n = tx.networks().get(id).orElseThrow(() -> NeutronException.networkNotFound(id));
        if (!NetworkAccess.canSee(tx, ctx, n)) throw NeutronException.networkNotFound(id);
        return n;
    }

    /** The network if the caller owns it: 404 when it is not even visible, 403 when visible but foreign. */
    static Network owned(Tx tx, RequestContext ctx, String id, boolean lock) {
        Network n = (lock ? tx.networks().lock(id) : tx.networks().get(id))
                .orElseThrow(() -> NeutronException.networkNotFound(id));
        if (!NetworkAccess.canSee(tx, ctx, n)) throw NeutronException.networkNotFound(id);
        if (!Policy.owns(ctx, n.projectId())) throw NeutronException.forbidden("update_network");
        return n;
    }

    /**
     * One charge of {@code resource} per create body, to the project each will belong to; worked out before the
     * transaction locks anything because quota checks must come first (see {@link QuotaService#charge}).
     */
    static List<QuotaService.Charge> charges(RequestContext ctx, List<Map<String, Object>> bodies, Set<String> accepted,
                                             String action, String resource) {
        Policy.requireWrite(ctx, action);
        return bodies.stream().map(b -> new QuotaService.Charge(
                Policy.owningProject(ctx, projectAttr(Attributes.of(b, accepted)), action), resource, 1)).toList();
    }

    static String projectAttr(Attributes a) {
        String p = a.string("project_id", null), t = a.string("tenant_id", null);
        if (p != null && t != null && !p.equals(t)) {
            throw NeutronException.invalidInput("project_id and tenant_id do not match");
        }
        String project = p != null ? p : t;
        if (project != null && project.length() > StandardAttributes.MAX_PROJECT_ID) {
            throw NeutronException.invalidAttribute(p != null ? "project_id" : "tenant_id",
                    "'" + project + "' exceeds maximum length of " + StandardAttributes.MAX_PROJECT_ID);
        }
        return project;
    }

    private int maxMtu(Segment seg) {
        return seg.type() == NetworkType.VXLAN ? settings.globalPhysnetMtu() - NetworkSettings.VXLAN_OVERHEAD
                : settings.globalPhysnetMtu();
    }

    private static void validateMtu(Integer mtu, int max) {
        if (mtu == null) return;
        if (mtu < 68 || mtu > max) {
            throw NeutronException.invalidInput("Requested MTU " + mtu + " is out of range: the minimum is 68 and "
                    + "the maximum for this network's segment is " + max);
        }
    }

    private static String emptyToNull(String s) { return s == null || s.isEmpty() ? null : s; }

    private Instant now() { return StandardAttributes.now(clock); }
}
