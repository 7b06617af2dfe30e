package dev.skein.api.neutron;

import dev.skein.model.Network;
import dev.skein.policy.RequestContext;
import dev.skein.service.NetworkService;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

final class NetworkResource implements Resource<Network> {
    private final NetworkService service;

    NetworkResource(NetworkService service) { this.service = service; }

    @Override public String collection() { return "networks"; }
    @Override public String member() { return "network"; }

    @Override
    public Set<String> attributes(RequestContext ctx) {
        return Views.network(Samples.NETWORK, List.of(), ctx).keySet();
    }

    @Override public Network create(RequestContext ctx, Map<String, Object> body) { return service.create(ctx, body); }
    @Override public List<Network> createBulk(RequestContext ctx, List<Map<String, Object>> b) { return service.createBulk(ctx, b); }
    @Override public Network get(RequestContext ctx, String id) { return service.get(ctx, id); }
    @Override public List<Network> list(RequestContext ctx) { return service.list(ctx); }

    @Override
    public Network update(RequestContext ctx, String id, Map<String, Object> body, Long rev) {
        return service.update(ctx, id, body, rev);
    }

    @Override public void delete(RequestContext ctx, String id, Long rev) { service.delete(ctx, id, rev); }

    @Override
    public Network updateTags(RequestContext ctx, String id, UnaryOperator<List<String>> change) {
        return service.updateTags(ctx, id, change);
    }

    @Override public List<String> tags(Network n) { return n.tags(); }

    @Override
    public List<Map<String, Object>> render(RequestContext ctx, List<Network> items) {
        Map<String, List<String>> subnets = service.subnetIds(items.stream().map(Network::id).toList());
        Set<String> sharedWithCaller = service.sharedWithCaller(ctx);
        return items.stream().map(n -> {
            Map<String, Object> view = Views.network(n, subnets.getOrDefault(n.id(), List.of()), ctx);
            // As in Neutron, "shared" says whether the network is shared with the caller: with every project or with its own.
            if (sharedWithCaller.contains(n.id())) view.put("shared", true);
            return view;
        }).toList();
    }
}
