package dev.skein.api.neutron;

import dev.skein.model.FloatingIp;
import dev.skein.model.Port;
import dev.skein.policy.RequestContext;
import dev.skein.service.FloatingIpService;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

final class FloatingIpResource implements Resource<FloatingIp> {
    private static final Set<String> ATTRIBUTES = Views.floatingIp(Samples.FLOATING_IP, null).keySet();
    private final FloatingIpService service;

    FloatingIpResource(FloatingIpService service) { this.service = service; }

    @Override public String collection() { return "floatingips"; }
    @Override public String member() { return "floatingip"; }
    @Override public Set<String> attributes(RequestContext ctx) { return ATTRIBUTES; }
    @Override public FloatingIp create(RequestContext ctx, Map<String, Object> body) { return service.create(ctx, body); }
    @Override public List<FloatingIp> createBulk(RequestContext ctx, List<Map<String, Object>> b) { return service.createBulk(ctx, b); }
    @Override public FloatingIp get(RequestContext ctx, String id) { return service.get(ctx, id); }
    @Override public List<FloatingIp> list(RequestContext ctx) { return service.list(ctx); }

    @Override
    public FloatingIp update(RequestContext ctx, String id, Map<String, Object> body, Long rev) {
        return service.update(ctx, id, body, rev);
    }

    @Override public void delete(RequestContext ctx, String id, Long rev) { service.delete(ctx, id, rev); }

    @Override
    public FloatingIp updateTags(RequestContext ctx, String id, UnaryOperator<List<String>> change) {
        return service.updateTags(ctx, id, change);
    }

    @Override public List<String> tags(FloatingIp f) { return f.tags(); }

    @Override
    public List<Map<String, Object>> render(RequestContext ctx, List<FloatingIp> items) {
        Map<String, Port> ports = service.ports(items);
        return items.stream().map(f -> Views.floatingIp(f, f.portId() == null ? null : ports.get(f.portId()))).toList();
    }
}
