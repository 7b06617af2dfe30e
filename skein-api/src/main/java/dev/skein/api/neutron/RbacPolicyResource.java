package dev.skein.api.neutron;

import dev.skein.model.RbacPolicy;
import dev.skein.policy.RequestContext;
import dev.skein.service.RbacService;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/** /v2.0/rbac-policies. Policies have no standard attributes: no tags, no revision number (If-Match is ignored). */
final class RbacPolicyResource implements Resource<RbacPolicy> {
    private static final Set<String> ATTRIBUTES = Views.rbacPolicy(Samples.RBAC_POLICY).keySet();
    private final RbacService service;

    RbacPolicyResource(RbacService service) { this.service = service; }

    @Override public String collection() { return "rbac_policies"; }
    @Override public String member() { return "rbac_policy"; }
    @Override public String path() { return "rbac-policies"; }
    @Override public boolean taggable() { return false; }
    @Override public Set<String> attributes(RequestContext ctx) { return ATTRIBUTES; }
    @Override public RbacPolicy create(RequestContext ctx, Map<String, Object> body) { return service.create(ctx, body); }
    @Override public List<RbacPolicy> createBulk(RequestContext ctx, List<Map<String, Object>> b) { return service.createBulk(ctx, b); }
    @Override public RbacPolicy get(RequestContext ctx, String id) { return service.get(ctx, id); }
    @Override public List<RbacPolicy> list(RequestContext ctx) { return service.list(ctx); }
    @Override public RbacPolicy update(RequestContext ctx, String id, Map<String, Object> body, Long rev) { return service.update(ctx, id, body); }
    @Override public void delete(RequestContext ctx, String id, Long rev) { service.delete(ctx, id); }

    @Override
    public RbacPolicy updateTags(RequestContext ctx, String id, UnaryOperator<List<String>> change) {
        throw new UnsupportedOperationException("RBAC policies have no tags");
    }

    @Override
    public List<String> tags(RbacPolicy p) {
        throw new UnsupportedOperationException("RBAC policies have no tags");
    }

    @Override
    public List<Map<String, Object>> render(RequestContext ctx, List<RbacPolicy> items) {
        return items.stream().map(Views::rbacPolicy).toList();
    }
}
