package dev.skein.server;

import dev.skein.server.TestCloud.Response;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One authenticated user of a {@link TestCloud} and the Neutron calls the API tests make, in short form:
 * {@code create("networks", attrs("name", "n1"))} posts {@code {"network": {...}}} and insists on 201.
 */
record Caller(TestCloud cloud, String token) {
    static final String PASSWORD = "api-test-secret";

    /**
     * Projects alpha and beta: alice is a member of alpha, bob a member of beta, rita may only read alpha.
     * The admin (password {@link TestCloud#ADMIN_PASSWORD}) is always there.
     */
    static SkeinConfig tenants() {
        return new TenantConfig().projects("alpha", "beta").user("alice", PASSWORD, "alpha", "member")
                .user("bob", PASSWORD, "beta", "member").user("rita", PASSWORD, "alpha", "reader").build();
    }

    static Caller admin(TestCloud cloud) { return new Caller(cloud, cloud.adminToken()); }

    /** A user from {@link #tenants()}, scoped to its project. */
    static Caller user(TestCloud cloud, String name, String project) {
        return new Caller(cloud, cloud.token(name, PASSWORD, project));
    }

    /** A JSON object from key/value pairs; unlike Map.of it keeps insertion order and allows null values. */
    static Map<String, Object> attrs(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    static String member(String collection) { return collection.substring(0, collection.length() - 1); }

    Response get(String path) { return cloud.get(path, token); }

    Response send(String method, String path, Object body) { return cloud.request(method, path, token, body, Map.of()); }

    Response send(String method, String path, Object body, Map<String, String> headers) {
        return cloud.request(method, path, token, body, headers);
    }

    /** POST /v2.0/{collection} with one resource, whatever the answer. */
    Response tryCreate(String collection, Map<String, Object> attrs) {
        return cloud.post("/v2.0/" + collection, token, Map.of(member(collection), attrs));
    }

    /** POST /v2.0/{collection}; fails the test unless it answers 201, and returns the new resource. */
    Map<String, Object> create(String collection, Map<String, Object> attrs) {
        return expect(201, tryCreate(collection, attrs)).json(member(collection));
    }

    Response tryUpdate(String collection, String id, Map<String, Object> attrs) {
        return cloud.put("/v2.0/" + collection + "/" + id, token, Map.of(member(collection), attrs));
    }

    Map<String, Object> update(String collection, String id, Map<String, Object> attrs) {
        return expect(200, tryUpdate(collection, id, attrs)).json(member(collection));
    }

    Response tryShow(String collection, String id) { return get("/v2.0/" + collection + "/" + id); }

    Map<String, Object> show(String collection, String id) { return expect(200, tryShow(collection, id)).json(member(collection)); }

    Response tryDelete(String collection, String id) { return cloud.delete("/v2.0/" + collection + "/" + id, token); }

    void delete(String collection, String id) { expect(204, tryDelete(collection, id)); }

    /** GET /v2.0/{collection}?{query}; the items. */
    List<Map<String, Object>> list(String collection, String query) {
        return expect(200, get("/v2.0/" + collection + (query.isEmpty() ? "" : "?" + query))).list(collection);
    }

    Map<String, Object> network(String name) { return create("networks", attrs("name", name)); }

    Map<String, Object> subnet(Object networkId, String cidr) {
        return create("subnets", attrs("network_id", networkId, "cidr", cidr, "ip_version", cidr.contains(":") ? 6 : 4));
    }

    Map<String, Object> port(Object networkId) { return create("ports", attrs("network_id", networkId)); }

    /** The response, after asserting its status (the body is shown when it is another). */
    static Response expect(int status, Response r) {
        assertEquals(status, r.status(), () -> "unexpected status; body: " + r.body());
        return r;
    }

    /** Asserts a NeutronError of the given status and type. */
    static Response expectError(int status, String type, Response r) {
        expect(status, r);
        assertEquals(type, r.errorType(), () -> "unexpected error type; body: " + r.body());
        return r;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> fixedIps(Map<String, Object> port) {
        return (List<Map<String, Object>>) port.get("fixed_ips");
    }

    /** The port's address on the given subnet. */
    static String ipOn(Map<String, Object> port, Object subnetId) {
        return fixedIps(port).stream().filter(f -> f.get("subnet_id").equals(subnetId)).findFirst()
                .map(f -> (String) f.get("ip_address")).orElseThrow(() -> new AssertionError("no address on " + subnetId + ": " + port));
    }
}
