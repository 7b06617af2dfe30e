package dev.skein.api.identity;

import dev.skein.api.http.Json;
import dev.skein.error.NeutronException;
import dev.skein.identity.IdentityService;
import dev.skein.identity.IdentityService.ProjectRef;
import dev.skein.identity.IdentityService.UserRef;
import dev.skein.identity.Project;
import dev.skein.identity.Token;
import dev.skein.identity.User;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Keystone v3 subset a standalone Skein serves at /identity/v3: version discovery, password (and token)
 * authentication, token validation, and project look-ups, enough for openstackclient and openstacksdk.
 */
public final class IdentityApi {
    public static final String PREFIX = "/identity";
    private static final DateTimeFormatter KEYSTONE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    private final IdentityService identity;
    private final String region;

    public IdentityApi(IdentityService identity, String region) {
        this.identity = identity;
        this.region = region;
    }

    public void register(Javalin app) {
        app.get(PREFIX, ctx -> send(ctx, 300, Map.of("versions", Map.of("values", List.of(version(ctx))))));
        app.get(PREFIX + "/", ctx -> send(ctx, 300, Map.of("versions", Map.of("values", List.of(version(ctx))))));
        app.get(PREFIX + "/v3", ctx -> send(ctx, 200, Map.of("version", version(ctx))));
        app.get(PREFIX + "/v3/", ctx -> send(ctx, 200, Map.of("version", version(ctx))));
        app.post(PREFIX + "/v3/auth/tokens", this::issue);
        app.get(PREFIX + "/v3/auth/tokens", this::check);
        app.head(PREFIX + "/v3/auth/tokens", ctx -> {
            subjectToken(ctx);
            ctx.status(200);
        });
        // Admin sees every project; anyone else the projects they have a role on. openstackclient resolves
        // --project NAME with GET /projects/NAME, then GET /projects?name=NAME.
        app.get(PREFIX + "/v3/projects", ctx -> {
            Token caller = caller(ctx);
            String name = ctx.queryParam("name");
            List<Project> found = isAdmin(caller) ? identity.projects(name) : identity.projectsOf(caller.userId(), name);
            sendProjects(ctx, found, "/v3/projects");
        });
        app.get(PREFIX + "/v3/projects/{id}", ctx -> {
            Token caller = caller(ctx);
            String id = ctx.pathParam("id");
            Project p = identity.project(id)
                    .filter(x -> isAdmin(caller) || identity.projectsOf(caller.userId(), x.name()).contains(x))
                    .orElseThrow(() -> new NeutronException(404, "Not Found", "Could not find project: " + id + "."));
            send(ctx, 200, Map.of("project", project(ctx, p)));
        });
        app.get(PREFIX + "/v3/users/{id}", ctx -> {
            String id = selfOrAdmin(ctx);
            User u = identity.user(id).orElseThrow(() -> userNotFound(id));
            send(ctx, 200, Map.of("user", user(ctx, u)));
        });
        app.get(PREFIX + "/v3/users/{id}/projects", ctx -> {
            String id = selfOrAdmin(ctx);
            identity.user(id).orElseThrow(() -> userNotFound(id));
            sendProjects(ctx, identity.projectsOf(id, null), "/v3/users/" + id + "/projects");
        });
    }

    private void issue(Context ctx) {
        Map<String, Object> body = Json.object(ctx.body());
        Map<String, Object> auth = map(body.get("auth"), "auth");
        Map<String, Object> ident = map(auth.get("identity"), "auth.identity");
        List<?> methods = ident.get("methods") instanceof List<?> l ? l : List.of();
        ProjectRef scope = scope(auth.get("scope"));
        Token token;
        if (methods.contains("password")) {
            Map<String, Object> user = map(map(ident.get("password"), "password").get("user"), "password.user");
            Map<String, Object> domain = user.get("domain") == null ? Map.of() : map(user.get("domain"), "user.domain");
            token = identity.authenticate(new UserRef(str(user.get("id")), str(user.get("name")), str(domain.get("id")),
                    str(domain.get("name"))), str(user.get("password")), scope);
        } else if (methods.contains("token")) {
            Token existing = identity.validate(str(map(ident.get("token"), "token").get("id")))
                    .orElseThrow(IdentityApi::unauthorized);
            token = identity.rescope(existing, scope);
        } else {
            throw new NeutronException(400, "Bad Request", "Expecting auth.identity.methods to contain password or token");
        }
        ctx.header("X-Subject-Token", identity.encode(token));
        send(ctx, 201, Map.of("token", tokenBody(ctx, token)));
    }

    private void check(Context ctx) {
        Token t = subjectToken(ctx);
        send(ctx, 200, Map.of("token", tokenBody(ctx, t)));
    }

    private Token subjectToken(Context ctx) {
        caller(ctx);
        return identity.validate(ctx.header("X-Subject-Token"))
                .orElseThrow(() -> new NeutronException(404, "Not Found", "Could not find token."));
    }

    private Token caller(Context ctx) {
        return identity.validate(ctx.header("X-Auth-Token")).orElseThrow(IdentityApi::unauthorized);
    }

    private static boolean isAdmin(Token t) { return t.roles().contains("admin"); }

