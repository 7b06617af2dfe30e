package dev.skein.server;

import dev.skein.server.TestCloud.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.skein.server.Caller.attrs;
import static dev.skein.server.Caller.expect;
import static dev.skein.server.Caller.expectError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The Keystone subset at /identity/v3 and the token check in front of every /v2.0 URL. */
class IdentityApiTest {
    private static TestCloud cloud;

    /** Every /v2.0 route family, with a method that reaches it; each must refuse a caller without a valid token. */
    private static final List<String[]> NEUTRON_URLS = List.of(
            new String[]{"GET", "/v2.0"}, new String[]{"GET", "/v2.0/"}, new String[]{"GET", "/v2.0/extensions"},
            new String[]{"GET", "/v2.0/extensions/provider"}, new String[]{"GET", "/v2.0/networks"},
            new String[]{"POST", "/v2.0/networks"}, new String[]{"GET", "/v2.0/networks/0b5e6f7c-0000-4000-8000-000000000001"},
            new String[]{"PUT", "/v2.0/networks/0b5e6f7c-0000-4000-8000-000000000001"},
            new String[]{"DELETE", "/v2.0/networks/0b5e6f7c-0000-4000-8000-000000000001"},
            new String[]{"GET", "/v2.0/subnets"}, new String[]{"POST", "/v2.0/subnets"}, new String[]{"GET", "/v2.0/ports"},
            new String[]{"POST", "/v2.0/ports"}, new String[]{"PUT", "/v2.0/ports/x/tags"}, new String[]{"GET", "/v2.0/ports/x/tags/t"},
            new String[]{"GET", "/v2.0/no-such-resource"});

    @BeforeAll
    static void start() { cloud = new TestCloud(Caller.tenants()); }

    @AfterAll
    static void stop() { cloud.close(); }

    private static Response auth(String user, String password, String project) {
        Map<String, Object> identity = Map.of("methods", List.of("password"), "password", Map.of("user",
                Map.of("name", user, "domain", Map.of("name", "Default"), "password", password)));
        Map<String, Object> auth = project == null ? Map.of("identity", identity)
                : Map.of("identity", identity, "scope", Map.of("project", Map.of("name", project, "domain", Map.of("name", "Default"))));
        return cloud.post("/identity/v3/auth/tokens", null, Map.of("auth", auth));
    }

    @SuppressWarnings("unchecked")
    private static List<String> roles(Map<String, Object> token) {
        return ((List<Map<String, Object>>) token.get("roles")).stream().map(r -> (String) r.get("name")).sorted().toList();
    }

    @Test
    void versionDocumentDescribesV3() {
        Map<String, Object> v = expect(200, cloud.get("/identity/v3", null)).json("version");
        assertTrue(((String) v.get("id")).startsWith("v3"), v::toString);
        assertEquals("stable", v.get("status"));
        assertEquals(List.of(Map.of("rel", "self", "href", cloud.baseUrl() + "/identity/v3/")), v.get("links"));
        expect(300, cloud.get("/identity", null));
    }

    @Test
    @SuppressWarnings("unchecked")
    void passwordAuthenticationGivesAProjectScopedTokenAndACatalog() {
        Response r = expect(201, auth("alice", Caller.PASSWORD, "alpha"));
        String subject = r.headers().firstValue("X-Subject-Token").orElseThrow(() -> new AssertionError("no X-Subject-Token"));
        assertFalse(subject.isBlank());
        Map<String, Object> token = r.json("token");
        assertEquals("alice", ((Map<String, Object>) token.get("user")).get("name"));
        Map<String, Object> project = (Map<String, Object>) token.get("project");
        assertEquals("alpha", project.get("name"));
        assertNotNull(project.get("id"));
        assertEquals(List.of("password"), token.get("methods"));
        assertTrue(Instant.parse((String) token.get("expires_at")).isAfter(Instant.parse((String) token.get("issued_at"))));

        List<Map<String, Object>> catalog = (List<Map<String, Object>>) token.get("catalog");
        Map<String, Object> network = catalog.stream().filter(s -> "network".equals(s.get("type"))).findFirst()
                .orElseThrow(() -> new AssertionError("no network service in " + catalog));
        List<Map<String, Object>> endpoints = (List<Map<String, Object>>) network.get("endpoints");
        assertEquals(List.of("admin", "internal", "public"), endpoints.stream().map(e -> (String) e.get("interface")).sorted().toList());
        for (Map<String, Object> e : endpoints) assertEquals(cloud.baseUrl(), e.get("url"));
        assertTrue(catalog.stream().anyMatch(s -> "identity".equals(s.get("type"))), catalog::toString);

        // The issued token is good for the Networking API.
        expect(200, cloud.get("/v2.0/networks", subject));
    }

