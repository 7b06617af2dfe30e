package dev.skein.api.neutron;

import dev.skein.api.http.Json;
import dev.skein.error.NeutronException;
import dev.skein.identity.IdentityService;
import dev.skein.policy.RequestContext;
import dev.skein.service.StandardAttributes;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The OpenStack Networking API v2.0: version documents, extensions and the resource routes. */
public final class NeutronApi {
    private static final Pattern IF_MATCH = Pattern.compile("\\s*revision_number=(\\d+)\\s*");
    private static final String CONTEXT = "skein.context";

    private final IdentityService identity;
    private final List<Resource<?>> resources;
    private final QuotaRoutes quotas;
    private final List<Consumer<Javalin>> extraRoutes = new ArrayList<>();

    public NeutronApi(IdentityService identity, dev.skein.service.NetworkService networks,
                      dev.skein.service.SubnetService subnets, dev.skein.service.PortService ports,
                      dev.skein.service.RbacService rbac, dev.skein.service.QuotaService quotas,
                      dev.skein.service.RouterService routers, dev.skein.service.FloatingIpService floatingIps,
                      dev.skein.service.SecurityGroupService securityGroups,
                      dev.skein.service.SecurityGroupRuleService securityGroupRules) {
        this.identity = identity;
        this.resources = List.of(new NetworkResource(networks), new SubnetResource(subnets), new PortResource(ports),
                new RbacPolicyResource(rbac), new RouterResource(routers), new FloatingIpResource(floatingIps),
                new SecurityGroupResource(securityGroups), new SecurityGroupRuleResource(securityGroupRules));
        this.quotas = new QuotaRoutes(quotas);
    }

    public void register(Javalin app) {
        app.get("/", this::versions);
        app.before("/v2.0", this::authenticate);
        app.before("/v2.0/*", this::authenticate);
        app.get("/v2.0", this::index);
        app.get("/v2.0/", this::index);
        app.get("/v2.0/extensions", ctx -> ctx.json(Map.of("extensions", Extensions.ALL.stream().map(Extensions::view).toList())));
        app.get("/v2.0/extensions/{alias}", ctx -> {
            String alias = ctx.pathParam("alias");
            var e = Extensions.ALL.stream().filter(x -> x.alias().equals(alias)).findFirst()
                    .orElseThrow(() -> NeutronException.notFound("ExtensionNotFound", "Extension with alias " + alias + " does not exist"));
            ctx.json(Map.of("extension", Extensions.view(e)));
        });
        for (Resource<?> r : resources) routes(app, r);
        quotas.register(app);
        extraRoutes.forEach(r -> r.accept(app));
    }

    /** Routes outside the generic resource pattern, registered under the same authentication. */
    public NeutronApi addRoutes(Consumer<Javalin> routes) {
        extraRoutes.add(routes);
        return this;
    }

    private <T> void routes(Javalin app, Resource<T> r) {
        String base = "/v2.0/" + r.path();
        app.get(base, ctx -> {
            RequestContext rc = ctx.attribute(CONTEXT);
            ListQuery q = new ListQuery(ctx.queryParamMap(), r.attributes(rc));
            ListQuery.Page page = q.apply(r.render(rc, r.list(rc)), baseUrl(ctx) + base);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put(r.collection(), page.items());
            if (!page.links().isEmpty()) body.put(r.collection() + "_links", page.links());
            send(ctx, 200, body);
        });
        app.post(base, ctx -> {
            RequestContext rc = ctx.attribute(CONTEXT);
            Map<String, Object> body = Json.object(ctx.body());
            if (body.get(r.collection()) instanceof List<?> list && body.size() == 1) {
                List<Map<String, Object>> items = new ArrayList<>();
                for (Object o : list) items.add(memberBody(r.member(), o));
                send(ctx, 201, Map.of(r.collection(), r.render(rc, r.createBulk(rc, items))));
            } else {
                Map<String, Object> item = memberBody(r.member(), requireMember(body, r.member()));
                send(ctx, 201, Map.of(r.member(), one(r, rc, r.create(rc, item))));
            }
        });
        app.get(base + "/{id}", ctx -> {
            RequestContext rc = ctx.attribute(CONTEXT);
            Map<String, Object> item = one(r, rc, r.get(rc, ctx.pathParam("id")));
            send(ctx, 200, Map.of(r.member(), ListQuery.project(item, ctx.queryParams("fields"))));
        });
        app.put(base + "/{id}", ctx -> {
            RequestContext rc = ctx.attribute(CONTEXT);
            Map<String, Object> item = memberBody(r.member(), requireMember(Json.object(ctx.body()), r.member()));
            send(ctx, 200, Map.of(r.member(), one(r, rc, r.update(rc, ctx.pathParam("id"), item, ifMatch(ctx)))));
        });
        app.delete(base + "/{id}", ctx -> {
            r.delete(ctx.attribute(CONTEXT), ctx.pathParam("id"), ifMatch(ctx));
            ctx.status(204);
        });
        if (r.taggable()) tagRoutes(app, r, base);
    }

