package dev.skein.api.neutron;

import dev.skein.api.http.Json;
import dev.skein.error.NeutronException;
import dev.skein.policy.RequestContext;
import dev.skein.service.QuotaService;
import io.javalin.Javalin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** /v2.0/quotas: the quotas and quota_details extensions. Quotas are not a standard resource, so they have their own routes. */
final class QuotaRoutes {
    private static final String BASE = "/v2.0/quotas";

    private final QuotaService quotas;

    QuotaRoutes(QuotaService quotas) { this.quotas = quotas; }

    void register(Javalin app) {
        app.get(BASE, ctx -> {
            List<Map<String, Object>> out = quotas.list(NeutronApi.context(ctx)).stream().map(p -> {
                Map<String, Object> m = new LinkedHashMap<>(p.limits());
                m.put("project_id", p.projectId());
                m.put("tenant_id", p.projectId());
                return m;
            }).toList();
            NeutronApi.send(ctx, 200, Map.of("quotas", out));
        });
        app.post(BASE, ctx -> {
            throw new NeutronException(501, "HTTPNotImplemented", "POST requests are not supported on this resource.");
        });
        // Registered before /{project_id} so that these names are not taken for project ids.
        app.get(BASE + "/tenant", ctx -> NeutronApi.send(ctx, 200,
                Map.of("tenant", Map.of("tenant_id", NeutronApi.context(ctx).projectId()))));
        app.get(BASE + "/project", ctx -> NeutronApi.send(ctx, 200,
                Map.of("project", Map.of("project_id", NeutronApi.context(ctx).projectId()))));
        app.get(BASE + "/{project}", ctx -> NeutronApi.send(ctx, 200,
                Map.of("quota", quotas.get(NeutronApi.context(ctx), ctx.pathParam("project")))));
        app.put(BASE + "/{project}", ctx -> {
            RequestContext rc = NeutronApi.context(ctx);
            Map<String, Object> body = NeutronApi.memberBody("quota",
                    NeutronApi.requireMember(Json.object(ctx.body()), "quota"));
            NeutronApi.send(ctx, 200, Map.of("quota", quotas.update(rc, ctx.pathParam("project"), body)));
        });
        app.delete(BASE + "/{project}", ctx -> {
            quotas.reset(NeutronApi.context(ctx), ctx.pathParam("project"));
            ctx.status(204);
        });
        app.get(BASE + "/{project}/default", ctx -> NeutronApi.send(ctx, 200,
                Map.of("quota", quotas.defaults(NeutronApi.context(ctx), ctx.pathParam("project")))));
        app.get(BASE + "/{project}/details", ctx -> {
            Map<String, Object> out = new LinkedHashMap<>();
            quotas.details(NeutronApi.context(ctx), ctx.pathParam("project")).forEach((r, u) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("limit", u.limit());
                m.put("used", u.used());
                m.put("reserved", u.reserved());
                out.put(r, m);
            });
            NeutronApi.send(ctx, 200, Map.of("quota", out));
        });
    }
}
