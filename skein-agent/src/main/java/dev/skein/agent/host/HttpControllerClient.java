package dev.skein.agent.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skein.agent.metadata.MetadataAnswer;
import dev.skein.agent.metadata.MetadataProxies;
import dev.skein.agent.metadata.MetadataSocketServer;
import dev.skein.bus.PlanCodec;
import dev.skein.plan.HostPlan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The controller's agent endpoints over HTTP. With a user and password the client gets a project-scoped token
 * from the controller's identity API and gets a new one whenever a request is refused with 401 (expired); with a
 * fixed token it just uses it.
 */
public final class HttpControllerClient implements ControllerClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Either a token, or user, password and project (all in the Default domain). */
    public record Credentials(String token, String user, String password, String project) {
        public static Credentials token(String token) { return new Credentials(token, null, null, null); }

        public static Credentials password(String user, String password, String project) {
            return new Credentials(null, user, password, project);
        }
    }

    /** The controller answered, but not with what was asked for. */
    public static final class ControllerError extends RuntimeException {
        public ControllerError(String message) { super(message); }
    }

    private final String base;
    private final Credentials credentials;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile String token;

    public HttpControllerClient(URI server, Credentials credentials) {
        String s = server.toString();
        this.base = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        this.credentials = credentials;
        this.token = credentials.token();
    }

    @Override
    public String register(Registration r) {
        Map<String, Object> agent = new LinkedHashMap<>();
        agent.put("host", r.host());
        agent.put("local_ip", r.localIp());
        agent.put("bridge_mappings", r.bridgeMappings());
        agent.put("configurations", r.configurations());
        JsonNode answer = expect(200, send("POST", "/v2.0/skein/agents", Map.of("agent", agent)));
        return answer.path("agent").path("id").asText();
    }

    @Override
    public boolean heartbeat(String agentId) {
        HttpResponse<String> r = send("PUT", "/v2.0/skein/agents/" + enc(agentId) + "/heartbeat", Map.of());
        if (r.statusCode() == 404) return false;
        expect(204, r);
        return true;
    }

    @Override
    public HostPlan fetchPlan(String host) {
        return PlanCodec.plan(expect(200, send("GET", "/v2.0/skein/host-plans/" + enc(host), null)).path("host_plan"));
    }

    @Override
    public void reportStatus(String host, long realisedRevision, Map<String, String> portStatuses) {
        expect(200, send("PUT", "/v2.0/skein/host-plans/" + enc(host) + "/status",
                Map.of("status", Map.of("realised_revision", realisedRevision, "ports", portStatuses))));
    }

    /**
     * Forwards a metadata request; the controller finds the instance from origin and clientAddress alone. Path
     * segments are encoded one by one so that nothing in the instance's path can reach another route.
     */
    @Override
    public MetadataAnswer metadata(MetadataProxies.Origin origin, String clientAddress, String path) {
        StringBuilder target = new StringBuilder("/v2.0/skein/metadata");
        for (String segment : path.split("/")) if (!segment.isEmpty()) target.append('/').append(enc(segment));
        Map<String, String> headers = origin.networkId() != null
                ? Map.of(MetadataSocketServer.NETWORK_HEADER, origin.networkId(), MetadataSocketServer.ADDRESS_HEADER, clientAddress)
                : Map.of(MetadataSocketServer.ROUTER_HEADER, origin.routerId(), MetadataSocketServer.ADDRESS_HEADER, clientAddress);
        HttpResponse<byte[]> r = send("GET", target.toString(), null, headers, HttpResponse.BodyHandlers.ofByteArray());
        return new MetadataAnswer(r.statusCode(), r.headers().firstValue("Content-Type").orElse("application/octet-stream"), r.body());
    }

    /** The ISO 9660 config drive of the device, as the controller writes it. */
    public byte[] configDrive(String deviceId) {
        HttpResponse<byte[]> r = send("GET", "/v2.0/instance-metadata/" + enc(deviceId) + "/config-drive", null, Map.of(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new ControllerError("GET config drive of " + deviceId + " answered " + r.statusCode() + ": "
                    + new String(r.body(), StandardCharsets.UTF_8));
        }
        return r.body();
    }

    private HttpResponse<String> send(String method, String path, Object body) {
        return send(method, path, body, Map.of(), HttpResponse.BodyHandlers.ofString());
    }

    private <T> HttpResponse<T> send(String method, String path, Object body, Map<String, String> headers, HttpResponse.BodyHandler<T> handler) {
        if (token == null) token = authenticate();
        HttpResponse<T> r = call(method, path, body, token, headers, handler);
        if (r.statusCode() == 401 && credentials.token() == null) {
            token = authenticate();
            r = call(method, path, body, token, headers, handler);
        }
        return r;
    }

    private String authenticate() {
        Map<String, Object> auth = Map.of("auth", Map.of(
                "identity", Map.of("methods", List.of("password"), "password", Map.of("user", Map.of(
                        "name", credentials.user(), "domain", Map.of("name", "Default"), "password", credentials.password()))),
                "scope", Map.of("project", Map.of("name", credentials.project(), "domain", Map.of("name", "Default")))));
        HttpResponse<String> r = call("POST", "/identity/v3/auth/tokens", auth, null, Map.of(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new ControllerError("authentication as " + credentials.user() + " failed with " + r.statusCode() + ": " + r.body());
        }
        return r.headers().firstValue("X-Subject-Token").orElseThrow(() -> new ControllerError("no X-Subject-Token in the answer"));
    }

    private <T> HttpResponse<T> call(String method, String path, Object body, String authToken, Map<String, String> headers,
                                     HttpResponse.BodyHandler<T> handler) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
            if (authToken != null) b.header("X-Auth-Token", authToken);
            headers.forEach(b::header);
            if (body != null) {
                b.header("Content-Type", "application/json");
                b.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            return http.send(b.build(), handler);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the controller at " + base + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted talking to the controller", e);
        }
    }

    private static JsonNode expect(int status, HttpResponse<String> r) {
        if (r.statusCode() != status) {
            throw new ControllerError(r.request().method() + " " + r.uri().getPath() + " answered " + r.statusCode() + ": " + r.body());
        }
        if (r.body().isEmpty()) return JSON.missingNode();
        return PlanCodec.readTree(r.body());
    }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"); }
}
