package dev.skein.api.neutron;

import dev.skein.api.http.Json;
import dev.skein.bus.PlanCodec;
import dev.skein.control.HostPlanService;
import dev.skein.error.NeutronException;
import dev.skein.model.Agent;
import dev.skein.policy.Policy;
import dev.skein.policy.RequestContext;
import dev.skein.service.AgentService;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Neutron's agents API ({@code /v2.0/agents}) and the endpoints agents themselves use under
 * {@code /v2.0/skein}: registration, heartbeats, fetching a host plan and reporting what was realised. All of the
 * latter need an admin token.
 */
public final class AgentsApi {
    /** Neutron shows agent times without a zone designator, in UTC. */
    private static final DateTimeFormatter AGENT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final Set<String> ATTRIBUTES = view(new AgentService.Status(new Agent("", "", "", "", "", null, Map.of(),
            Map.of(), true, "", Instant.EPOCH, Instant.EPOCH), null, false)).keySet();

    private final AgentService agents;
    private final HostPlanService plans;

    public AgentsApi(AgentService agents, HostPlanService plans) {
        this.agents = agents;
        this.plans = plans;
    }

    public void register(Javalin app) {
        app.get("/v2.0/agents", ctx -> {
            RequestContext rc = NeutronApi.context(ctx);
            ListQuery.Page page = new ListQuery(ctx.queryParamMap(), ATTRIBUTES)
                    .apply(agents.list(rc).stream().map(AgentsApi::view).toList(), NeutronApi.baseUrl(ctx) + "/v2.0/agents");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("agents", page.items());
            if (!page.links().isEmpty()) body.put("agents_links", page.links());
            send(ctx, 200, body);
        });
        app.get("/v2.0/agents/{id}", ctx -> send(ctx, 200, Map.of("agent",
                ListQuery.project(view(agents.get(NeutronApi.context(ctx), ctx.pathParam("id"))), ctx.queryParams("fields")))));
        app.put("/v2.0/agents/{id}", ctx -> send(ctx, 200, Map.of("agent",
                view(agents.update(NeutronApi.context(ctx), ctx.pathParam("id"), member(ctx, "agent"))))));
        app.delete("/v2.0/agents/{id}", ctx -> {
            agents.delete(NeutronApi.context(ctx), ctx.pathParam("id"));
            ctx.status(204);
        });

        app.post("/v2.0/skein/agents", ctx -> send(ctx, 200, Map.of("agent",
                view(agents.register(NeutronApi.context(ctx), member(ctx, "agent"))))));
        app.put("/v2.0/skein/agents/{id}/heartbeat", ctx -> {
            String id = ctx.pathParam("id");
            if (!agents.heartbeat(NeutronApi.context(ctx), id)) {
                throw NeutronException.notFound("AgentNotFound", "Agent " + id + " could not be found.");
            }
            ctx.status(204);
        });
        app.get("/v2.0/skein/host-plans", ctx -> {
            Policy.requireAdmin(NeutronApi.context(ctx), "get_host_plan");
            List<Map<String, Object>> hosts = plans.revisions(agents.realisedRevisions()).stream().map(h -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("host", h.host());
                m.put("revision", h.revision());
                m.put("realised_revision", h.realisedRevision());
                return m;
            }).toList();
            send(ctx, 200, Map.of("host_plans", hosts));
        });
        app.get("/v2.0/skein/host-plans/{host}", ctx -> {
            Policy.requireAdmin(NeutronApi.context(ctx), "get_host_plan");
            send(ctx, 200, Map.of("host_plan", PlanCodec.tree(plans.plan(ctx.pathParam("host")))));
        });
        app.put("/v2.0/skein/host-plans/{host}/status", ctx -> {
            Map<String, Object> status = member(ctx, "status");
            if (!(status.get("realised_revision") instanceof Number revision) || !(status.get("ports") instanceof Map<?, ?> ports)) {
                throw NeutronException.badRequest("status needs realised_revision (a number) and ports (an object of port id to status)");
            }
            Map<String, String> byPort = new LinkedHashMap<>();
            for (var e : ports.entrySet()) byPort.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
            int changed = agents.reportStatus(NeutronApi.context(ctx), ctx.pathParam("host"), revision.longValue(), byPort);
            send(ctx, 200, Map.of("status", Map.of("changed_ports", changed)));
        });
    }

    static Map<String, Object> view(AgentService.Status s) {
        Agent a = s.agent();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id());
        m.put("agent_type", a.agentType());
        m.put("binary", a.binary());
        m.put("topic", a.topic());
        m.put("host", a.host());
        m.put("admin_state_up", a.adminStateUp());
        m.put("alive", s.alive());
        m.put("heartbeat_timestamp", s.state() == null ? null : AGENT_TIME.format(s.state().heartbeatAt()));
        m.put("created_at", AGENT_TIME.format(a.createdAt()));
        m.put("started_at", AGENT_TIME.format(a.startedAt()));
        m.put("description", a.description());
        m.put("availability_zone", null);
        m.put("resources_synced", null);
        Map<String, Object> conf = new LinkedHashMap<>(a.configurations());
        conf.put("local_ip", a.localIp());
        conf.put("bridge_mappings", a.bridgeMappings());
        conf.put("tunnel_types", a.localIp() == null ? List.of() : List.of("vxlan"));
        m.put("configurations", conf);
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> member(Context ctx, String member) {
        Map<String, Object> body = Json.object(ctx.body());
        if (body.size() != 1 || !(body.get(member) instanceof Map<?, ?> m)) {
            throw NeutronException.badRequest("Unable to find '" + member + "' in request body");
        }
        return (Map<String, Object>) m;
    }

    private static void send(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }
}
