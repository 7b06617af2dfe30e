package dev.skein.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Skein controller on a free loopback port with its own data directory, and a small HTTP client for it.
 * Tests talk to it over HTTP exactly as openstacksdk would.
 */
public final class TestCloud implements AutoCloseable {
    public static final String ADMIN_PASSWORD = "test-admin-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    public final Path dataDir;
    public final String url;
    private final SkeinConfig config;
    private Controller controller;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public TestCloud() { this(new SkeinConfig()); }

    public TestCloud(SkeinConfig config) {
        try {
            this.config = config;
            this.dataDir = Files.createTempDirectory("skein-test");
            this.controller = Controller.start(config, dataDir, "127.0.0.1", 0, new Controller.AdminPassword(ADMIN_PASSWORD, false));
            this.url = "http://127.0.0.1:" + controller.port();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops and starts the controller on the same data directory (a new port). */
    public TestCloud restart() {
        controller.close();
        try {
            controller = Controller.start(config, dataDir, "127.0.0.1", 0, new Controller.AdminPassword(ADMIN_PASSWORD, false));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public String baseUrl() { return "http://127.0.0.1:" + controller.port(); }

    /** A project-scoped token for user/password/project, or fails the test. */
    public String token(String user, String password, String project) {
        Response r = request("POST", "/identity/v3/auth/tokens", null, Map.of("auth", Map.of(
                "identity", Map.of("methods", List.of("password"), "password", Map.of("user",
                        Map.of("name", user, "domain", Map.of("name", "Default"), "password", password))),
                "scope", Map.of("project", Map.of("name", project, "domain", Map.of("name", "Default"))))), Map.of());
        if (r.status() != 201) throw new AssertionError("token for " + user + " answered " + r.status() + ": " + r.body());
        return r.headers().firstValue("X-Subject-Token").orElseThrow();
    }

    public String adminToken() { return token("admin", ADMIN_PASSWORD, "admin"); }

    public Response get(String path, String token) { return request("GET", path, token, null, Map.of()); }

    public Response post(String path, String token, Object body) { return request("POST", path, token, body, Map.of()); }

    public Response put(String path, String token, Object body) { return request("PUT", path, token, body, Map.of()); }

    public Response delete(String path, String token) { return request("DELETE", path, token, null, Map.of()); }

    public Response request(String method, String path, String token, Object body, Map<String, String> headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(60));
            if (token != null) b.header("X-Auth-Token", token);
            headers.forEach(b::header);
            if (body != null) {
                b.header("Content-Type", "application/json");
                String text = body instanceof String s ? s : JSON.writeValueAsString(body);
                b.method(method, HttpRequest.BodyPublishers.ofString(text));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        controller.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A cloud whose services read time from clock, so a test can let agents fall silent without waiting. */
    public TestCloud(SkeinConfig config, java.time.Clock clock) {
        try {
            this.config = config;
            this.dataDir = Files.createTempDirectory("skein-test");
            this.controller = Controller.start(config, dataDir, "127.0.0.1", 0, new Controller.AdminPassword(ADMIN_PASSWORD, false), clock);
            this.url = "http://127.0.0.1:" + controller.port();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the controller's periodic check for dead network nodes now. */
    public dev.skein.service.Rescheduler.Pass checkDeadAgents() { return controller.checkDeadAgents(); }

    public record Response(int status, String body, java.net.http.HttpHeaders headers) {
        /** The body as a JSON object. */
        public Map<String, Object> json() {
            try {
                return JSON.readValue(body, new TypeReference<>() {});
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        /** body[key] as an object, e.g. json("port"). */
        @SuppressWarnings("unchecked")
        public Map<String, Object> json(String key) { return (Map<String, Object>) json().get(key); }

        @SuppressWarnings("unchecked")
        public List<Map<String, Object>> list(String key) { return (List<Map<String, Object>>) json().get(key); }

        /** The NeutronError type of an error response. */
        @SuppressWarnings("unchecked")
        public String errorType() { return (String) ((Map<String, Object>) json().get("NeutronError")).get("type"); }
    }

    /** The running controller, for what in-process agents reach without HTTP. */
    Controller controller() { return controller; }
}
