package dev.skein.api.http;

import dev.skein.api.identity.IdentityApi;
import dev.skein.api.neutron.NeutronApi;
import dev.skein.error.NeutronException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.servlet.FilterHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** The HTTP server: Jetty through Javalin, one virtual thread per request, errors in Neutron's shape. */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    public static final long MAX_BODY_BYTES = 16L * 1024 * 1024;

    private final Javalin app;

    public ApiServer(NeutronApi neutron, IdentityApi identity) {
        app = Javalin.create(cfg -> {
            cfg.useVirtualThreads = true;
            cfg.showJavalinBanner = false;
            cfg.http.maxRequestSize = MAX_BODY_BYTES;
            cfg.jetty.modifyServletContextHandler(h -> h.addFilter(new FilterHolder(new BodyLimit(MAX_BODY_BYTES)), "/*",
                    EnumSet.of(DispatcherType.REQUEST)));
            cfg.http.prefer405over404 = true;
            cfg.router.treatMultipleSlashesAsSingleSlash = true;
        });
        app.before(ctx -> ctx.header("X-Openstack-Request-Id", "req-" + UUID.randomUUID()));
        neutron.register(app);
        identity.register(app);
        app.exception(NeutronException.class, (e, ctx) -> error(ctx, e.status(), e.type(), e.getMessage()));
        app.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), typeFor(e.getStatus()), e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("request {} {} failed ({})", ctx.method(), ctx.path(), ctx.res().getHeader("X-Openstack-Request-Id"), e);
            error(ctx, 500, "HTTPInternalServerError", "Request Failed: internal server error while processing your request.");
        });
        app.error(404, ctx -> {
            if (ctx.result() == null) error(ctx, 404, "HTTPNotFound", "The resource could not be found.");
        });
        app.error(405, ctx -> error(ctx, 405, "HTTPMethodNotAllowed", "The method is not allowed for the requested URL."));
        app.error(413, ctx -> error(ctx, 413, "HTTPRequestEntityTooLarge", "Request body is larger than " + MAX_BODY_BYTES + " bytes."));
    }

    public ApiServer start(String host, int port) {
        app.start(host, port);
        return this;
    }

    public int port() { return app.port(); }

    @Override
    public void close() { app.stop(); }

    private static void error(Context ctx, int status, String type, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (ctx.path().startsWith(IdentityApi.PREFIX)) {
            body.put("error", Map.of("code", status, "title", type, "message", message));
        } else {
            Map<String, Object> err = new LinkedHashMap<>();
            err.put("type", type);
            err.put("message", message);
            err.put("detail", "");
            body.put("NeutronError", err);
        }
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }

    private static String typeFor(int status) {
        return switch (status) {
            case 400 -> "HTTPBadRequest";
            case 401 -> "HTTPUnauthorized";
            case 403 -> "HTTPForbidden";
            case 404 -> "HTTPNotFound";
            case 405 -> "HTTPMethodNotAllowed";
            case 409 -> "HTTPConflict";
            case 413 -> "HTTPRequestEntityTooLarge";
            default -> "HTTPError";
        };
    }
}
