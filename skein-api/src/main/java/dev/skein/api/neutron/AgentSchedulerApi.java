package dev.skein.api.neutron;

import dev.skein.api.http.Json;
import dev.skein.model.Agent;
import dev.skein.model.Network;
import dev.skein.policy.RequestContext;
import dev.skein.service.AgentSchedulerService;
import dev.skein.service.AgentService;
import dev.skein.service.NetworkService;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Neutron's dhcp_agent_scheduler and l3_agent_scheduler extensions: which agent runs which network's DHCP server
 * and which router, seen from either side, and placing or removing them by hand. Adding answers 201 with a null
 * body and removing 204, as Neutron does.
 */
public final class AgentSchedulerApi {
    private static final Set<String> AGENT_ATTRIBUTES = AgentsApi.view(new AgentService.Status(new Agent("", "", "", "", "",
            null, Map.of(), Map.of(), true, "", Instant.EPOCH, Instant.EPOCH), null, false)).keySet();
    private static final Set<String> L3_AGENT_ATTRIBUTES = withHaState(AGENT_ATTRIBUTES);

    private final AgentSchedulerService scheduler;
    private final NetworkService networks;

    public AgentSchedulerApi(AgentSchedulerService scheduler, NetworkService networks) {
        this.scheduler = scheduler;
        this.networks = networks;
    }

    public void register(Javalin app) {
        app.get("/v2.0/agents/{id}/dhcp-networks", ctx -> {
            RequestContext rc = NeutronApi.context(ctx);
            List<Network> hosted = scheduler.dhcpNetworks(rc, ctx.pathParam("id"));
            Map<String, List<String>> subnets = networks.subnetIds(hosted.stream().map(Network::id).toList());
            list(ctx, "networks", Views.network(Samples.NETWORK, List.of(), rc).keySet(),
                    hosted.stream().map(n -> Views.network(n, subnets.getOrDefault(n.id(), List.of()), rc)).toList());
        });
        placedByHand(app, "dhcp-networks", "network_id", scheduler::addDhcpNetwork, scheduler::removeDhcpNetwork);
        app.get("/v2.0/networks/{id}/dhcp-agents", ctx -> list(ctx, "agents", AGENT_ATTRIBUTES,
                scheduler.dhcpAgents(NeutronApi.context(ctx), ctx.pathParam("id")).stream().map(AgentsApi::view).toList()));

        app.get("/v2.0/agents/{id}/l3-routers", ctx -> {
            RequestContext rc = NeutronApi.context(ctx);
            list(ctx, "routers", Views.router(Samples.ROUTER, rc).keySet(),
                    scheduler.l3Routers(rc, ctx.pathParam("id")).stream().map(r -> Views.router(r, rc)).toList());
        });
        placedByHand(app, "l3-routers", "router_id", scheduler::addL3Router, scheduler::removeL3Router);
        app.get("/v2.0/routers/{id}/l3-agents", ctx -> list(ctx, "agents", L3_AGENT_ATTRIBUTES,
                scheduler.l3Agents(NeutronApi.context(ctx), ctx.pathParam("id")).stream().map(AgentSchedulerApi::l3Agent).toList()));
    }

    private interface Add {
        void to(RequestContext rc, String agentId, Map<String, Object> body);
    }

    private interface Remove {
        void from(RequestContext rc, String agentId, String id);
    }

    /** POST /v2.0/agents/{id}/KIND with the item's id in the body, and DELETE /v2.0/agents/{id}/KIND/{ITEM_ID}. */
    private static void placedByHand(Javalin app, String kind, String itemId, Add add, Remove remove) {
        app.post("/v2.0/agents/{id}/" + kind, ctx -> {
            add.to(NeutronApi.context(ctx), ctx.pathParam("id"), Json.object(ctx.body()));
            ctx.status(201).contentType("application/json").result("null");
        });
        app.delete("/v2.0/agents/{id}/" + kind + "/{" + itemId + "}", ctx -> {
            remove.from(NeutronApi.context(ctx), ctx.pathParam("id"), ctx.pathParam(itemId));
            ctx.status(204);
        });
    }

    /** Skein runs each router once, so there is no HA state to show. */
    private static Map<String, Object> l3Agent(AgentService.Status s) {
        Map<String, Object> m = AgentsApi.view(s);
        m.put("ha_state", null);
        return m;
    }

    private static Set<String> withHaState(Set<String> attributes) {
        Set<String> out = new LinkedHashSet<>(attributes);
        out.add("ha_state");
        return out;
    }

    private static void list(Context ctx, String collection, Set<String> attributes, List<Map<String, Object>> items) {
        ListQuery.Page page = new ListQuery(ctx.queryParamMap(), attributes).apply(items, NeutronApi.baseUrl(ctx) + ctx.path());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(collection, page.items());
        if (!page.links().isEmpty()) body.put(collection + "_links", page.links());
        NeutronApi.send(ctx, 200, body);
    }
}
