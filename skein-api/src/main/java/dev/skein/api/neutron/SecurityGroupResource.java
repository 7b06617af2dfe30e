package dev.skein.api.neutron;

import dev.skein.model.SecurityGroup;
import dev.skein.model.SecurityGroupRule;
import dev.skein.policy.RequestContext;
import dev.skein.service.SecurityGroupService;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

final class SecurityGroupResource implements Resource<SecurityGroup> {
    private static final Set<String> ATTRIBUTES = Views.securityGroup(Samples.SECURITY_GROUP, List.of()).keySet();
    private final SecurityGroupService service;

    SecurityGroupResource(SecurityGroupService service) { this.service = service; }

    @Override public String collection() { return "security_groups"; }
    @Override public String member() { return "security_group"; }
    @Override public Set<String> attributes(RequestContext ctx) { return ATTRIBUTES; }
    @Override public SecurityGroup create(RequestContext ctx, Map<String, Object> body) { return service.create(ctx, body); }

    @Override
    public List<SecurityGroup> createBulk(RequestContext ctx, List<Map<String, Object>> b) { return service.createBulk(ctx, b); }

    @Override public SecurityGroup get(RequestContext ctx, String id) { return service.get(ctx, id); }
    @Override public List<SecurityGroup> list(RequestContext ctx) { return service.list(ctx); }

    @Override
    public SecurityGroup update(RequestContext ctx, String id, Map<String, Object> body, Long rev) {
        return service.update(ctx, id, body, rev);
    }

    @Override public void delete(RequestContext ctx, String id, Long rev) { service.delete(ctx, id, rev); }

    @Override
    public SecurityGroup updateTags(RequestContext ctx, String id, UnaryOperator<List<String>> change) {
        return service.updateTags(ctx, id, change);
    }

    @Override public List<String> tags(SecurityGroup g) { return g.tags(); }

    @Override
    public List<Map<String, Object>> render(RequestContext ctx, List<SecurityGroup> items) {
        Map<String, List<SecurityGroupRule>> rules = service.rules(items.stream().map(SecurityGroup::id).toList());
        return items.stream().map(g -> Views.securityGroup(g, rules.getOrDefault(g.id(), List.of()))).toList();
    }
}
