package dev.skein.api.neutron;

import dev.skein.model.Router;
import dev.skein.policy.RequestContext;
import dev.skein.service.RouterService;
import dev.skein.service.RouterService.InterfaceInfo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

final class RouterResource implements Resource<Router> {
    private final RouterService service;

    RouterResource(RouterService service) { this.service = service; }

    @Override public String collection() { return "routers"; }
    @Override public String member() { return "router"; }

    @Override
    public Set<String> attributes(RequestContext ctx) { return Views.router(Samples.ROUTER, ctx).keySet(); }

    @Override public Router create(RequestContext ctx, Map<String, Object> body) { return service.create(ctx, body); }
    @Override public List<Router> createBulk(RequestContext ctx, List<Map<String, Object>> b) { return service.createBulk(ctx, b); }
    @Override public Router get(RequestContext ctx, String id) { return service.get(ctx, id); }
    @Override public List<Router> list(RequestContext ctx) { return service.list(ctx); }

    @Override
    public Router update(RequestContext ctx, String id, Map<String, Object> body, Long rev) {
        return service.update(ctx, id, body, rev);
    }

    @Override public void delete(RequestContext ctx, String id, Long rev) { service.delete(ctx, id, rev); }

    @Override
    public Router updateTags(RequestContext ctx, String id, UnaryOperator<List<String>> change) {
        return service.updateTags(ctx, id, change);
    }

    @Override public List<String> tags(Router r) { return r.tags(); }

    @Override
    public List<Map<String, Object>> render(RequestContext ctx, List<Router> items) {
        return items.stream().map(r -> Views.router(r, ctx)).toList();
    }

    @Override
    public Map<String, Action> actions() {
        return Map.of(
                "add_router_interface", (ctx, id, body) -> interfaceInfo(service.addInterface(ctx, id, body)),
                "remove_router_interface", (ctx, id, body) -> interfaceInfo(service.removeInterface(ctx, id, body)),
                "add_extraroutes", (ctx, id, body) -> Map.of("router", Views.router(service.addExtraRoutes(ctx, id, body), ctx)),
                "remove_extraroutes", (ctx, id, body) -> Map.of("router", Views.router(service.removeExtraRoutes(ctx, id, body), ctx)));
    }

    private static Map<String, Object> interfaceInfo(InterfaceInfo i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.routerId());
        m.put("tenant_id", i.projectId());
        m.put("project_id", i.projectId());
        m.put("port_id", i.portId());
        m.put("network_id", i.networkId());
        m.put("subnet_id", i.subnetIds().isEmpty() ? null : i.subnetIds().get(i.subnetIds().size() - 1));
        m.put("subnet_ids", i.subnetIds());
        return m;
    }
}
