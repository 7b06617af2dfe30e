package dev.skein.server;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A cloud for router and floating IP tests: projects p1 (user alice) and p2 (user bob), a reader in p1, and
 * helpers that build networks, subnets, routers and ports over HTTP, failing the test on any unexpected status.
 */
final class L3Fixture implements AutoCloseable, AfterAllCallback {
    final TestCloud cloud;
    final String admin;
    final String alice;
    final String bob;
    final String reader;

    L3Fixture() {
        SkeinConfig cfg = new TenantConfig().projects("p1", "p2").user("alice", "alice-secret", "p1", "member")
                .user("bob", "bob-secret", "p2", "member").user("rita", "rita-secret", "p1", "reader").build();
        // One cloud serves a whole test class, whose routers and floating IPs add up past Neutron's defaults.
        cfg.quotas.router = -1;
        cfg.quotas.floatingip = -1;
        cloud = new TestCloud(cfg);
        admin = cloud.adminToken();
        alice = cloud.token("alice", "alice-secret", "p1");
        bob = cloud.token("bob", "bob-secret", "p2");
        reader = cloud.token("rita", "rita-secret", "p1");
    }

    @Override
    public void close() { cloud.close(); }

    /** Lets a test class share one fixture through a static {@code @RegisterExtension} field. */
    @Override
    public void afterAll(ExtensionContext context) { close(); }

    /** The response's member object after asserting its status. */
    static Map<String, Object> expect(int status, String member, TestCloud.Response r) {
        assertEquals(status, r.status(), r::body);
        return r.json(member);
    }

    /** Asserts an error's status and NeutronError type. */
    static void fails(int status, String type, TestCloud.Response r) {
        assertEquals(status, r.status(), r::body);
        assertEquals(type, r.errorType(), r::body);
    }

    static void fails(int status, String type, TestCloud.Response r, String why) {
        assertEquals(status, r.status(), () -> why + ": " + r.body());
        assertEquals(type, r.errorType(), () -> why + ": " + r.body());
    }

    Map<String, Object> create(String token, String collection, String member, Map<String, Object> attrs) {
        return expect(201, member, cloud.post("/v2.0/" + collection, token, Map.of(member, attrs)));
    }

    Map<String, Object> show(String token, String collection, String member, String id) {
        return expect(200, member, cloud.get("/v2.0/" + collection + "/" + id, token));
    }

    Map<String, Object> update(String token, String collection, String member, String id, Map<String, Object> attrs) {
        return expect(200, member, cloud.put("/v2.0/" + collection + "/" + id, token, Map.of(member, attrs)));
    }

    String network(String token, String name) {
        return (String) create(token, "networks", "network", Map.of("name", name)).get("id");
    }

    /** An external network (admin's) with one IPv4 subnet; returns {network id, subnet id}. */
    String[] externalNetwork(String name, String cidr, String poolStart, String poolEnd) {
        String net = (String) create(admin, "networks", "network", Map.of("name", name, "router:external", true)).get("id");
        Map<String, Object> subnet = new LinkedHashMap<>(Map.of("network_id", net, "ip_version", 4, "cidr", cidr, "enable_dhcp", false));
        if (poolStart != null) subnet.put("allocation_pools", List.of(Map.of("start", poolStart, "end", poolEnd)));
        return new String[]{net, subnet(admin, subnet)};
    }

    String subnet(String token, Map<String, Object> attrs) {
        return (String) create(token, "subnets", "subnet", attrs).get("id");
    }

    String subnet(String token, String network, String cidr) {
        return subnet(token, Map.of("network_id", network, "ip_version", 4, "cidr", cidr));
    }

    String router(String token, String name) {
        return (String) create(token, "routers", "router", Map.of("name", name)).get("id");
    }

    Map<String, Object> setGateway(String token, String router, String externalNetwork) {
        return update(token, "routers", "router", router, Map.of("external_gateway_info", Map.of("network_id", externalNetwork)));
    }

    TestCloud.Response addInterface(String token, String router, String key, String id) {
        return cloud.put("/v2.0/routers/" + router + "/add_router_interface", token, Map.of(key, id));
    }

    TestCloud.Response removeInterface(String token, String router, String key, String id) {
        return cloud.put("/v2.0/routers/" + router + "/remove_router_interface", token, Map.of(key, id));
    }

    Map<String, Object> port(String token, String network) {
        return create(token, "ports", "port", Map.of("network_id", network));
    }

    @SuppressWarnings("unchecked")
    static String firstIp(Map<String, Object> port) {
        return ((List<Map<String, String>>) port.get("fixed_ips")).get(0).get("ip_address");
    }

    static long revision(Map<String, Object> resource) {
        return ((Number) resource.get("revision_number")).longValue();
    }
}
