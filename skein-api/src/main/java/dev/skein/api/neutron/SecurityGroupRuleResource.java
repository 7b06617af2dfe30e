package dev.skein.api.neutron;

import dev.skein.error.NeutronException;
import dev.skein.model.SecurityGroupRule;
import dev.skein.policy.RequestContext;
import dev.skein.service.SecurityGroupRuleService;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

final class SecurityGroupRuleResource implements Resource<SecurityGroupRule> {
    private static final Set<String> ATTRIBUTES = Views.securityGroupRule(Samples.SECURITY_GROUP_RULE).keySet();
    private final SecurityGroupRuleService service;

    SecurityGroupRuleResource(SecurityGroupRuleService service) { this.service = service; }

    @Override public String collection() { return "security_group_rules"; }
    @Override public String member() { return "security_group_rule"; }
    @Override public Set<String> attributes(RequestContext ctx) { return ATTRIBUTES; }
    @Override public SecurityGroupRule create(RequestContext ctx, Map<String, Object> body) { return service.create(ctx, body); }

    @Override
    public List<SecurityGroupRule> createBulk(RequestContext ctx, List<Map<String, Object>> b) { return service.createBulk(ctx, b); }

    @Override public SecurityGroupRule get(RequestContext ctx, String id) { return service.get(ctx, id); }
    @Override public List<SecurityGroupRule> list(RequestContext ctx) { return service.list(ctx); }

    @Override
    public SecurityGroupRule update(RequestContext ctx, String id, Map<String, Object> body, Long rev) {
        return service.update(body);
    }

    @Override public void delete(RequestContext ctx, String id, Long rev) { service.delete(ctx, id, rev); }

    /** Neutron has no tags on rules, so their tag URLs do not exist. */
    @Override
    public SecurityGroupRule updateTags(RequestContext ctx, String id, UnaryOperator<List<String>> change) {
        throw noTags();
    }

    @Override public List<String> tags(SecurityGroupRule r) { throw noTags(); }

    @Override
    public List<Map<String, Object>> render(RequestContext ctx, List<SecurityGroupRule> items) {
        return items.stream().map(Views::securityGroupRule).toList();
    }

    private static NeutronException noTags() {
        return NeutronException.notFound("HTTPNotFound", "The resource could not be found.");
    }
}
