package dev.skein.api.neutron;

import dev.skein.api.http.Json;
import dev.skein.error.NeutronException;
import dev.skein.metadata.MetadataEntry;
import dev.skein.model.InstanceMetadata;
import dev.skein.service.InstanceMetadataService;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Instance metadata over HTTP. Admins attach it under {@code /v2.0/instance-metadata/{device_id}} and fetch an
 * instance's config drive there; the agents' metadata proxies ask {@code /v2.0/skein/metadata/{path}} on behalf of
 * an instance, naming only where the request arrived ({@value #NETWORK_HEADER} or {@value #ROUTER_HEADER}) and its
 * source address ({@value #ADDRESS_HEADER}). All of it needs an admin token, like every agent endpoint.
 */
public final class InstanceMetadataApi {
    public static final String NETWORK_HEADER = "X-Skein-Network-ID";
    public static final String ROUTER_HEADER = "X-Skein-Router-ID";
    public static final String ADDRESS_HEADER = "X-Forwarded-For";
    /** Enough for every attribute at its limit, JSON escapes included. */
    public static final long MAX_BODY_BYTES = 1024 * 1024;
    private static final String MEMBER = "instance_metadata";

    /** An entry as bytes on the wire. */
    public record Rendered(String contentType, byte[] body) {}

    private final InstanceMetadataService service;
    private final ConfigDriveImage images;

    public InstanceMetadataApi(InstanceMetadataService service, ConfigDriveImage images) {
        this.service = service;
        this.images = images;
    }

    public void register(Javalin app) {
        String base = "/v2.0/instance-metadata/{device_id}";
        app.put(base, ctx -> {
            InstanceMetadataService.Put put = service.put(NeutronApi.context(ctx), ctx.pathParam("device_id"), member(ctx));
            send(ctx, put.created() ? 201 : 200, Map.of(MEMBER, view(put.metadata())));
        });
        app.get(base, ctx -> send(ctx, 200, Map.of(MEMBER, view(service.get(NeutronApi.context(ctx), ctx.pathParam("device_id"))))));
        app.delete(base, ctx -> {
            service.delete(NeutronApi.context(ctx), ctx.pathParam("device_id"));
            ctx.status(204);
        });
        app.get(base + "/config-drive", ctx -> {
            String device = ctx.pathParam("device_id");
            byte[] iso = images.build(service.configDrive(NeutronApi.context(ctx), device));
            ctx.status(200).contentType("application/octet-stream")
                    .header("Content-Disposition", "attachment; filename=\"config-drive.iso\"").result(iso);
        });
        app.get("/v2.0/skein/metadata", ctx -> serve(ctx, ""));
        app.get("/v2.0/skein/metadata/<path>", ctx -> serve(ctx, ctx.pathParam("path")));
    }

    private void serve(Context ctx, String path) {
        String address = ctx.header(ADDRESS_HEADER);
        if (address == null || address.isBlank()) throw NeutronException.badRequest(ADDRESS_HEADER + " must give the instance's address");
        MetadataEntry entry = service.serve(NeutronApi.context(ctx), blankToNull(ctx.header(NETWORK_HEADER)), blankToNull(ctx.header(ROUTER_HEADER)),
                        address.strip(), path)
                .orElseThrow(() -> NeutronException.notFound("MetadataNotFound", "No instance metadata at this address and path."));
        Rendered r = render(entry);
        ctx.status(200).contentType(r.contentType()).result(r.body());
    }

    /** Listings and text as UTF-8 lines, JSON documents serialised, user data as given. */
    public static Rendered render(MetadataEntry entry) {
        return switch (entry) {
            case MetadataEntry.Listing l -> new Rendered("text/plain; charset=utf-8", String.join("\n", l.names()).getBytes(StandardCharsets.UTF_8));
            case MetadataEntry.Text t -> new Rendered("text/plain; charset=utf-8", t.text().getBytes(StandardCharsets.UTF_8));
            case MetadataEntry.Bytes b -> new Rendered("application/octet-stream", b.bytes());
            case MetadataEntry.Json j -> new Rendered("application/json", Json.write(j.document()).getBytes(StandardCharsets.UTF_8));
        };
    }

    static Map<String, Object> view(InstanceMetadata m) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("device_id", m.deviceId());
        v.put("hostname", m.hostname());
        v.put("name", m.name());
        v.put("public_keys", new TreeMap<>(m.publicKeys()));
        v.put("user_data", m.userData());
        v.put("meta", new TreeMap<>(m.meta()));
        v.put("availability_zone", m.availabilityZone());
        v.put("created_at", DateTimeFormatter.ISO_INSTANT.format(m.createdAt()));
        v.put("updated_at", DateTimeFormatter.ISO_INSTANT.format(m.updatedAt()));
        v.put("revision_number", m.revision());
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> member(Context ctx) {
        if (ctx.contentLength() > MAX_BODY_BYTES) throw tooLarge();
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > MAX_BODY_BYTES) throw tooLarge();
        Map<String, Object> body = Json.object(new String(raw, StandardCharsets.UTF_8));
        if (body.size() != 1 || !(body.get(MEMBER) instanceof Map<?, ?> m)) {
            throw NeutronException.badRequest("Unable to find '" + MEMBER + "' in request body");
        }
        return (Map<String, Object>) m;
    }

    private static NeutronException tooLarge() {
        return new NeutronException(413, "HTTPRequestEntityTooLarge", "Instance metadata requests are limited to " + MAX_BODY_BYTES + " bytes.");
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s.strip(); }

    private static void send(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }
}
