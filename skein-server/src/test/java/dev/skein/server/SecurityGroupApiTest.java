package dev.skein.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecurityGroupApiTest {
    private static final String PW = "pw";
    private static final List<String> FRESH_PROJECTS = List.of("race", "ports", "firstget", "firstport", "firstcreate", "deflt");
    private static TestCloud cloud;
    private static String admin, alice, bob, rita;

    /** -Dskein.test.database.url=jdbc:postgresql://... (an empty database) runs these tests on PostgreSQL. */
    @BeforeAll
    static void start() {
        TenantConfig tenants = new TenantConfig().projects(concat(List.of("alpha", "beta"), FRESH_PROJECTS))
                .user("alice", PW, "alpha", "member").user("bob", PW, "beta", "member").user("rita", PW, "alpha", "reader");
        for (String p : FRESH_PROJECTS) tenants.user(p + "-user", PW, p, "member");
        SkeinConfig cfg = tenants.build();
        cfg.database.url = System.getProperty("skein.test.database.url");
        cfg.database.user = System.getProperty("skein.test.database.user");
        cfg.database.password = System.getProperty("skein.test.database.password");
        // One cloud serves the whole class, whose groups and rules add up past Neutron's default quotas.
        cfg.quotas.securityGroup = -1;
        cfg.quotas.securityGroupRule = -1;
        cloud = new TestCloud(cfg);
        admin = cloud.adminToken();
        alice = cloud.token("alice", PW, "alpha");
        bob = cloud.token("bob", PW, "beta");
        rita = cloud.token("rita", PW, "alpha");
    }

    @AfterAll
    static void stop() { cloud.close(); }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static String fresh(String project) { return cloud.token(project + "-user", PW, project); }

    private static Map<String, Object> group(String token, String name) {
        TestCloud.Response r = cloud.post("/v2.0/security-groups", token, Map.of("security_group", Map.of("name", name)));
        assertEquals(201, r.status(), r.body());
        return r.json("security_group");
    }

    private static TestCloud.Response rule(String token, String groupId, Map<String, Object> attrs) {
        Map<String, Object> body = new HashMap<>(attrs);
        body.put("security_group_id", groupId);
        body.putIfAbsent("direction", "ingress");
        return cloud.post("/v2.0/security-group-rules", token, Map.of("security_group_rule", body));
    }

    private static Map<String, Object> ruleOk(String token, String groupId, Map<String, Object> attrs) {
        TestCloud.Response r = rule(token, groupId, attrs);
        assertEquals(201, r.status(), () -> attrs + " -> " + r.body());
        return r.json("security_group_rule");
    }

    private static void assertError(TestCloud.Response r, int status, String type) {
        assertEquals(status, r.status(), r.body());
        assertEquals(type, r.errorType(), r.body());
    }

    private static Map<String, Object> get(String path, String token, String key) {
        TestCloud.Response r = cloud.get(path, token);
        assertEquals(200, r.status(), r.body());
        return r.json(key);
    }

    private static List<Map<String, Object>> groups(String token, String query) {
        TestCloud.Response r = cloud.get("/v2.0/security-groups" + query, token);
        assertEquals(200, r.status(), r.body());
        return r.list("security_groups");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rulesOf(Map<String, Object> group) {
        return (List<Map<String, Object>>) group.get("security_group_rules");
    }

    private static long revision(Map<String, Object> resource) { return ((Number) resource.get("revision_number")).longValue(); }

    private static String network(String token, boolean portSecurity) {
        TestCloud.Response n = cloud.post("/v2.0/networks", token,
                Map.of("network", Map.of("name", "sg-net", "port_security_enabled", portSecurity)));
        assertEquals(201, n.status(), n.body());
        String id = (String) n.json("network").get("id");
        TestCloud.Response s = cloud.post("/v2.0/subnets", token, Map.of("subnet",
                Map.of("network_id", id, "ip_version", 4, "cidr", "10.9." + (id.hashCode() & 0xff) + ".0/24")));
        assertEquals(201, s.status(), s.body());
        return id;
    }

    private static TestCloud.Response port(String token, Map<String, Object> attrs) {
        return cloud.post("/v2.0/ports", token, Map.of("port", attrs));
    }

    @SuppressWarnings("unchecked")
    private static List<String> portGroups(Map<String, Object> port) { return (List<String>) port.get("security_groups"); }

    private static Map<String, Object> defaultGroup(String token) {
        List<Map<String, Object>> defaults = groups(token, "?name=default");
        assertEquals(1, defaults.size(), defaults::toString);
        return defaults.get(0);
    }

    @Test
    void groupHasNeutronAttributesAndCrud() {
        Map<String, Object> g = group(alice, "web");
        for (String attr : List.of("id", "name", "description", "project_id", "tenant_id", "stateful", "security_group_rules",
                "tags", "created_at", "updated_at", "revision_number")) {
            assertTrue(g.containsKey(attr), attr + " in " + g);
        }
        assertEquals("web", g.get("name"));
        assertEquals("", g.get("description"));
        assertEquals(true, g.get("stateful"));
        assertEquals(g.get("project_id"), g.get("tenant_id"));
        assertEquals(List.of(), g.get("tags"));
        assertEquals(1L, revision(g));
        // A new group lets everything out and nothing in.
        List<Map<String, Object>> rules = rulesOf(g);
        assertEquals(Set.of("egress/IPv4", "egress/IPv6"),
                rules.stream().map(r -> r.get("direction") + "/" + r.get("ethertype")).collect(Collectors.toSet()));
        for (Map<String, Object> r : rules) {
            assertNull(r.get("protocol"));
            assertNull(r.get("remote_ip_prefix"));
            assertNull(r.get("remote_group_id"));
            assertEquals(g.get("id"), r.get("security_group_id"));
            assertEquals(g.get("project_id"), r.get("project_id"));
        }
        String id = (String) g.get("id");
        assertEquals(g, get("/v2.0/security-groups/" + id, alice, "security_group"));

        TestCloud.Response u = cloud.put("/v2.0/security-groups/" + id, alice,
                Map.of("security_group", Map.of("name", "web2", "description", "front end")));
        assertEquals(200, u.status(), u.body());
        assertEquals("web2", u.json("security_group").get("name"));
        assertEquals("front end", u.json("security_group").get("description"));
        assertEquals(2L, revision(u.json("security_group")));
        assertEquals(List.of("web2"), groups(alice, "?name=web2").stream().map(x -> x.get("name")).toList());

        assertEquals(201, cloud.put("/v2.0/security-groups/" + id + "/tags/blue", alice, null).status());
        assertEquals(List.of("blue"), get("/v2.0/security-groups/" + id, alice, "security_group").get("tags"));
        assertEquals(1, groups(alice, "?tags=blue").size());

        assertError(cloud.put("/v2.0/security-groups/" + id, alice, Map.of("security_group", Map.of("id", "x"))),
                400, "HTTPBadRequest");
        assertEquals(204, cloud.delete("/v2.0/security-groups/" + id, alice).status());
        assertError(cloud.get("/v2.0/security-groups/" + id, alice), 404, "SecurityGroupNotFound");
        assertError(cloud.delete("/v2.0/security-groups/" + id, alice), 404, "SecurityGroupNotFound");
    }

    @Test
    void onlyStatefulGroupsAreAccepted() {
        TestCloud.Response ok = cloud.post("/v2.0/security-groups", alice,
                Map.of("security_group", Map.of("name", "stateful", "stateful", true)));
        assertEquals(201, ok.status(), ok.body());
        TestCloud.Response no = cloud.post("/v2.0/security-groups", alice,
                Map.of("security_group", Map.of("name", "stateless", "stateful", false)));
        assertError(no, 400, "InvalidInput");
        assertTrue(no.body().contains("stateful"), no.body());
        assertTrue(groups(alice, "?name=stateless").isEmpty());
        assertError(cloud.put("/v2.0/security-groups/" + ok.json("security_group").get("id"), alice,
                Map.of("security_group", Map.of("stateful", false))), 400, "InvalidInput");
    }

    @Test
    void defaultGroupIsMadeOnFirstListWithNeutronsRules() {
        String token = fresh("deflt");
        Map<String, Object> d = defaultGroup(token);
        assertEquals("Default security group", d.get("description"));
        String id = (String) d.get("id");
        Set<String> rules = rulesOf(d).stream().map(r -> r.get("direction") + "/" + r.get("ethertype") + "/" + r.get("remote_group_id")
                + "/" + r.get("protocol") + "/" + r.get("remote_ip_prefix")).collect(Collectors.toSet());
        assertEquals(Set.of("egress/IPv4/null/null/null", "egress/IPv6/null/null/null",
                "ingress/IPv4/" + id + "/null/null", "ingress/IPv6/" + id + "/null/null"), rules);
        assertEquals(id, defaultGroup(token).get("id"), "listing again does not make another");

        // The name is reserved: neither a new group nor a renamed one may take it, and the default keeps it.
        assertError(cloud.post("/v2.0/security-groups", token, Map.of("security_group", Map.of("name", "default"))),
                409, "SecurityGroupDefaultAlreadyExists");
        assertError(cloud.post("/v2.0/security-groups", token, Map.of("security_group", Map.of("name", "Default"))),
                409, "SecurityGroupDefaultAlreadyExists");
        String other = (String) group(token, "other").get("id");
        assertError(cloud.put("/v2.0/security-groups/" + other, token, Map.of("security_group", Map.of("name", "default"))),
                409, "SecurityGroupDefaultAlreadyExists");
        assertError(cloud.put("/v2.0/security-groups/" + id, token, Map.of("security_group", Map.of("name", "renamed"))),
                409, "SecurityGroupCannotUpdateDefault");
        TestCloud.Response desc = cloud.put("/v2.0/security-groups/" + id, token,
                Map.of("security_group", Map.of("description", "ours")));
        assertEquals(200, desc.status(), desc.body());

        // A member may not delete it; admin may once no port uses it, and the project then gets a new one.
        assertError(cloud.delete("/v2.0/security-groups/" + id, token), 409, "SecurityGroupCannotRemoveDefault");
        assertEquals(204, cloud.delete("/v2.0/security-groups/" + id, admin).status());
        String again = (String) defaultGroup(token).get("id");
        assertNotEquals(id, again);
    }

    @Test
    void defaultGroupIsMadeOnFirstGetPortOrGroupCreate() {
        String byGet = fresh("firstget");
        assertError(cloud.get("/v2.0/security-groups/00000000-0000-0000-0000-000000000000", byGet), 404, "SecurityGroupNotFound");
        assertEquals(1, groups(admin, "?name=default&project_id=" + projectOf(byGet)).size());

        String byCreate = fresh("firstcreate");
        group(byCreate, "first");
        assertEquals(1, groups(admin, "?name=default&project_id=" + projectOf(byCreate)).size());

        String byPort = fresh("firstport");
        String net = network(byPort, true);
        String project = projectOf(byPort);
        assertTrue(groups(admin, "?name=default&project_id=" + project).isEmpty(), "nothing made the default group yet");
        TestCloud.Response p = port(byPort, Map.of("network_id", net));
        assertEquals(201, p.status(), p.body());
        List<Map<String, Object>> defaults = groups(admin, "?name=default&project_id=" + project);
        assertEquals(1, defaults.size());
        assertEquals(List.of(defaults.get(0).get("id")), portGroups(p.json("port")));
    }

    /** The project id behind a token, read from the network it can create without touching security groups. */
    private static String projectOf(String token) {
        TestCloud.Response n = cloud.post("/v2.0/networks", token, Map.of("network", Map.of("name", "whoami")));
        assertEquals(201, n.status(), n.body());
        String project = (String) n.json("network").get("project_id");
        assertEquals(204, cloud.delete("/v2.0/networks/" + n.json("network").get("id"), token).status());
        return project;
    }

    @Test
    void concurrentFirstRequestsMakeExactlyOneDefaultGroup() throws Exception {
        String token = fresh("race");
        int threads = 24;
        CountDownLatch go = new CountDownLatch(1);
        List<Callable<Integer>> work = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int n = i;
            work.add(() -> {
                go.await();
                return switch (n % 3) {
                    case 0 -> cloud.get("/v2.0/security-groups", token).status();
                    case 1 -> cloud.get("/v2.0/security-group-rules", token).status();
                    default -> cloud.post("/v2.0/security-groups", token,
                            Map.of("security_group", Map.of("name", "g" + n))).status();
                };
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = work.stream().map(pool::submit).toList();
            go.countDown();
            for (int i = 0; i < threads; i++) {
                int status = results.get(i).get();
                assertEquals(i % 3 == 2 ? 201 : 200, status, "request " + i);
            }
        } finally {
            pool.shutdownNow();
        }
        List<Map<String, Object>> all = groups(token, "");
        assertEquals(1, all.stream().filter(g -> g.get("name").equals("default")).count(), all::toString);
        assertEquals(threads / 3 + 1, all.size());
        assertEquals(4, rulesOf(defaultGroup(token)).size());
    }

    @Test
    void ruleAttributesAndNormalisation() {
        String g = (String) group(alice, "norm").get("id");
        Map<String, Object> r = ruleOk(alice, g, Map.of("protocol", "TCP", "port_range_min", 22, "port_range_max", "22",
                "remote_ip_prefix", "10.1.2.3/8", "ethertype", "ipv4", "description", "ssh"));
        for (String attr : List.of("id", "security_group_id", "direction", "ethertype", "protocol", "port_range_min",
                "port_range_max", "remote_ip_prefix", "remote_group_id", "description", "project_id", "tenant_id",
                "created_at", "updated_at", "revision_number", "normalized_cidr")) {
            assertTrue(r.containsKey(attr), attr + " in " + r);
        }
        assertEquals("tcp", r.get("protocol"));
        assertEquals(22, r.get("port_range_min"));
        assertEquals(22, r.get("port_range_max"));
        assertEquals("10.0.0.0/8", r.get("remote_ip_prefix"));
        assertEquals("10.0.0.0/8", r.get("normalized_cidr"));
        assertEquals("IPv4", r.get("ethertype"));
        assertEquals("ssh", r.get("description"));
        assertEquals(get("/v2.0/security-groups/" + g, alice, "security_group").get("project_id"), r.get("project_id"));
        assertEquals(r, get("/v2.0/security-group-rules/" + r.get("id"), alice, "security_group_rule"));

        assertEquals("IPv4", ruleOk(alice, g, Map.of("protocol", "udp", "port_range_min", 53, "port_range_max", 53)).get("ethertype"));
        assertEquals("6", ruleOk(alice, g, Map.of("protocol", 6, "port_range_min", 80, "port_range_max", 80)).get("protocol"));
        assertEquals("ipv6-icmp", ruleOk(alice, g, Map.of("protocol", "icmp", "ethertype", "IPv6")).get("protocol"));
        assertEquals("58", ruleOk(alice, g, Map.of("protocol", "1", "ethertype", "IPv6", "port_range_min", 128)).get("protocol"));
        assertEquals("2001:db8::/64", ruleOk(alice, g, Map.of("ethertype", "IPv6", "remote_ip_prefix", "2001:db8::1/64"))
                .get("remote_ip_prefix"));
        assertEquals("192.0.2.7/32", ruleOk(alice, g, Map.of("remote_ip_prefix", "192.0.2.7")).get("remote_ip_prefix"));
        Map<String, Object> any = ruleOk(alice, g, Map.of("direction", "egress", "protocol", "gre"));
        assertNull(any.get("port_range_min"));
        assertNull(any.get("remote_ip_prefix"));
        assertEquals("egress", any.get("direction"));
    }

    @Test
    void protocolAndPortValidationMatrix() {
        String g = (String) group(alice, "matrix").get("id");
        record Case(Map<String, Object> attrs, int status, String type) {}
        List<Case> cases = List.of(
                new Case(Map.of("protocol", "tcp", "port_range_min", 1, "port_range_max", 65535), 201, null),
                new Case(Map.of("protocol", "udp", "port_range_min", 1000, "port_range_max", 2000), 201, null),
                new Case(Map.of("protocol", "sctp", "port_range_min", 9, "port_range_max", 9), 201, null),
                new Case(Map.of("protocol", "dccp", "port_range_min", 9, "port_range_max", 9), 201, null),
                new Case(Map.of("protocol", "udplite", "port_range_min", 9, "port_range_max", 9), 201, null),
                new Case(Map.of("protocol", "icmp", "port_range_min", 8, "port_range_max", 0), 201, null),
                new Case(Map.of("protocol", "icmp", "port_range_min", 3), 201, null),
                new Case(Map.of("protocol", "47"), 201, null),
                new Case(Map.of("protocol", "tcp", "port_range_min", 0, "port_range_max", 10), 400, "SecurityGroupInvalidPortValue"),
                new Case(Map.of("protocol", "tcp", "port_range_min", 10, "port_range_max", 65536), 400, "SecurityGroupInvalidPortValue"),
                new Case(Map.of("protocol", "tcp", "port_range_min", "http", "port_range_max", 80), 400, "SecurityGroupInvalidPortValue"),
                new Case(Map.of("protocol", "tcp", "port_range_min", 30, "port_range_max", 20), 400, "SecurityGroupInvalidPortRange"),
                new Case(Map.of("protocol", "tcp", "port_range_min", 30), 400, "SecurityGroupInvalidPortRange"),
                new Case(Map.of("port_range_min", 30, "port_range_max", 30), 400, "SecurityGroupProtocolRequiredWithPorts"),
                new Case(Map.of("protocol", "gre", "port_range_min", 1, "port_range_max", 1), 400, "SecurityGroupInvalidProtocolForPort"),
                new Case(Map.of("protocol", "icmp", "port_range_min", 256), 400, "SecurityGroupInvalidIcmpValue"),
                new Case(Map.of("protocol", "icmp", "port_range_min", 8, "port_range_max", 256), 400, "SecurityGroupInvalidIcmpValue"),
                new Case(Map.of("protocol", "icmp", "port_range_max", 0), 400, "SecurityGroupMissingIcmpType"),
                new Case(Map.of("protocol", "256"), 400, "SecurityGroupRuleInvalidProtocol"),
                new Case(Map.of("protocol", "tcpx"), 400, "SecurityGroupRuleInvalidProtocol"),
                new Case(Map.of("protocol", "ipv6-icmp"), 400, "SecurityGroupEthertypeConflictWithProtocol"),
                new Case(Map.of("protocol", "icmpv6", "ethertype", "IPv4"), 400, "SecurityGroupEthertypeConflictWithProtocol"),
                new Case(Map.of("ethertype", "IPv5"), 400, "SecurityGroupRuleInvalidEtherType"),
                new Case(Map.of("direction", "sideways"), 400, "HTTPBadRequest"),
                new Case(Map.of("remote_ip_prefix", "2001:db8::/32"), 400, "SecurityGroupRuleParameterConflict"),
                new Case(Map.of("ethertype", "IPv6", "remote_ip_prefix", "10.0.0.0/8"), 400, "SecurityGroupRuleParameterConflict"),
                new Case(Map.of("remote_ip_prefix", "10.0.0.0/40"), 400, "InvalidCIDR"),
                new Case(Map.of("remote_ip_prefix", "10.0.0.0/8", "remote_group_id", g), 400, "SecurityGroupRemoteGroupAndRemoteIpPrefix"),
                new Case(Map.of("remote_address_group_id", g), 400, "HTTPBadRequest"));
        int created = 0;
        for (Case c : cases) {
            TestCloud.Response r = rule(alice, g, c.attrs());
            assertEquals(c.status(), r.status(), () -> c.attrs() + " -> " + r.body());
            if (c.type() != null) assertEquals(c.type(), r.errorType(), () -> c.attrs() + " -> " + r.body());
            else created++;
        }
        assertEquals(2 + created, rulesOf(get("/v2.0/security-groups/" + g, alice, "security_group")).size(),
                "refused rules left nothing behind");

        assertError(cloud.post("/v2.0/security-group-rules", alice, Map.of("security_group_rule",
                Map.of("security_group_id", g))), 400, "HTTPBadRequest");
        assertError(cloud.post("/v2.0/security-group-rules", alice, Map.of("security_group_rule",
                Map.of("direction", "ingress"))), 400, "HTTPBadRequest");
    }

    @Test
    void duplicateRulesConflict() throws Exception {
        String g = (String) group(alice, "dups").get("id");
        Map<String, Object> first = ruleOk(alice, g, Map.of("protocol", "tcp", "port_range_min", 443, "port_range_max", 443));
        TestCloud.Response again = rule(alice, g, Map.of("protocol", "tcp", "port_range_min", 443, "port_range_max", 443,
                "description", "only the description differs"));
        assertError(again, 409, "SecurityGroupRuleExists");
        assertTrue(again.body().contains((String) first.get("id")), again.body());
        // Another spelling of the same match is the same rule.
        assertError(rule(alice, g, Map.of("protocol", "6", "port_range_min", "443", "port_range_max", 443,
                "ethertype", "ipv4")), 409, "SecurityGroupRuleExists");
        // The CLI sends 0.0.0.0/0 for "from anywhere", which is the default egress rule again.
        assertError(rule(alice, g, Map.of("direction", "egress", "remote_ip_prefix", "0.0.0.0/0")), 409, "SecurityGroupRuleExists");
        assertError(rule(alice, g, Map.of("direction", "egress", "ethertype", "IPv6", "remote_ip_prefix", "::/0")),
                409, "SecurityGroupRuleExists");
        // The same rule in another group is a different rule.
        String other = (String) group(alice, "dups2").get("id");
        ruleOk(alice, other, Map.of("protocol", "tcp", "port_range_min", 443, "port_range_max", 443));

        // Racing requests for one rule: the unique key lets exactly one through.
        int threads = 12;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<TestCloud.Response>> results = IntStream.range(0, threads).mapToObj(i -> pool.submit(() -> {
                go.await();
                return rule(alice, g, Map.of("protocol", "udp", "port_range_min", 514, "port_range_max", 514));
            })).toList();
            go.countDown();
            int ok = 0;
            for (Future<TestCloud.Response> f : results) {
                TestCloud.Response r = f.get();
                if (r.status() == 201) ok++;
                else assertError(r, 409, "SecurityGroupRuleExists");
            }
            assertEquals(1, ok);
        } finally {
            pool.shutdownNow();
        }
        long udp514 = rulesOf(get("/v2.0/security-groups/" + g, alice, "security_group")).stream()
                .filter(r -> "udp".equals(r.get("protocol"))).count();
        assertEquals(1, udp514);
    }

    @Test
    void bulkRuleCreateIsAllOrNothing() {
        String g = (String) group(alice, "bulk").get("id");
        Map<String, Object> ssh = Map.of("security_group_id", g, "direction", "ingress", "protocol", "tcp",
                "port_range_min", 22, "port_range_max", 22);
        Map<String, Object> dns = Map.of("security_group_id", g, "direction", "ingress", "protocol", "udp",
                "port_range_min", 53, "port_range_max", 53);
        Map<String, Object> bad = Map.of("security_group_id", g, "direction", "ingress", "protocol", "udp",
                "port_range_min", 53, "port_range_max", 0);
        long before = revision(get("/v2.0/security-groups/" + g, alice, "security_group"));
        assertError(cloud.post("/v2.0/security-group-rules", alice, Map.of("security_group_rules", List.of(ssh, ssh))),
                409, "DuplicateSecurityGroupRuleInPost");
        assertError(cloud.post("/v2.0/security-group-rules", alice, Map.of("security_group_rules", List.of(ssh, bad))),
                400, "SecurityGroupInvalidPortValue");
        Map<String, Object> unchanged = get("/v2.0/security-groups/" + g, alice, "security_group");
        assertEquals(2, rulesOf(unchanged).size());
        assertEquals(before, revision(unchanged));
        TestCloud.Response ok = cloud.post("/v2.0/security-group-rules", alice, Map.of("security_group_rules", List.of(ssh, dns)));
        assertEquals(201, ok.status(), ok.body());
        assertEquals(2, ok.list("security_group_rules").size());
        Map<String, Object> after = get("/v2.0/security-groups/" + g, alice, "security_group");
        assertEquals(4, rulesOf(after).size());
        assertEquals(before + 1, revision(after), "one request, one new revision");
    }

    @Test
    void rulesCannotBeUpdatedOrTagged() {
        String g = (String) group(alice, "immutable").get("id");
        String r = (String) ruleOk(alice, g, Map.of("protocol", "tcp", "port_range_min", 1, "port_range_max", 2)).get("id");
        assertError(cloud.put("/v2.0/security-group-rules/" + r, alice,
                Map.of("security_group_rule", Map.of("description", "new"))), 400, "HTTPBadRequest");
        assertError(cloud.put("/v2.0/security-group-rules/" + r, alice,
                Map.of("security_group_rule", Map.of("port_range_max", 3))), 400, "HTTPBadRequest");
        assertEquals(2, get("/v2.0/security-group-rules/" + r, alice, "security_group_rule").get("port_range_max"));
        assertEquals(404, cloud.put("/v2.0/security-group-rules/" + r + "/tags/x", alice, null).status());
    }

    @Test
    void groupRevisionFollowsItsRules() {
        Map<String, Object> g0 = group(alice, "revs");
        String g = (String) g0.get("id");
        Map<String, Object> r = ruleOk(alice, g, Map.of("protocol", "tcp", "port_range_min", 8080, "port_range_max", 8080));
        Map<String, Object> g1 = get("/v2.0/security-groups/" + g, alice, "security_group");
        assertEquals(revision(g0) + 1, revision(g1));
        assertTrue(rulesOf(g1).stream().anyMatch(x -> x.get("id").equals(r.get("id"))));
        assertEquals(204, cloud.delete("/v2.0/security-group-rules/" + r.get("id"), alice).status());
        Map<String, Object> g2 = get("/v2.0/security-groups/" + g, alice, "security_group");
        assertEquals(revision(g1) + 1, revision(g2));
        assertEquals(2, rulesOf(g2).size());
        assertError(cloud.get("/v2.0/security-group-rules/" + r.get("id"), alice), 404, "SecurityGroupRuleNotFound");
        assertError(cloud.delete("/v2.0/security-group-rules/" + r.get("id"), alice), 404, "SecurityGroupRuleNotFound");
        assertError(cloud.request("PUT", "/v2.0/security-groups/" + g, alice,
                Map.of("security_group", Map.of("description", "x")), Map.of("If-Match", "revision_number=1")),
                412, "RevisionNumberConstraintFailed");
    }

    @Test
    void remoteGroupsMustBeVisibleAndGoWithTheirGroup() {
        String web = (String) group(alice, "rg-web").get("id");
        String db = (String) group(alice, "rg-db").get("id");
        String foreign = (String) group(bob, "rg-foreign").get("id");
        Map<String, Object> fromWeb = ruleOk(alice, db, Map.of("protocol", "tcp", "port_range_min", 5432,
                "port_range_max", 5432, "remote_group_id", web));
        assertEquals(web, fromWeb.get("remote_group_id"));
        assertNull(fromWeb.get("remote_ip_prefix"));
        ruleOk(alice, db, Map.of("protocol", "tcp", "port_range_min", 1, "port_range_max", 1, "remote_group_id", db));
        assertError(rule(alice, db, Map.of("remote_group_id", foreign)), 404, "SecurityGroupNotFound");
        assertError(rule(alice, db, Map.of("remote_group_id", "00000000-0000-0000-0000-000000000000")), 404, "SecurityGroupNotFound");

        long before = revision(get("/v2.0/security-groups/" + db, alice, "security_group"));
        assertEquals(204, cloud.delete("/v2.0/security-groups/" + web, alice).status());
        Map<String, Object> after = get("/v2.0/security-groups/" + db, alice, "security_group");
        assertFalse(rulesOf(after).stream().anyMatch(r -> web.equals(r.get("remote_group_id"))), after::toString);
        assertEquals(3, rulesOf(after).size(), "the self-referencing rule stays");
        assertEquals(before + 1, revision(after));
        assertError(cloud.get("/v2.0/security-group-rules/" + fromWeb.get("id"), alice), 404, "SecurityGroupRuleNotFound");
    }

    @Test
    void groupRuleLimit() {
        String g = (String) group(alice, "many").get("id");
        List<Map<String, Object>> rules = new ArrayList<>();
        for (int port = 1; port <= 998; port++) {
            rules.add(Map.of("security_group_id", g, "direction", "ingress", "protocol", "tcp",
                    "port_range_min", port, "port_range_max", port));
        }
        TestCloud.Response bulk = cloud.post("/v2.0/security-group-rules", alice, Map.of("security_group_rules", rules));
        assertEquals(201, bulk.status(), bulk.body());
        assertError(rule(alice, g, Map.of("protocol", "udp")), 409, "SecurityGroupRuleLimitExceeded");
        assertEquals(204, cloud.delete("/v2.0/security-groups/" + g, alice).status());
    }

    @Test
    void membersSeeOnlyTheirOwnGroupsAndReadersOnlyRead() {
        Map<String, Object> mine = group(alice, "private");
        String id = (String) mine.get("id");
        String ruleId = (String) rulesOf(mine).get(0).get("id");
        assertError(cloud.get("/v2.0/security-groups/" + id, bob), 404, "SecurityGroupNotFound");
        assertError(cloud.put("/v2.0/security-groups/" + id, bob, Map.of("security_group", Map.of("name", "x"))),
                404, "SecurityGroupNotFound");
        assertError(cloud.delete("/v2.0/security-groups/" + id, bob), 404, "SecurityGroupNotFound");
        assertError(rule(bob, id, Map.of("protocol", "tcp", "port_range_min", 1, "port_range_max", 1)), 404, "SecurityGroupNotFound");
        assertError(cloud.get("/v2.0/security-group-rules/" + ruleId, bob), 404, "SecurityGroupRuleNotFound");
        assertError(cloud.delete("/v2.0/security-group-rules/" + ruleId, bob), 404, "SecurityGroupRuleNotFound");
        assertTrue(groups(bob, "").stream().noneMatch(g -> g.get("id").equals(id)));
        TestCloud.Response bobRules = cloud.get("/v2.0/security-group-rules", bob);
        assertTrue(bobRules.list("security_group_rules").stream().noneMatch(r -> id.equals(r.get("security_group_id"))));
        assertError(cloud.post("/v2.0/security-groups", alice, Map.of("security_group",
                Map.of("name", "theirs", "project_id", "someone-else"))), 403, "PolicyNotAuthorized");

        // Admin sees every project's groups.
        assertTrue(groups(admin, "").stream().anyMatch(g -> g.get("id").equals(id)));
        assertEquals(id, get("/v2.0/security-groups/" + id, admin, "security_group").get("id"));
        TestCloud.Response filtered = cloud.get("/v2.0/security-group-rules?security_group_id=" + id, admin);
        assertEquals(2, filtered.list("security_group_rules").size());

        // A reader of the same project may look, not touch.
        assertEquals(id, get("/v2.0/security-groups/" + id, rita, "security_group").get("id"));
        assertEquals(ruleId, get("/v2.0/security-group-rules/" + ruleId, rita, "security_group_rule").get("id"));
        assertEquals(403, cloud.post("/v2.0/security-groups", rita, Map.of("security_group", Map.of("name", "r"))).status());
        assertEquals(403, cloud.put("/v2.0/security-groups/" + id, rita, Map.of("security_group", Map.of("name", "r"))).status());
        assertEquals(403, cloud.delete("/v2.0/security-groups/" + id, rita).status());
        assertEquals(403, rule(rita, id, Map.of("protocol", "tcp", "port_range_min", 1, "port_range_max", 1)).status());
        assertEquals(403, cloud.delete("/v2.0/security-group-rules/" + ruleId, rita).status());
    }

    @Test
    void portsGetTheirProjectsDefaultGroupOrTheGroupsTheyName() {
        String token = fresh("ports");
        String net = network(token, true);
        String web = (String) group(token, "p-web").get("id");
        String db = (String) group(token, "p-db").get("id");
        String dflt = (String) defaultGroup(token).get("id");

        Map<String, Object> plain = port(token, Map.of("network_id", net)).json("port");
        assertEquals(List.of(dflt), portGroups(plain));
        TestCloud.Response named = port(token, Map.of("network_id", net, "security_groups", List.of(web, db, web)));
        assertEquals(201, named.status(), named.body());
        assertEquals(List.of(web, db), portGroups(named.json("port")));
        assertEquals(List.of(), portGroups(port(token, Map.of("network_id", net, "security_groups", List.of())).json("port")));
        Map<String, Object> nullBody = new HashMap<>();
        nullBody.put("network_id", net);
        nullBody.put("security_groups", null);
        assertEquals(List.of(dflt), portGroups(port(token, nullBody).json("port")), "null means not given");

        // The network's own ports are trusted: no groups, whatever was asked.
        for (String owner : List.of("network:dhcp", "network:router_interface", "network:floatingip", "network:router_gateway")) {
            TestCloud.Response infra = port(admin, Map.of("network_id", net, "device_owner", owner, "security_groups", List.of(web)));
            assertEquals(201, infra.status(), infra.body());
            assertEquals(List.of(), portGroups(infra.json("port")), owner);
        }

        assertError(port(token, Map.of("network_id", net, "security_groups", List.of("00000000-0000-0000-0000-000000000000"))),
                404, "SecurityGroupNotFound");
        assertError(port(token, Map.of("network_id", net, "security_groups", List.of("web"))), 400, "InvalidInput");
        String foreign = (String) group(bob, "p-foreign").get("id");
        assertError(port(token, Map.of("network_id", net, "security_groups", List.of(web, foreign))), 404, "SecurityGroupNotFound");

        // Listing and showing ports reads membership back from the store.
        String namedId = (String) named.json("port").get("id");
        assertEquals(List.of(web, db), portGroups(get("/v2.0/ports/" + namedId, token, "port")));
        TestCloud.Response list = cloud.get("/v2.0/ports?security_groups=" + db, token);
        assertEquals(List.of(namedId), list.list("ports").stream().map(p -> p.get("id")).toList());

        // Membership makes a group undeletable until the port leaves it.
        assertError(cloud.delete("/v2.0/security-groups/" + db, token), 409, "SecurityGroupInUse");
        TestCloud.Response moved = cloud.put("/v2.0/ports/" + namedId, token, Map.of("port", Map.of("security_groups", List.of(web))));
        assertEquals(200, moved.status(), moved.body());
        assertEquals(List.of(web), portGroups(moved.json("port")));
        assertEquals(204, cloud.delete("/v2.0/security-groups/" + db, token).status());
        assertError(cloud.put("/v2.0/ports/" + namedId, token, Map.of("port", Map.of("security_groups", List.of(db)))),
                404, "SecurityGroupNotFound");
        assertError(cloud.delete("/v2.0/security-groups/" + web, token), 409, "SecurityGroupInUse");
        assertEquals(204, cloud.delete("/v2.0/ports/" + namedId, token).status());
        String plainId = (String) plain.get("id");
        assertError(cloud.delete("/v2.0/security-groups/" + dflt, admin), 409, "SecurityGroupInUse");
        assertEquals(List.of(dflt), portGroups(get("/v2.0/ports/" + plainId, token, "port")));
    }

    @Test
    void portSecurityAndSecurityGroupsInterplay() {
        String token = fresh("ports");
        String net = network(token, true);
        String web = (String) group(token, "ps-web").get("id");

        Map<String, Object> open = port(token, Map.of("network_id", net, "port_security_enabled", false)).json("port");
        assertEquals(List.of(), portGroups(open));
        assertError(port(token, Map.of("network_id", net, "port_security_enabled", false, "security_groups", List.of(web))),
                400, "PortSecurityAndIPRequiredForSecurityGroups");
        String unsecured = network(token, false);
        assertEquals(List.of(), portGroups(port(token, Map.of("network_id", unsecured)).json("port")));
        assertEquals(List.of(web), portGroups(port(token, Map.of("network_id", unsecured, "port_security_enabled", true,
                "security_groups", List.of(web))).json("port")));

        String id = (String) port(token, Map.of("network_id", net, "security_groups", List.of(web))).json("port").get("id");
        assertError(cloud.put("/v2.0/ports/" + id, token, Map.of("port", Map.of("port_security_enabled", false))),
                409, "PortSecurityPortHasSecurityGroup");
        assertError(cloud.put("/v2.0/ports/" + id, token, Map.of("port", Map.of("port_security_enabled", false,
                "security_groups", List.of(web)))), 400, "PortSecurityAndIPRequiredForSecurityGroups");
        assertEquals(List.of(web), portGroups(get("/v2.0/ports/" + id, token, "port")), "refused updates changed nothing");
        TestCloud.Response off = cloud.put("/v2.0/ports/" + id, token, Map.of("port", Map.of("port_security_enabled", false,
                "security_groups", List.of())));
        assertEquals(200, off.status(), off.body());
        assertEquals(List.of(), portGroups(off.json("port")));
        assertEquals(false, off.json("port").get("port_security_enabled"));
        assertError(cloud.put("/v2.0/ports/" + id, token, Map.of("port", Map.of("security_groups", List.of(web)))),
                400, "PortSecurityAndIPRequiredForSecurityGroups");
        TestCloud.Response on = cloud.put("/v2.0/ports/" + id, token, Map.of("port", Map.of("port_security_enabled", true,
                "security_groups", List.of(web))));
        assertEquals(200, on.status(), on.body());
        assertEquals(List.of(web), portGroups(on.json("port")));
        assertEquals(204, cloud.delete("/v2.0/ports/" + id, token).status());
    }

    @Test
    void aGroupDeletedWhilePortsJoinItIsEitherInUseOrJoinedByNone() throws Exception {
        String token = fresh("ports");
        String net = network(token, true);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            for (int round = 0; round < 8; round++) {
                String g = (String) group(token, "race-" + round).get("id");
                CountDownLatch go = new CountDownLatch(1);
                List<Future<TestCloud.Response>> joins = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    joins.add(pool.submit(() -> {
                        go.await();
                        return port(token, Map.of("network_id", net, "security_groups", List.of(g)));
                    }));
                }
                Future<TestCloud.Response> delete = pool.submit(() -> {
                    go.await();
                    return cloud.delete("/v2.0/security-groups/" + g, token);
                });
                go.countDown();
                int joined = 0;
                for (Future<TestCloud.Response> f : joins) {
                    TestCloud.Response r = f.get();
                    if (r.status() == 201) {
                        joined++;
                    } else if (r.status() != 404) {
                        // The membership insert itself can lose to the delete's commit: the foreign key says no.
                        assertError(r, 409, "Conflict");
                    } else {
                        assertEquals("SecurityGroupNotFound", r.errorType());
                    }
                }
                TestCloud.Response d = delete.get();
                if (d.status() == 204) {
                    assertEquals(0, joined, "the group was deleted, yet ports joined it");
                } else {
                    assertError(d, 409, "SecurityGroupInUse");
                    assertTrue(joined > 0);
                }
                assertEquals(joined, cloud.get("/v2.0/ports?security_groups=" + g, token).list("ports").size());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void extensionIsAdvertised() {
        TestCloud.Response r = cloud.get("/v2.0/extensions/security-group", alice);
        assertEquals(200, r.status(), r.body());
        assertEquals(404, cloud.get("/v2.0/extensions/stateful-security-group", alice).status());
        TestCloud.Response index = cloud.get("/v2.0/", alice);
        assertTrue(index.body().contains("/v2.0/security-group-rules"), index.body());
    }
}
