package dev.skein.api.neutron;

import dev.skein.model.Subnet;
import dev.skein.policy.RequestContext;
import dev.skein.service.SubnetService;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

final class SubnetResource implements Resource<Subnet> {
    private static final Set<String> ATTRIBUTES = Views.subnet(Samples.SUBNET).keySet();
    private final SubnetService service;

    SubnetResource(SubnetService service) { this.service = service; }

    @Override public String collection() { return "subnets"; }
    @Override public String member() { return "subnet"; }
    @Override public Set<String> attributes(RequestContext ctx) { return ATTRIBUTES; }
    @Override public Subnet create(RequestContext ctx, Map<String, Object> body) { return service.create(ctx, body); }
    @Override public List<Subnet> createBulk(RequestContext ctx, List<Map<String, Object>> b) { return service.createBulk(ctx, b); }
    @Override public Subnet get(RequestContext ctx, String id) { return service.get(ctx, id); }
    @Override public List<Subnet> list(RequestContext ctx) { return service.list(ctx); }

    @Override
    public Subnet update(RequestContext ctx, String id, Map<String, Object> body, Long rev) {
        return service.update(ctx, id, body, rev);
    }

    @Override public void delete(RequestContext ctx, String id, Long rev) { service.delete(ctx, id, rev); }

    @Override
    public Subnet updateTags(RequestContext ctx, String id, UnaryOperator<List<String>> change) {
        return service.updateTags(ctx, id, change);
    }

    @Override public List<String> tags(Subnet s) { return s.tags(); }

    @Override
    public List<Map<String, Object>> render(RequestContext ctx, List<Subnet> items) {
        return items.stream().map(Views::subnet).toList();
    }
}
