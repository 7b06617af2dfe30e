package dev.skein.service;

import dev.skein.attr.Attributes;
import dev.skein.error.NeutronException;
import dev.skein.policy.Policy;
import dev.skein.policy.RequestContext;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Per-project limits on how many of each resource a project may have, and their enforcement.
 *
 * <p>Enforcement counts the rows a project already has instead of keeping a running total, so usage can never
 * drift from the truth. To make "count, then insert" atomic, {@link #charge} locks one row per
 * (project, resource) and holds it until the creating transaction commits or rolls back. The cost: creates of the
 * same resource in the same project run one after the other (at most one per create-transaction time, a few
 * milliseconds), while other projects and other resources are unaffected. An unlimited (-1) quota takes no lock
 * and counts nothing, so it costs one indexed read.
 */
public final class QuotaService {
    private static final Set<String> UPDATE_FLAGS = Set.of("force", "check_limit");

    private final Store store;
    private final QuotaSettings settings;

    public QuotaService(Store store, QuotaSettings settings) {
        this.store = store;
        this.settings = settings;
    }

    /** Resources a create is about to add to a project. */
    public record Charge(String projectId, String resource, int count) {}

    /** What the details call reports per resource; Skein reserves nothing ahead of a create. */
    public record Usage(int limit, long used, long reserved) {}

    /** One project's limits, overrides applied, as the quota list shows them. */
    public record ProjectLimits(String projectId, Map<String, Integer> limits) {}

    /**
     * Checks that a project may have {@code count} more of the resource, 409 OverQuota otherwise. Call it inside
     * the create's transaction before that transaction takes any other lock or inserts anything; see
     * {@link #charge(Tx, Collection)}.
     */
    public void charge(Tx tx, String projectId, String resource, int count) {
        charge(tx, List.of(new Charge(projectId, resource, count)));
    }

    /**
     * Checks several charges at once (a bulk create, or a create that adds more than one kind of resource).
     *
     * <p>Lock order: the (project, resource) rows are locked in sorted order, and callers charge before they lock
     * or insert anything else. A transaction waiting for a quota row therefore holds no lock another transaction
     * could be waiting for, so quota checks cannot take part in a deadlock.
     */
    public void charge(Tx tx, Collection<Charge> charges) {
        TreeMap<String, TreeMap<String, Integer>> byProject = new TreeMap<>();
        for (Charge c : charges) {
            requireResource(c.resource());
            if (c.count() > 0) byProject.computeIfAbsent(c.projectId(), p -> new TreeMap<>()).merge(c.resource(), c.count(), Integer::sum);
        }
        for (var project : byProject.entrySet()) {
            for (var wanted : project.getValue().entrySet()) {
                String resource = wanted.getKey();
                int limit = limit(tx, project.getKey(), resource);
                if (limit == QuotaSettings.UNLIMITED) continue;
                if (wanted.getValue() > limit) throw overQuota(resource);
                tx.quotas().lockUsage(project.getKey(), resource);
                long used = tx.quotas().count(resource, project.getKey()).orElseThrow(() ->
                        new IllegalStateException("the store cannot count quota resource " + resource));
                if (used + wanted.getValue() > limit) throw overQuota(resource);
            }
        }
    }

    /** Every project with overrides, with all its limits (GET /v2.0/quotas). */
    public List<ProjectLimits> list(RequestContext ctx) {
        if (!ctx.isAdmin()) throw NeutronException.forbidden("get_quota");
        return store.read(tx -> {
            List<ProjectLimits> out = new ArrayList<>();
            new TreeMap<>(tx.quotas().allLimits()).forEach((project, overrides) -> out.add(new ProjectLimits(project, merged(overrides))));
            return out;
        });
    }

    public Map<String, Integer> get(RequestContext ctx, String projectId) {
        requireOwnOrAdmin(ctx, projectId);
        return store.read(tx -> merged(tx.quotas().limits(projectId)));
    }

    public Map<String, Integer> defaults(RequestContext ctx, String projectId) {
        requireOwnOrAdmin(ctx, projectId);
        return settings.defaults();
    }

    public Map<String, Usage> details(RequestContext ctx, String projectId) {
        if (!Policy.owns(ctx, projectId)) {
            throw new NeutronException(403, "AdminRequired",
                    "User does not have admin privileges: Only admin is authorized to access quotas for another project.");
        }
        return store.read(tx -> {
            Map<String, Integer> limits = merged(tx.quotas().limits(projectId));
            Map<String, Usage> out = new LinkedHashMap<>();
            for (String r : QuotaSettings.RESOURCES) {
                // A resource this deployment cannot count has no usage to report, as Neutron skips resources no plugin counts.
                OptionalLong used = tx.quotas().count(r, projectId);
                if (used.isPresent()) out.put(r, new Usage(limits.get(r), used.getAsLong(), 0));
            }
            return out;
        });
    }

    /**
     * Sets the given limits. Unless {@code force} is true, a limit below what the project already uses is refused,
     * as Neutron does; {@code check_limit} is accepted for older clients and changes nothing.
     */
    public Map<String, Integer> update(RequestContext ctx, String projectId, Map<String, Object> body) {
        Policy.requireAdmin(ctx, "update_quota");
        Set<String> accepted = new HashSet<>(QuotaSettings.RESOURCES);
        accepted.addAll(UPDATE_FLAGS);
        Attributes a = Attributes.of(body, accepted);
        boolean force = a.bool("force", false);
        Map<String, Integer> wanted = new TreeMap<>();
        for (String r : QuotaSettings.RESOURCES) if (a.has(r)) wanted.put(r, limitValue(r, body.get(r)));
        return store.write(tx -> {
            for (var e : wanted.entrySet()) {
                if (!force && e.getValue() != QuotaSettings.UNLIMITED) {
                    long used = tx.quotas().count(e.getKey(), projectId).orElse(0);
                    if (used > e.getValue()) {
                        throw NeutronException.badRequest("Quota limit " + e.getValue() + " for " + e.getKey()
                                + " must be greater than or equal to already used " + used);
                    }
                }
                tx.quotas().setLimit(projectId, e.getKey(), e.getValue());
            }
            return merged(tx.quotas().limits(projectId));
        });
    }

    /** Drops a project's overrides so it has the defaults again. */
    public void reset(RequestContext ctx, String projectId) {
        Policy.requireAdmin(ctx, "delete_quota");
        store.write(tx -> {
            if (tx.quotas().clearLimits(projectId) == 0) {
                throw NeutronException.notFound("TenantQuotaNotFound", "Quota for project " + projectId + " could not be found.");
            }
            return null;
        });
    }

    /** A limit as Neutron accepts it: an integer (or integer string) from -1 up to the largest database integer. */
    static int limitValue(String resource, Object raw) {
        long value;
        if (raw instanceof Integer || raw instanceof Long) {
            value = ((Number) raw).longValue();
        } else if (raw instanceof String s) {
            try {
                value = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw NeutronException.invalidInput("'" + s + "' is not an integer");
            }
        } else {
            throw NeutronException.invalidInput("'" + raw + "' is not an integer");
        }
        if (value < QuotaSettings.UNLIMITED) {
            throw NeutronException.invalidAttribute(resource, "'" + value + "' is too small - must be at least '-1'");
        }
        if (value > Integer.MAX_VALUE) {
            throw NeutronException.invalidAttribute(resource, "'" + value + "' is too large - must be no larger than '" + Integer.MAX_VALUE + "'");
        }
        return (int) value;
    }

    static NeutronException overQuota(String resource) {
        return NeutronException.conflict("OverQuota", "Quota exceeded for resources: ['" + resource + "'].");
    }

    private int limit(Tx tx, String projectId, String resource) {
        return tx.quotas().limit(projectId, resource).orElse(settings.defaultOf(resource));
    }

    private Map<String, Integer> merged(Map<String, Integer> overrides) {
        Map<String, Integer> out = new LinkedHashMap<>(settings.defaults());
        overrides.forEach((r, l) -> {
            if (out.containsKey(r)) out.put(r, l);
        });
        return out;
    }

    private static void requireResource(String resource) {
        if (!QuotaSettings.RESOURCES.contains(resource)) throw new IllegalArgumentException("not a quota resource: " + resource);
    }

    private static void requireOwnOrAdmin(RequestContext ctx, String projectId) {
        if (!Policy.owns(ctx, projectId)) throw NeutronException.forbidden("get_quota");
    }
}