    @Test
    void rolesAreAdminMemberAndReaderWithImpliedOnes() {
        assertEquals(List.of("admin", "member", "reader"), roles(expect(201, auth("admin", TestCloud.ADMIN_PASSWORD, "admin")).json("token")));
        assertEquals(List.of("member", "reader"), roles(expect(201, auth("alice", Caller.PASSWORD, "alpha")).json("token")));
        assertEquals(List.of("reader"), roles(expect(201, auth("rita", Caller.PASSWORD, "alpha")).json("token")));
    }

    @Test
    void wrongPasswordUnknownUserAndForeignProjectAreRefused() {
        expect(401, auth("alice", "not-the-password", "alpha"));
        expect(401, auth("mallory", Caller.PASSWORD, "alpha"));
        expect(401, auth("alice", Caller.PASSWORD, "beta"));
        expect(401, auth("alice", Caller.PASSWORD, "no-such-project"));
        expect(400, cloud.post("/identity/v3/auth/tokens", null, Map.of("auth", Map.of())));
    }

    @Test
    @SuppressWarnings("unchecked")
    void tokensCanBeValidated() {
        String admin = cloud.adminToken();
        String alice = cloud.token("alice", Caller.PASSWORD, "alpha");
        Response r = expect(200, cloud.request("GET", "/identity/v3/auth/tokens", admin, null, Map.of("X-Subject-Token", alice)));
        assertEquals("alice", ((Map<String, Object>) r.json("token").get("user")).get("name"));
        expect(404, cloud.request("GET", "/identity/v3/auth/tokens", admin, null, Map.of("X-Subject-Token", "skn1.bogus")));
        expect(401, cloud.request("GET", "/identity/v3/auth/tokens", "skn1.bogus", null, Map.of("X-Subject-Token", alice)));
    }

    @Test
    void everyNeutronUrlAnswers401WithoutAValidToken() {
        String good = cloud.adminToken();
        // Same claims, signature of something else: a forged token.
        String forged = good.substring(0, good.lastIndexOf('.') + 1) + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        String unscoped = expect(201, auth("alice", Caller.PASSWORD, null)).headers().firstValue("X-Subject-Token").orElseThrow();
        for (String bad : new String[]{null, "", "garbage", forged, unscoped}) {
            for (String[] u : NEUTRON_URLS) {
                Object body = u[0].equals("POST") || u[0].equals("PUT") ? attrs("network", attrs("name", "x")) : null;
                Response r = cloud.request(u[0], u[1], bad, body, Map.of());
                if (r.status() != 401) fail(u[0] + " " + u[1] + " with token " + bad + " answered " + r.status() + ": " + r.body());
                expectError(401, "HTTPUnauthorized", r);
            }
        }
    }

    @Test
    void tokensLastAtLeastTheConfiguredLifetime() {
        Instant before = Instant.now();
        Map<String, Object> token = expect(201, auth("alice", Caller.PASSWORD, "alpha")).json("token");
        Instant expires = Instant.parse((String) token.get("expires_at"));
        assertFalse(expires.isBefore(before.plusSeconds(new SkeinConfig().identity.tokenTtlSeconds)),
                () -> "requested at " + before + ", expires " + expires);
    }

    @Test
    void expiredTokensAreRefused() throws InterruptedException {
        SkeinConfig config = new SkeinConfig();
        // Short enough to wait for, long enough to use the token once even on a busy machine.
        config.identity.tokenTtlSeconds = 2;
        try (TestCloud shortLived = new TestCloud(config)) {
            String token = shortLived.adminToken();
            expect(200, shortLived.get("/v2.0/networks", token));
            long deadline = System.nanoTime() + 5_000_000_000L;
            Response r;
            do {
                Thread.sleep(200);
                r = shortLived.get("/v2.0/networks", token);
            } while (r.status() == 200 && System.nanoTime() < deadline);
            expectError(401, "HTTPUnauthorized", r);
            expectError(401, "HTTPUnauthorized", shortLived.get("/v2.0/ports/x", token));
            expect(401, shortLived.request("GET", "/identity/v3/auth/tokens", token, null, Map.of("X-Subject-Token", token)));
        }
    }
}