    private <T> void tagRoutes(Javalin app, Resource<T> r, String base) {
        app.get(base + "/{id}/tags", ctx -> send(ctx, 200, Map.of("tags", r.tags(r.get(ctx.attribute(CONTEXT), ctx.pathParam("id"))))));
        app.put(base + "/{id}/tags", ctx -> {
            Map<String, Object> body = Json.object(ctx.body());
            if (!(body.get("tags") instanceof List<?> raw) || body.size() != 1) {
                throw NeutronException.badRequest("Invalid tags body: expected {\"tags\": [...]}");
            }
            List<String> tags = new ArrayList<>();
            for (Object o : raw) {
                if (!(o instanceof String s)) throw NeutronException.invalidAttribute("tags", "'" + o + "' is not a valid string");
                tags.add(s);
            }
            List<String> valid = StandardAttributes.tags(tags);
            T updated = r.updateTags(ctx.attribute(CONTEXT), ctx.pathParam("id"), old -> valid);
            send(ctx, 200, Map.of("tags", r.tags(updated)));
        });
        app.delete(base + "/{id}/tags", ctx -> {
            r.updateTags(ctx.attribute(CONTEXT), ctx.pathParam("id"), old -> List.of());
            ctx.status(204);
        });
        app.get(base + "/{id}/tags/{tag}", ctx -> {
            String id = ctx.pathParam("id"), tag = ctx.pathParam("tag");
            if (!r.tags(r.get(ctx.attribute(CONTEXT), id)).contains(tag)) {
                throw NeutronException.notFound("TagNotFound", "Tag " + tag + " could not be found for resource " + id + ".");
            }
            ctx.status(204);
        });
        app.put(base + "/{id}/tags/{tag}", ctx -> {
            String tag = ctx.pathParam("tag");
            r.updateTags(ctx.attribute(CONTEXT), ctx.pathParam("id"), old -> StandardAttributes.withTag(old, tag));
            ctx.status(201);
        });
        app.delete(base + "/{id}/tags/{tag}", ctx -> {
            String id = ctx.pathParam("id"), tag = ctx.pathParam("tag");
            r.updateTags(ctx.attribute(CONTEXT), id, old -> StandardAttributes.withoutTag(old, tag, id));
            ctx.status(204);
        });
        r.actions().forEach((name, action) -> app.put(base + "/{id}/" + name, ctx ->
                send(ctx, 200, action.apply(ctx.attribute(CONTEXT), ctx.pathParam("id"), Json.object(ctx.body())))));
    }

    private static <T> Map<String, Object> one(Resource<T> r, RequestContext rc, T item) {
        return r.render(rc, List.of(item)).get(0);
    }

    static Object requireMember(Map<String, Object> body, String member) {
        if (!body.containsKey(member) || body.size() != 1) {
            throw NeutronException.badRequest("Unable to find '" + member + "' in request body");
        }
        return body.get(member);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> memberBody(String member, Object o) {
        if (!(o instanceof Map<?, ?> m)) throw NeutronException.badRequest("Invalid format: '" + member + "' must be a JSON object");
        return (Map<String, Object>) m;
    }

    private static Long ifMatch(Context ctx) {
        String h = ctx.header("If-Match");
        if (h == null) return null;
        Matcher m = IF_MATCH.matcher(h);
        if (!m.matches()) throw NeutronException.badRequest("If-Match header without revision_number=N: " + h);
        return Long.parseLong(m.group(1));
    }

    /** The caller of an authenticated /v2.0 request. */
    static RequestContext context(Context ctx) { return ctx.attribute(CONTEXT); }

    private void authenticate(Context ctx) {
        ctx.attribute(CONTEXT, identity.context(ctx.header("X-Auth-Token")));
    }

    private void versions(Context ctx) {
        String url = baseUrl(ctx);
        send(ctx, 200, Map.of("versions", List.of(Map.of("id", "v2.0", "status", "CURRENT",
                "links", List.of(Map.of("rel", "self", "href", url + "/v2.0/"))))));
    }

    private void index(Context ctx) {
        String url = baseUrl(ctx);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Resource<?> r : resources) {
            list.add(Map.of("name", r.member(), "collection", r.collection(),
                    "links", List.of(Map.of("rel", "self", "href", url + "/v2.0/" + r.path()))));
        }
        send(ctx, 200, Map.of("resources", list));
    }

    static String baseUrl(Context ctx) {
        String host = ctx.header("Host");
        return ctx.scheme() + "://" + (host != null ? host : ctx.host());
    }

    static void send(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }
}
