package dev.skein.server;

import dev.skein.api.http.ApiServer;
import dev.skein.server.TestCloud.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.skein.server.Caller.attrs;
import static dev.skein.server.Caller.expect;
import static dev.skein.server.Caller.expectError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Version documents, the extension list, and how the HTTP layer answers requests it cannot serve. */
class ProtocolApiTest {
    /** Just over the server's request limit. */
    private static final int OVERSIZED = (int) ApiServer.MAX_BODY_BYTES + 1024;
    private static TestCloud cloud;
    private static Caller admin;

    @BeforeAll
    static void start() {
        cloud = new TestCloud();
        admin = Caller.admin(cloud);
    }

    @AfterAll
    static void stop() { cloud.close(); }

    @Test
    @SuppressWarnings("unchecked")
    void rootVersionDocumentNeedsNoToken() {
        List<Map<String, Object>> versions = expect(200, cloud.get("/", null)).list("versions");
        assertEquals(1, versions.size());
        assertEquals("v2.0", versions.get(0).get("id"));
        assertEquals("CURRENT", versions.get(0).get("status"));
        List<Map<String, Object>> links = (List<Map<String, Object>>) versions.get(0).get("links");
        assertEquals(cloud.baseUrl() + "/v2.0/", links.get(0).get("href"));
    }

    @Test
    void v2IndexListsTheResources() {
        for (String path : List.of("/v2.0", "/v2.0/")) {
            List<Map<String, Object>> resources = expect(200, admin.get(path)).list("resources");
            List<String> collections = resources.stream().map(r -> (String) r.get("collection")).toList();
            assertTrue(collections.containsAll(List.of("networks", "subnets", "ports", "routers", "floatingips", "rbac_policies")),
                    collections::toString);
            assertEquals(collections.size(), Set.copyOf(collections).size(), "each collection once");
            for (Map<String, Object> r : resources) {
                // URLs spell collections with hyphens (rbac-policies), the collection names with underscores.
                String urlPath = ((String) r.get("collection")).replace('_', '-');
                assertEquals(List.of(Map.of("rel", "self", "href", cloud.baseUrl() + "/v2.0/" + urlPath)), r.get("links"));
            }
        }
    }

    @Test
    void extensionsAreListedAndLookedUpByAlias() {
        List<Map<String, Object>> extensions = expect(200, admin.get("/v2.0/extensions")).list("extensions");
        List<String> aliases = extensions.stream().map(e -> (String) e.get("alias")).toList();
        assertTrue(aliases.containsAll(List.of("provider", "external-net", "binding", "allowed-address-pairs", "port-security",
                "net-mtu", "pagination", "sorting", "standard-attr-tag", "standard-attr-timestamp", "standard-attr-revisions",
                "revision-if-match", "project-id")), aliases::toString);
        assertEquals(aliases.size(), Set.copyOf(aliases).size(), "aliases are unique");
        for (Map<String, Object> e : extensions) {
            assertTrue(e.keySet().containsAll(List.of("alias", "name", "description", "updated", "links")), e::toString);
        }
        Map<String, Object> provider = expect(200, admin.get("/v2.0/extensions/provider")).json("extension");
        assertEquals("provider", provider.get("alias"));
        expectError(404, "ExtensionNotFound", admin.get("/v2.0/extensions/no-such-extension"));
        // Things Skein does not implement must not be advertised, or clients would use them.
        assertFalse(aliases.contains("qos"), aliases::toString);
        assertFalse(aliases.contains("trunk"), aliases::toString);
    }

    @Test
    void unknownPathsAndMethodsAnswerInNeutronShape() {
        expectError(404, "HTTPNotFound", admin.get("/v2.0/widgets"));
        expectError(405, "HTTPMethodNotAllowed", admin.send("PATCH", "/v2.0/networks", attrs()));
        expectError(405, "HTTPMethodNotAllowed", admin.send("DELETE", "/v2.0/networks", null));
    }

    @Test
    void malformedBodiesAre400() {
        expectError(400, "HTTPBadRequest", admin.send("POST", "/v2.0/networks", "{not json"));
        expectError(400, "HTTPBadRequest", admin.send("POST", "/v2.0/networks", "[1, 2]"));
        expectError(400, "HTTPBadRequest", admin.send("POST", "/v2.0/networks", attrs("netwerk", attrs())));
        expectError(400, "HTTPBadRequest", admin.send("POST", "/v2.0/networks", attrs("network", "name")));
        expectError(400, "HTTPBadRequest", admin.send("POST", "/v2.0/networks", attrs("network", attrs("colour", "red"))));
        expectError(400, "HTTPBadRequest", admin.send("POST", "/v2.0/networks", attrs("network", attrs("admin_state_up", "maybe"))));
    }

    @Test
    void oversizedBodiesAre413() {
        String big = "{\"network\": {\"name\": \"" + "x".repeat(OVERSIZED) + "\"}}";
        expectError(413, "HTTPRequestEntityTooLarge", admin.send("POST", "/v2.0/networks", big));
        assertTrue(admin.list("networks", "").isEmpty(), "nothing was created");
    }

    @Test
    void oversizedChunkedBodiesAre413() throws IOException, InterruptedException {
        byte[] big = ("{\"network\": {\"name\": \"" + "x".repeat(OVERSIZED) + "\"}}").getBytes(StandardCharsets.UTF_8);
        // A stream of unknown length goes out chunked, without Content-Length for the server to check up front.
        HttpRequest req = HttpRequest.newBuilder(URI.create(cloud.baseUrl() + "/v2.0/networks"))
                .header("X-Auth-Token", admin.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> (InputStream) new ByteArrayInputStream(big))).build();
        HttpResponse<String> r;
        try (HttpClient http = HttpClient.newHttpClient()) {
            r = http.send(req, HttpResponse.BodyHandlers.ofString());
        }
        assertEquals(413, r.statusCode(), r::body);
        assertTrue(r.body().contains("HTTPRequestEntityTooLarge"), r::body);
        assertTrue(admin.list("networks", "").isEmpty(), "nothing was created");
    }

    @Test
    void internalErrorsDoNotLeakDetails() throws Exception {
        String url = "jdbc:h2:mem:skein-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
        SkeinConfig config = new SkeinConfig();
        config.database.url = url;
        try (TestCloud broken = new TestCloud(config); Connection db = DriverManager.getConnection(url)) {
            Caller a = Caller.admin(broken);
            Map<String, Object> net = a.network("n");
            a.subnet(net.get("id"), "10.0.0.0/24");
            a.port(net.get("id"));
            // Pull a table out from under the running controller: every port query now fails inside the store.
            try (Statement s = db.createStatement()) {
                s.execute("DROP TABLE ip_allocations");
            }
            for (Response r : List.of(a.get("/v2.0/ports"), a.tryCreate("ports", attrs("network_id", net.get("id"))))) {
                expectError(500, "HTTPInternalServerError", r);
                String body = r.body().toLowerCase();
                for (String leak : List.of("ip_allocations", "sql", "exception", "jdbc", "h2", "dev.skein", "at ")) {
                    assertFalse(body.contains(leak), () -> "500 body leaks '" + leak + "': " + r.body());
                }
                assertTrue(r.headers().firstValue("X-Openstack-Request-Id").orElse("").startsWith("req-"));
            }
            // The failure is confined to the request: other resources still work.
            expect(200, a.get("/v2.0/networks"));
        }
    }
}
