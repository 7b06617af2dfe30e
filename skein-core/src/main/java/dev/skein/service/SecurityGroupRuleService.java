package dev.skein.service;

import dev.skein.attr.Attributes;
import dev.skein.error.NeutronException;
import dev.skein.model.SecurityGroup;
import dev.skein.model.SecurityGroupRule;
import dev.skein.policy.Policy;
import dev.skein.policy.RequestContext;
import dev.skein.secgroup.RuleKey;
import dev.skein.secgroup.RuleSpec;
import dev.skein.secgroup.SecurityGroupErrors;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Security group rules. They cannot be changed once made, only deleted; a group's revision moves whenever its
 * rule set does. Duplicates are refused by the database's unique key over the normalised rule.
 */
public final class SecurityGroupRuleService {
    static final Set<String> CREATE = Set.of("security_group_id", "direction", "ethertype", "protocol", "port_range_min",
            "port_range_max", "remote_ip_prefix", "remote_group_id", "description", "project_id", "tenant_id");
    /** A bound on what one group may hold, so a group's rule set stays something a host can apply at once. */
    public static final int MAX_RULES_PER_GROUP = 1000;

    private final Store store;
    private final Clock clock;
    private final QuotaService quotas;

    public SecurityGroupRuleService(Store store, Clock clock, QuotaService quotas) {
        this.store = store;
        this.clock = clock;
        this.quotas = quotas;
    }

    public SecurityGroupRule create(RequestContext ctx, Map<String, Object> body) {
        return createBulk(ctx, List.of(body)).get(0);
    }

    /** All or nothing, in one transaction; each group touched gets one new revision. */
    public List<SecurityGroupRule> createBulk(RequestContext ctx, List<Map<String, Object>> bodies) {
        return store.write(tx -> {
            quotas.charge(tx, charges(tx, ctx, bodies));
            Instant now = now();
            Set<RuleKey> seen = new HashSet<>();
            Map<String, SecurityGroup> touched = new LinkedHashMap<>();
            List<SecurityGroupRule> out = new ArrayList<>(bodies.size());
            for (Map<String, Object> b : bodies) out.add(create(tx, ctx, b, now, seen, touched));
            for (SecurityGroup g : touched.values()) tx.securityGroups().update(g.touched(now));
            return out;
        });
    }

    /**
     * A rule counts against the project of its group. The groups are only read here, not locked: quota rows must be
     * locked before anything else. A group that does not exist is left to the create itself to refuse.
     */
    private static List<QuotaService.Charge> charges(Tx tx, RequestContext ctx, List<Map<String, Object>> bodies) {
        Policy.requireWrite(ctx, "create_security_group_rule");
        List<QuotaService.Charge> out = new ArrayList<>();
        for (Map<String, Object> b : bodies) {
            if (b.get("security_group_id") instanceof String id) {
                tx.securityGroups().get(id).ifPresent(g -> out.add(new QuotaService.Charge(g.projectId(), "security_group_rule", 1)));
            }
        }
        return out;
    }

