package dev.skein.service;

import dev.skein.attr.Attributes;
import dev.skein.model.SecurityGroup;
import dev.skein.model.SecurityGroupRule;
import dev.skein.policy.Policy;
import dev.skein.policy.RequestContext;
import dev.skein.secgroup.SecurityGroupErrors;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Security groups: a project sees and changes its own, admin all of them. The project's "default" group is made
 * on first need and keeps its name; only admin may delete it.
 */
public final class SecurityGroupService {
    static final Set<String> CREATE = Set.of("name", "description", "stateful", "project_id", "tenant_id", "tags");
    static final Set<String> UPDATE = Set.of("name", "description", "stateful");

    private final Store store;
    private final Clock clock;
    private final QuotaService quotas;

    public SecurityGroupService(Store store, Clock clock, QuotaService quotas) {
        this.store = store;
        this.clock = clock;
        this.quotas = quotas;
    }

    public SecurityGroup create(RequestContext ctx, Map<String, Object> body) {
        return createBulk(ctx, List.of(body)).get(0);
    }

    public List<SecurityGroup> createBulk(RequestContext ctx, List<Map<String, Object>> bodies) {
        return store.write(tx -> {
            quotas.charge(tx, charges(ctx, bodies));
            List<SecurityGroup> out = new ArrayList<>(bodies.size());
            for (Map<String, Object> b : bodies) out.add(create(tx, ctx, b));
            return out;
        });
    }

    private SecurityGroup create(Tx tx, RequestContext ctx, Map<String, Object> body) {
        Policy.requireWrite(ctx, "create_security_group");
        Attributes a = Attributes.of(body, CREATE);
        String project = Policy.owningProject(ctx, NetworkService.projectAttr(a), "create_security_group");
        String name = name(a, "");
        stateful(a);
        Instant now = now();
        DefaultSecurityGroups.ensure(tx, project, now);
        SecurityGroup g = new SecurityGroup(UUID.randomUUID().toString(), project, name,
                a.text("description", "", StandardAttributes.MAX_DESCRIPTION), true,
                a.has("tags") ? StandardAttributes.tags(a.stringList("tags")) : List.of(), now, now, 1);
        tx.securityGroups().insert(g);
        for (SecurityGroupRule r : DefaultSecurityGroups.egressRules(g, now)) tx.securityGroupRules().insert(r);
        return g;
    }

    /** A new group comes with its egress rules, which count against the rule quota as well. */
    private static List<QuotaService.Charge> charges(RequestContext ctx, List<Map<String, Object>> bodies) {
        List<QuotaService.Charge> out = new ArrayList<>();
        for (QuotaService.Charge c : NetworkService.charges(ctx, bodies, CREATE, "create_security_group", "security_group")) {
            out.add(c);
            out.add(new QuotaService.Charge(c.projectId(), "security_group_rule", DefaultSecurityGroups.EGRESS_RULES));
        }
        return out;
    }

    public SecurityGroup get(RequestContext ctx, String id) {
        ensureDefault(ctx);
        return store.read(tx -> visible(tx, ctx, id, false));
    }

    public List<SecurityGroup> list(RequestContext ctx) {
        ensureDefault(ctx);
        return store.read(tx -> tx.securityGroups().list(ctx.isAdmin() ? null : ctx.projectId()));
    }

    /** The rules of each group, for the groups' {@code security_group_rules} attribute. */
    public Map<String, List<SecurityGroupRule>> rules(Collection<String> groupIds) {
        return store.read(tx -> {
            Map<String, List<SecurityGroupRule>> out = new LinkedHashMap<>();
            for (SecurityGroupRule r : tx.securityGroupRules().ofGroups(groupIds)) {
                out.computeIfAbsent(r.securityGroupId(), k -> new ArrayList<>()).add(r);
            }
            return out;
        });
    }

    public SecurityGroup update(RequestContext ctx, String id, Map<String, Object> body, Long ifRevision) {
        return store.write(tx -> {
            Policy.requireWrite(ctx, "update_security_group");
            Attributes a = Attributes.of(body, UPDATE);
            SecurityGroup g = visible(tx, ctx, id, true);
            StandardAttributes.checkRevision(ifRevision, g.revision());
            String name = name(a, g.name());
            if (a.has("name") && tx.securityGroups().isDefault(id)) throw SecurityGroupErrors.cannotUpdateDefault();
            stateful(a);
            SecurityGroup u = new SecurityGroup(g.id(), g.projectId(), name,
                    a.text("description", g.description(), StandardAttributes.MAX_DESCRIPTION), g.stateful(), g.tags(),
                    g.createdAt(), now(), g.revision() + 1);
            tx.securityGroups().update(u);
            return u;
        });
    }

    public void delete(RequestContext ctx, String id, Long ifRevision) {
        store.write(tx -> {
            Policy.requireWrite(ctx, "delete_security_group");
            SecurityGroup g = visible(tx, ctx, id, true);
            StandardAttributes.checkRevision(ifRevision, g.revision());
            if (tx.securityGroups().lockMembers(id) > 0) throw SecurityGroupErrors.inUse(id);
            if (!ctx.isAdmin() && tx.securityGroups().isDefault(id)) throw SecurityGroupErrors.cannotRemoveDefault();
            // As in Neutron, rules of other groups that allow traffic from this group go with it; their groups
            // change, so they get a new revision.
            Instant now = now();
            for (String other : tx.securityGroupRules().groupsReferencing(id).stream().sorted().toList()) {
                tx.securityGroups().lock(other).ifPresent(o -> tx.securityGroups().update(o.touched(now)));
            }
            PlanChanges.securityGroupDeleted(tx, id);
            tx.securityGroups().delete(id);
            return null;
        });
    }

    public SecurityGroup updateTags(RequestContext ctx, String id, UnaryOperator<List<String>> change) {
        return store.write(tx -> {
            Policy.requireWrite(ctx, "update_security_group:tags");
            SecurityGroup g = visible(tx, ctx, id, true);
            List<String> tags = change.apply(g.tags());
            if (tags.equals(g.tags())) return g;
            SecurityGroup u = g.withTags(tags, now());
            tx.securityGroups().update(u);
            return u;
        });
    }

    /** The group if the caller may see it; 404 otherwise, so ids of other projects' groups do not leak. */
    static SecurityGroup visible(Tx tx, RequestContext ctx, String id, boolean lock) {
        SecurityGroup g = (lock ? tx.securityGroups().lock(id) : tx.securityGroups().get(id))
                .orElseThrow(() -> SecurityGroupErrors.notFound(id));
        if (!Policy.owns(ctx, g.projectId())) throw SecurityGroupErrors.notFound(id);
        return g;
    }

    /** Neutron makes a project's default group when the project first looks at its groups. */
    private void ensureDefault(RequestContext ctx) {
        String project = ctx.projectId();
        if (project.isEmpty() || store.read(tx -> tx.securityGroups().defaultOf(project)).isPresent()) return;
        store.write(tx -> DefaultSecurityGroups.ensure(tx, project, now()));
    }

    /** "default" belongs to the group Skein makes for each project; no other group may take the name. */
    private static String name(Attributes a, String dflt) {
        String name = a.text("name", dflt, StandardAttributes.MAX_NAME);
        if (a.has("name") && name.toLowerCase(Locale.ROOT).equals(DefaultSecurityGroups.NAME)) {
            throw SecurityGroupErrors.defaultAlreadyExists();
        }
        return name;
    }

    private static void stateful(Attributes a) {
        if (!a.bool("stateful", true)) throw SecurityGroupErrors.stateless();
    }

    private Instant now() { return StandardAttributes.now(clock); }
}
