package dev.skein.api.neutron;

import dev.skein.model.Port;
import dev.skein.policy.RequestContext;
import dev.skein.service.PortService;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

final class PortResource implements Resource<Port> {
    private static final Set<String> ATTRIBUTES = Views.port(Samples.PORT).keySet();
    private final PortService service;

    PortResource(PortService service) { this.service = service; }

    @Override public String collection() { return "ports"; }
    @Override public String member() { return "port"; }
    @Override public Set<String> attributes(RequestContext ctx) { return ATTRIBUTES; }
    @Override public Port create(RequestContext ctx, Map<String, Object> body) { return service.create(ctx, body); }
    @Override public List<Port> createBulk(RequestContext ctx, List<Map<String, Object>> b) { return service.createBulk(ctx, b); }
    @Override public Port get(RequestContext ctx, String id) { return service.get(ctx, id); }
    @Override public List<Port> list(RequestContext ctx) { return service.list(ctx); }

    @Override
    public Port update(RequestContext ctx, String id, Map<String, Object> body, Long rev) {
        return service.update(ctx, id, body, rev);
    }

    @Override public void delete(RequestContext ctx, String id, Long rev) { service.delete(ctx, id, rev); }

    @Override
    public Port updateTags(RequestContext ctx, String id, UnaryOperator<List<String>> change) {
        return service.updateTags(ctx, id, change);
    }

    @Override public List<String> tags(Port p) { return p.tags(); }

    @Override
    public List<Map<String, Object>> render(RequestContext ctx, List<Port> items) {
        return items.stream().map(Views::port).toList();
    }
}