    private SecurityGroupRule create(Tx tx, RequestContext ctx, Map<String, Object> body, Instant now, Set<RuleKey> seen,
                                     Map<String, SecurityGroup> touched) {
        Policy.requireWrite(ctx, "create_security_group_rule");
        Attributes a = Attributes.of(body, CREATE);
        String groupId = required(a, "security_group_id");
        required(a, "direction");
        RuleSpec spec = RuleSpec.normalise(body.get("direction"), body.get("ethertype"), body.get("protocol"),
                body.get("port_range_min"), body.get("port_range_max"), body.get("remote_ip_prefix"), body.get("remote_group_id"));
        String description = a.text("description", "", StandardAttributes.MAX_DESCRIPTION);
        String requestedProject = NetworkService.projectAttr(a);

        SecurityGroup group = touched.get(groupId);
        if (group == null) {
            group = SecurityGroupService.visible(tx, ctx, groupId, true);
            touched.put(groupId, group);
        }
        // Rules count against the group's project unless admin names another one.
        String project = requestedProject == null ? group.projectId()
                : Policy.owningProject(ctx, requestedProject, "create_security_group_rule");
        if (spec.remoteGroupId() != null && !spec.remoteGroupId().equals(groupId)) {
            // Locked, like the rule's own group, so the remote group cannot be deleted before this rule commits.
            SecurityGroupService.visible(tx, ctx, spec.remoteGroupId(), true);
        }
        if (tx.securityGroupRules().countInGroup(groupId) >= MAX_RULES_PER_GROUP) {
            throw SecurityGroupErrors.tooManyRules(groupId, MAX_RULES_PER_GROUP);
        }
        SecurityGroupRule rule = new SecurityGroupRule(UUID.randomUUID().toString(), project, groupId, spec.direction(),
                spec.ethertype(), spec.protocol(), spec.portRangeMin(), spec.portRangeMax(), spec.remoteIpPrefix(),
                spec.remoteGroupId(), description, now, now, 0);
        RuleKey key = RuleKey.of(rule);
        if (!seen.add(key)) throw SecurityGroupErrors.duplicateInRequest();
        if (!tx.securityGroupRules().tryInsert(rule)) {
            throw SecurityGroupErrors.ruleExists(tx.securityGroupRules().idOf(key).orElse("unknown"));
        }
        PlanChanges.securityGroupRules(tx, groupId);
        return rule;
    }

    public SecurityGroupRule get(RequestContext ctx, String id) {
        return store.read(tx -> visible(tx, ctx, id));
    }

    public List<SecurityGroupRule> list(RequestContext ctx) {
        String project = ctx.projectId();
        if (!project.isEmpty() && store.read(tx -> tx.securityGroups().defaultOf(project)).isEmpty()) {
            store.write(tx -> DefaultSecurityGroups.ensure(tx, project, now()));
        }
        return store.read(tx -> tx.securityGroupRules().list(ctx.isAdmin() ? null : project));
    }

    /** Rules are immutable in Neutron: every attribute is read-only after creation. */
    public SecurityGroupRule update(Map<String, Object> body) {
        Set<String> keys = new TreeSet<>(body.keySet());
        if (keys.isEmpty()) throw NeutronException.badRequest("Security group rules cannot be updated; delete and create instead");
        throw NeutronException.badRequest("Cannot update read-only attribute " + keys.iterator().next());
    }

    public void delete(RequestContext ctx, String id, Long ifRevision) {
        store.write(tx -> {
            Policy.requireWrite(ctx, "delete_security_group_rule");
            SecurityGroupRule r = visible(tx, ctx, id);
            StandardAttributes.checkRevision(ifRevision, r.revision());
            SecurityGroup g = tx.securityGroups().lock(r.securityGroupId()).orElseThrow(() -> SecurityGroupErrors.ruleNotFound(id));
            tx.securityGroupRules().delete(id);
            PlanChanges.securityGroupRules(tx, r.securityGroupId());
            tx.securityGroups().update(g.touched(now()));
            return null;
        });
    }

    /** A rule is visible to the project that owns it and to the project that owns its group. */
    private static SecurityGroupRule visible(Tx tx, RequestContext ctx, String id) {
        SecurityGroupRule r = tx.securityGroupRules().get(id).orElseThrow(() -> SecurityGroupErrors.ruleNotFound(id));
        if (Policy.owns(ctx, r.projectId())) return r;
        SecurityGroup g = tx.securityGroups().get(r.securityGroupId()).orElseThrow(() -> SecurityGroupErrors.ruleNotFound(id));
        if (!Policy.owns(ctx, g.projectId())) throw SecurityGroupErrors.ruleNotFound(id);
        return r;
    }

    private static String required(Attributes a, String key) {
        String v = a.string(key, null);
        if (v == null) {
            throw NeutronException.badRequest("Failed to parse request. Required attribute '" + key + "' not specified");
        }
        return v;
    }

    private Instant now() { return StandardAttributes.now(clock); }
}