    /** The user id in the path, which only that user and admin may look at. */
    private String selfOrAdmin(Context ctx) {
        Token caller = caller(ctx);
        String id = ctx.pathParam("id");
        if (!isAdmin(caller) && !id.equals(caller.userId())) throw userNotFound(id);
        return id;
    }

    private static NeutronException userNotFound(String id) {
        return new NeutronException(404, "Not Found", "Could not find user: " + id + ".");
    }

    private static void sendProjects(Context ctx, List<Project> projects, String path) {
        Map<String, Object> links = new LinkedHashMap<>();
        links.put("self", base(ctx) + path);
        links.put("previous", null);
        links.put("next", null);
        send(ctx, 200, Map.of("projects", projects.stream().map(p -> project(ctx, p)).toList(), "links", links));
    }

    private Map<String, Object> tokenBody(Context ctx, Token t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("methods", t.methods());
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("id", t.userId());
        user.put("name", t.userName());
        user.put("domain", domain());
        user.put("password_expires_at", null);
        m.put("user", user);
        m.put("audit_ids", List.of(auditId(t)));
        m.put("expires_at", KEYSTONE_TIME.format(t.expiresAt()));
        m.put("issued_at", KEYSTONE_TIME.format(t.issuedAt()));
        if (t.scoped()) {
            m.put("project", Map.of("id", t.projectId(), "name", t.projectName(), "domain", domain()));
            m.put("is_domain", false);
            m.put("roles", t.roles().stream().map(r -> Map.of("id", r, "name", r)).toList());
            m.put("catalog", catalog(ctx));
        }
        return m;
    }

    private List<Map<String, Object>> catalog(Context ctx) {
        String root = rootUrl(ctx);
        return List.of(service("network", "neutron", root), service("identity", "keystone", root + PREFIX));
    }

    private Map<String, Object> service(String type, String name, String url) {
        List<Map<String, Object>> endpoints = List.of("public", "internal", "admin").stream()
                .map(i -> Map.<String, Object>of("id", UUID.nameUUIDFromBytes((type + i).getBytes(StandardCharsets.UTF_8)).toString(),
                        "interface", i, "region", region, "region_id", region, "url", url))
                .toList();
        return Map.of("id", UUID.nameUUIDFromBytes(type.getBytes(StandardCharsets.UTF_8)).toString(),
                "type", type, "name", name, "endpoints", endpoints);
    }

    private static String auditId(Token t) {
        byte[] b = (t.userId() + t.issuedAt()).getBytes(StandardCharsets.UTF_8);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(b, 16));
    }

    private Map<String, Object> version(Context ctx) {
        return Map.of("id", "v3.14", "status", "stable", "updated", "2020-04-07T00:00:00Z",
                "links", List.of(Map.of("rel", "self", "href", base(ctx) + "/v3/")),
                "media-types", List.of(Map.of("base", "application/json", "type", "application/vnd.openstack.identity-v3+json")));
    }

    private static Map<String, Object> project(Context ctx, Project p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("name", p.name());
        m.put("domain_id", p.domainId());
        m.put("description", p.description());
        m.put("enabled", p.enabled());
        m.put("is_domain", false);
        m.put("parent_id", p.domainId());
        m.put("tags", List.of());
        m.put("links", Map.of("self", base(ctx) + "/v3/projects/" + p.id()));
        return m;
    }

    private static Map<String, Object> user(Context ctx, User u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", u.id());
        m.put("name", u.name());
        m.put("domain_id", u.domainId());
        m.put("enabled", u.enabled());
        m.put("default_project_id", u.defaultProjectId());
        m.put("password_expires_at", null);
        m.put("options", Map.of());
        m.put("links", Map.of("self", base(ctx) + "/v3/users/" + u.id()));
        return m;
    }

    private static Map<String, Object> domain() {
        return Map.of("id", IdentityService.DOMAIN_ID, "name", IdentityService.DOMAIN_NAME);
    }

    private static ProjectRef scope(Object raw) {
        if (raw == null) return null;
        Map<String, Object> scope = map(raw, "auth.scope");
        if (scope.get("project") == null) {
            throw new NeutronException(400, "Bad Request", "Only project scope is supported");
        }
        Map<String, Object> p = map(scope.get("project"), "scope.project");
        Map<String, Object> d = p.get("domain") == null ? Map.of() : map(p.get("domain"), "project.domain");
        return new ProjectRef(str(p.get("id")), str(p.get("name")), str(d.get("id")), str(d.get("name")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        if (!(o instanceof Map<?, ?> m)) throw new NeutronException(400, "Bad Request", "Expecting to find " + what + " in the request");
        return (Map<String, Object>) m;
    }

    private static String str(Object o) { return o == null ? null : String.valueOf(o); }

    private static String rootUrl(Context ctx) {
        String host = ctx.header("Host");
        return ctx.scheme() + "://" + (host != null ? host : ctx.host());
    }

    private static String base(Context ctx) { return rootUrl(ctx) + PREFIX; }

    private static NeutronException unauthorized() {
        return new NeutronException(401, "Unauthorized", "The request you have made requires authentication.");
    }

    private static void send(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }
}
