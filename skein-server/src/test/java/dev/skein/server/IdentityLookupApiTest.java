package dev.skein.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The project and user look-ups openstackclient makes to turn names into ids (e.g. rbac create --target-project). */
class IdentityLookupApiTest {
    private static TestCloud cloud;
    private static String admin, alice;

    @BeforeAll
    static void start() {
        SkeinConfig cfg = new TenantConfig(Tenants.config()).user("alice", Tenants.PASSWORD, "gamma", "reader").build();
        cloud = new TestCloud(cfg);
        admin = cloud.adminToken();
        alice = Tenants.token(cloud, "alice");
    }

    @AfterAll
    static void stop() { cloud.close(); }

    @Test
    void adminFindsProjectsByNameAndId() {
        List<Map<String, Object>> byName = cloud.get("/identity/v3/projects?name=beta", admin).list("projects");
        assertEquals(1, byName.size());
        Map<String, Object> beta = byName.get(0);
        assertEquals("beta", beta.get("name"));
        assertEquals("default", beta.get("domain_id"));
        assertEquals(true, beta.get("enabled"));
        assertEquals(false, beta.get("is_domain"));
        assertTrue(((Map<?, ?>) beta.get("links")).get("self").toString().endsWith("/identity/v3/projects/" + beta.get("id")));

        assertEquals(beta, cloud.get("/identity/v3/projects/" + beta.get("id"), admin).json("project"));
        assertEquals(List.of("admin", "alpha", "beta", "gamma"), names(cloud.get("/identity/v3/projects", admin).list("projects")));
        assertTrue(cloud.get("/identity/v3/projects?name=nope", admin).list("projects").isEmpty());
        TestCloud.Response missing = cloud.get("/identity/v3/projects/beta", admin);
        assertEquals(404, missing.status(), "a name is not an id");
        assertEquals(404, ((Map<?, ?>) missing.json().get("error")).get("code"));
    }

    @Test
    void aMemberSeesOnlyProjectsItHasARoleOn() {
        assertEquals(List.of("alpha", "gamma"), names(cloud.get("/identity/v3/projects", alice).list("projects")));
        assertEquals(List.of("gamma"), names(cloud.get("/identity/v3/projects?name=gamma", alice).list("projects")));
        assertTrue(cloud.get("/identity/v3/projects?name=beta", alice).list("projects").isEmpty());
        String beta = Tenants.projectId(cloud, "beta"), gamma = Tenants.projectId(cloud, "gamma");
        assertEquals(404, cloud.get("/identity/v3/projects/" + beta, alice).status());
        assertEquals("gamma", cloud.get("/identity/v3/projects/" + gamma, alice).json("project").get("name"));
        assertEquals(401, cloud.get("/identity/v3/projects", null).status());
    }

    @Test
    void usersSeeThemselvesAndTheirProjects() {
        String me = userId(alice);
        TestCloud.Response self = cloud.get("/identity/v3/users/" + me, alice);
        Map<String, Object> user = self.json("user");
        assertEquals("alice", user.get("name"));
        assertEquals("default", user.get("domain_id"));
        assertEquals(Tenants.projectId(cloud, "alpha"), user.get("default_project_id"));
        assertNull(user.get("password_expires_at"));
        assertEquals(List.of("alpha", "gamma"), names(cloud.get("/identity/v3/users/" + me + "/projects", alice).list("projects")));
        assertEquals(200, cloud.get("/identity/v3/users/" + me, admin).status());

        String bob = userId(Tenants.token(cloud, "bob"));
        assertEquals(404, cloud.get("/identity/v3/users/" + bob, alice).status());
        assertEquals(404, cloud.get("/identity/v3/users/" + bob + "/projects", alice).status());
    }

    /** The user a token is for, by validating the token with itself. */
    private static String userId(String token) {
        Map<String, Object> t = cloud.request("GET", "/identity/v3/auth/tokens", token, null, Map.of("X-Subject-Token", token)).json("token");
        return (String) ((Map<?, ?>) t.get("user")).get("id");
    }

    private static List<Object> names(List<Map<String, Object>> projects) {
        return projects.stream().map(p -> p.get("name")).toList();
    }
}
