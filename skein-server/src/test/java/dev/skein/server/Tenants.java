package dev.skein.server;

import java.util.List;
import java.util.Map;

/** Projects alpha, beta and gamma with one member each (alice, bob, carol), on a TestCloud. */
final class Tenants {
    static final String PASSWORD = "tenant-secret";

    private Tenants() {}

    /** A config with the three projects and their members. */
    static SkeinConfig config() {
        return new TenantConfig().projects("alpha", "beta", "gamma")
                .user("alice", PASSWORD, "alpha").user("bob", PASSWORD, "beta").user("carol", PASSWORD, "gamma").build();
    }

    static String token(TestCloud cloud, String user) {
        String project = switch (user) {
            case "alice" -> "alpha";
            case "bob" -> "beta";
            case "carol" -> "gamma";
            default -> throw new IllegalArgumentException(user);
        };
        return cloud.token(user, PASSWORD, project);
    }

    static String projectId(TestCloud cloud, String name) {
        List<Map<String, Object>> found = cloud.get("/identity/v3/projects?name=" + name, cloud.adminToken()).list("projects");
        if (found.size() != 1) throw new AssertionError("project " + name + ": " + found);
        return (String) found.get(0).get("id");
    }

    /** Creates a network (and a /24 subnet on it) as the token's project; returns the network id. */
    static String networkWithSubnet(TestCloud cloud, String token, String name, String cidr) {
        TestCloud.Response n = cloud.post("/v2.0/networks", token, Map.of("network", Map.of("name", name)));
        if (n.status() != 201) throw new AssertionError("network " + name + ": " + n.body());
        String id = (String) n.json("network").get("id");
        TestCloud.Response s = cloud.post("/v2.0/subnets", token, Map.of("subnet",
                Map.of("network_id", id, "ip_version", 4, "cidr", cidr, "name", name + "-subnet")));
        if (s.status() != 201) throw new AssertionError("subnet on " + name + ": " + s.body());
        return id;
    }
}
