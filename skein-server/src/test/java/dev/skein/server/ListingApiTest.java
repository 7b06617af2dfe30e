package dev.skein.server;

import dev.skein.server.TestCloud.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.skein.server.Caller.attrs;
import static dev.skein.server.Caller.expect;
import static dev.skein.server.Caller.expectError;
import static dev.skein.server.Caller.ipOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every resource shares: timestamps and revisions, tags, list filters, fields, sorting, paging,
 * If-Match revision constraints and all-or-nothing bulk creation.
 */
class ListingApiTest {
    @RegisterExtension
    static final ClassScoped<TestCloud> CLOUD = new ClassScoped<>(new TestCloud(Caller.tenants()));
    private static final TestCloud cloud = CLOUD.resource();
    private static final Caller alice = Caller.user(cloud, "alice", "alpha");

    private static List<Object> names(List<Map<String, Object>> items) { return items.stream().map(i -> i.get("name")).toList(); }

    private static Map<String, Object> tagged(String name, String... tags) {
        return alice.create("networks", attrs("name", name, "tags", List.of(tags)));
    }

    /** The links of a list answer by rel, with the server's base URL taken off so they can be followed. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> links(Response r, String collection) {
        List<Map<String, String>> links = (List<Map<String, String>>) r.json().getOrDefault(collection + "_links", List.of());
        Map<String, String> out = new HashMap<>();
        for (Map<String, String> l : links) {
            assertTrue(l.get("href").startsWith(cloud.baseUrl() + "/v2.0/" + collection + "?"), l::toString);
            out.put(l.get("rel"), l.get("href").substring(cloud.baseUrl().length()));
        }
        return out;
    }

    @Test
    void timestampsAndRevisionsFollowChanges() throws InterruptedException {
        Map<String, Object> n = alice.network("stamped");
        String id = (String) n.get("id");
        Instant created = Instant.parse((String) n.get("created_at"));
        assertTrue(Math.abs(created.getEpochSecond() - Instant.now().getEpochSecond()) < 60, "created_at is now: " + created);
        Thread.sleep(1100);
        Map<String, Object> u = alice.update("networks", id, attrs("name", "restamped"));
        assertEquals(n.get("created_at"), u.get("created_at"));
        assertTrue(Instant.parse((String) u.get("updated_at")).isAfter(created), u::toString);
        assertEquals(2, u.get("revision_number"));
        // Tags are part of the resource: changing them is a revision too, re-setting the same ones is not.
        expect(201, alice.send("PUT", "/v2.0/networks/" + id + "/tags/blue", null));
        assertEquals(3, alice.show("networks", id).get("revision_number"));
        expect(201, alice.send("PUT", "/v2.0/networks/" + id + "/tags/blue", null));
        assertEquals(3, alice.show("networks", id).get("revision_number"));
        // A subnet is part of its network's view (the subnets list), so it revises the network as well.
        alice.subnet(id, "10.40.0.0/24");
        assertEquals(4, alice.show("networks", id).get("revision_number"));
    }

    @Test
    void tagsSubResource() {
        String net = (String) alice.network("tagged").get("id");
        String subnet = (String) alice.subnet(net, "10.41.0.0/24").get("id");
        String port = (String) alice.port(net).get("id");
        for (String base : List.of("/v2.0/networks/" + net, "/v2.0/subnets/" + subnet, "/v2.0/ports/" + port)) {
            assertEquals(List.of("a", "b"), expect(200, alice.send("PUT", base + "/tags", attrs("tags", List.of("a", "b", "a")))).json().get("tags"));
            assertEquals(List.of("a", "b"), expect(200, alice.get(base + "/tags")).json().get("tags"));
            expect(201, alice.send("PUT", base + "/tags/c", null));
            expect(204, alice.get(base + "/tags/c"));
            expectError(404, "TagNotFound", alice.get(base + "/tags/zz"));
            expect(204, alice.send("DELETE", base + "/tags/a", null));
            expectError(404, "TagNotFound", alice.send("DELETE", base + "/tags/a", null));
            assertEquals(List.of("b", "c"), expect(200, alice.get(base)).json().values().stream()
                    .map(m -> ((Map<?, ?>) m).get("tags")).findFirst().orElseThrow());
            expect(204, alice.send("DELETE", base + "/tags", null));
            assertEquals(List.of(), expect(200, alice.get(base + "/tags")).json().get("tags"));

            expect(400, alice.send("PUT", base + "/tags", attrs("tags", "a")));
            expect(400, alice.send("PUT", base + "/tags", attrs("tags", List.of("a,b"))));
            expect(400, alice.send("PUT", base + "/tags", attrs("tags", List.of(""))));
            expect(400, alice.send("PUT", base + "/tags", attrs("tags", List.of("x".repeat(256)))));
            expect(400, alice.send("PUT", base + "/tags", attrs("tags", List.of(7))));
        }
        expectError(404, "NetworkNotFound", alice.get("/v2.0/networks/0c4c1a2b-0000-4000-8000-000000000000/tags"));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 51; i++) many.add("t" + i);
        expect(400, alice.send("PUT", "/v2.0/networks/" + net + "/tags", attrs("tags", many)));
    }

    @Test
    void filtersAreAndAcrossAttributesAndOrAcrossValues() {
        alice.create("networks", attrs("name", "flt-a", "tags", List.of("flt")));
        alice.create("networks", attrs("name", "flt-b", "tags", List.of("flt"), "admin_state_up", false));
        alice.create("networks", attrs("name", "flt-c", "tags", List.of("flt")));

        assertEquals(List.of("flt-a", "flt-b"), names(alice.list("networks", "name=flt-a&name=flt-b&sort_key=name")));
        assertEquals(List.of(), alice.list("networks", "name=flt-a&admin_state_up=false"));
        assertEquals(List.of("flt-b"), names(alice.list("networks", "name=flt-b&admin_state_up=false")));
        assertEquals(List.of("flt-b"), names(alice.list("networks", "tags=flt&admin_state_up=False")));
        assertEquals(List.of("flt-a", "flt-c"), names(alice.list("networks", "tags=flt&admin_state_up=true&sort_key=name")));
        assertEquals(List.of("flt-c"), names(alice.list("networks", "tags=flt&name=flt-c&name=nothing")));
        expectError(400, "HTTPBadRequest", alice.get("/v2.0/networks?colour=red"));
    }

    @Test
    void tagFilters() {
        tagged("tf-1", "tf-x", "tf-y");
        tagged("tf-2", "tf-y");
        tagged("tf-3", "tf-z");
        String scope = "name=tf-1&name=tf-2&name=tf-3&sort_key=name&";
        assertEquals(List.of("tf-1"), names(alice.list("networks", scope + "tags=tf-x,tf-y")));
        assertEquals(List.of("tf-1", "tf-2"), names(alice.list("networks", scope + "tags=tf-y")));
        assertEquals(List.of("tf-1", "tf-3"), names(alice.list("networks", scope + "tags-any=tf-x,tf-z")));
        assertEquals(List.of("tf-2", "tf-3"), names(alice.list("networks", scope + "not-tags=tf-x,tf-y")));
        assertEquals(List.of("tf-2"), names(alice.list("networks", scope + "not-tags-any=tf-x,tf-z")));
    }

    @Test
    void portFiltersOnFixedIps() {
        String net = (String) alice.network("ip-filter").get("id");
        String subnet = (String) alice.subnet(net, "10.42.0.0/24").get("id");
        Map<String, Object> p = alice.create("ports", attrs("network_id", net, "fixed_ips", List.of(Map.of("ip_address", "10.42.0.42"))));
        alice.create("ports", attrs("network_id", net, "fixed_ips", List.of(Map.of("ip_address", "10.42.0.43"))));
        assertEquals(List.of(p.get("id")), alice.list("ports", "fixed_ips=ip_address%3D10.42.0.42").stream().map(x -> x.get("id")).toList());
        assertEquals(2, alice.list("ports", "fixed_ips=subnet_id%3D" + subnet).size());
        assertEquals(2, alice.list("ports", "fixed_ips=ip_address_substr%3D10.42.0.4").size());
        assertEquals("10.42.0.42", ipOn(alice.list("ports", "network_id=" + net + "&fixed_ips=ip_address%3D10.42.0.42").get(0), subnet));
        expect(400, alice.get("/v2.0/ports?fixed_ips=10.42.0.42"));
    }

    @Test
    void fieldsSelectAttributes() {
        String id = (String) tagged("fields-net", "fields").get("id");
        for (Map<String, Object> n : alice.list("networks", "tags=fields&fields=id&fields=name")) assertEquals(Set.of("id", "name"), n.keySet());
        for (Map<String, Object> n : alice.list("networks", "tags=fields&fields=id,mtu")) assertEquals(Set.of("id", "mtu"), n.keySet());
        assertEquals(Map.of("name", "fields-net"), expect(200, alice.get("/v2.0/networks/" + id + "?fields=name")).json("network"));
    }

    @Test
    void sorting() {
        for (String n : List.of("srt-b", "srt-c", "srt-a")) tagged(n, "srt");
        alice.update("networks", (String) alice.list("networks", "name=srt-c").get(0).get("id"), attrs("admin_state_up", false));
        assertEquals(List.of("srt-a", "srt-b", "srt-c"), names(alice.list("networks", "tags=srt&sort_key=name")));
        assertEquals(List.of("srt-c", "srt-b", "srt-a"), names(alice.list("networks", "tags=srt&sort_key=name&sort_dir=desc")));
        assertEquals(List.of("srt-c", "srt-b", "srt-a"), names(alice.list("networks",
                "tags=srt&sort_key=admin_state_up&sort_dir=asc&sort_key=name&sort_dir=desc")));
        expect(400, alice.get("/v2.0/networks?sort_key=name&sort_dir=sideways"));
        expect(400, alice.get("/v2.0/networks?sort_key=colour"));
        expect(400, alice.get("/v2.0/networks?sort_key=name&sort_key=id&sort_dir=asc"));
    }

    @Test
    void pagingWithLimitMarkerAndLinks() {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) ids.add((String) tagged("page-" + i, "paged").get("id"));

        Response first = expect(200, alice.get("/v2.0/networks?tags=paged&sort_key=name&limit=2"));
        assertEquals(List.of("page-1", "page-2"), names(first.list("networks")));
        Map<String, String> l1 = links(first, "networks");
        assertEquals(Set.of("next"), l1.keySet());

        Response second = expect(200, alice.get(l1.get("next")));
        assertEquals(List.of("page-3", "page-4"), names(second.list("networks")));
        Map<String, String> l2 = links(second, "networks");
        assertEquals(Set.of("next", "previous"), l2.keySet());

        Response third = expect(200, alice.get(l2.get("next")));
        assertEquals(List.of("page-5"), names(third.list("networks")));
        Map<String, String> l3 = links(third, "networks");
        assertEquals(Set.of("previous"), l3.keySet());

        Response back = expect(200, alice.get(l3.get("previous")));
        assertEquals(List.of("page-3", "page-4"), names(back.list("networks")));
        Response backAgain = expect(200, alice.get(links(back, "networks").get("previous")));
        assertEquals(List.of("page-1", "page-2"), names(backAgain.list("networks")));

        assertEquals(List.of("page-2", "page-3"), names(alice.list("networks", "tags=paged&sort_key=name&limit=2&marker=" + ids.get(0))));
        assertEquals(List.of("page-4"), names(alice.list("networks", "tags=paged&sort_key=name&limit=1&marker=" + ids.get(4) + "&page_reverse=True")));
        assertEquals(5, alice.list("networks", "tags=paged&limit=10").size());
        expectError(404, "MarkerNotFound", alice.get("/v2.0/networks?limit=2&marker=0e9c2a4f-0000-4000-8000-000000000000"));
        expect(400, alice.get("/v2.0/networks?limit=-1"));
        expect(400, alice.get("/v2.0/networks?limit=many"));
    }

    @Test
    void ifMatchConstrainsRevisions() {
        String net = (String) alice.network("guarded").get("id");
        String subnet = (String) alice.subnet(net, "10.43.0.0/24").get("id");
        String port = (String) alice.port(net).get("id");
        for (String[] r : new String[][]{{"networks", net}, {"subnets", subnet}, {"ports", port}}) {
            String path = "/v2.0/" + r[0] + "/" + r[1];
            Map<String, Object> body = Map.of(Caller.member(r[0]), attrs("name", "checked"));
            long rev = ((Number) alice.show(r[0], r[1]).get("revision_number")).longValue();
            Response ok = expect(200, alice.send("PUT", path, body, Map.of("If-Match", "revision_number=" + rev)));
            assertEquals(rev + 1, ((Number) ok.json(Caller.member(r[0])).get("revision_number")).longValue());
            expectError(412, "RevisionNumberConstraintFailed", alice.send("PUT", path, body, Map.of("If-Match", "revision_number=" + rev)));
            expectError(412, "RevisionNumberConstraintFailed", alice.send("DELETE", path, null, Map.of("If-Match", "revision_number=" + rev)));
            expect(400, alice.send("PUT", path, body, Map.of("If-Match", "rev-" + rev)));
            assertEquals(rev + 1, ((Number) alice.show(r[0], r[1]).get("revision_number")).longValue(), "refused writes change nothing");
        }
        long portRev = ((Number) alice.show("ports", port).get("revision_number")).longValue();
        expect(204, alice.send("DELETE", "/v2.0/ports/" + port, null, Map.of("If-Match", "revision_number=" + portRev)));
    }

    @Test
    void bulkCreationIsAllOrNothing() {
        Response ok = expect(201, alice.send("POST", "/v2.0/networks",
                attrs("networks", List.of(attrs("name", "bulk-1"), attrs("name", "bulk-2")))));
        List<Map<String, Object>> nets = ok.list("networks");
        assertEquals(List.of("bulk-1", "bulk-2"), names(nets));
        assertNotEquals(nets.get(0).get("id"), nets.get(1).get("id"));

        expect(400, alice.send("POST", "/v2.0/networks",
                attrs("networks", List.of(attrs("name", "bulk-bad-1"), attrs("name", "bulk-bad-2", "mtu", 99999)))));
        assertEquals(List.of(), alice.list("networks", "name=bulk-bad-1"));

        String net = (String) nets.get(0).get("id");
        String subnet = (String) alice.subnet(net, "10.44.0.0/24").get("id");
        List<Map<String, Object>> ports = expect(201, alice.send("POST", "/v2.0/ports", attrs("ports", List.of(
                attrs("network_id", net, "name", "bp-1"), attrs("network_id", net, "name", "bp-2"))))).list("ports");
        assertEquals(2, ports.size());
        assertNotEquals(ipOn(ports.get(0), subnet), ipOn(ports.get(1), subnet));

        List<Map<String, Object>> clash = List.of(
                attrs("network_id", net, "name", "bp-clash", "fixed_ips", List.of(Map.of("ip_address", "10.44.0.99"))),
                attrs("network_id", net, "name", "bp-clash", "fixed_ips", List.of(Map.of("ip_address", "10.44.0.99"))));
        expectError(409, "IpAddressAlreadyAllocated", alice.send("POST", "/v2.0/ports", attrs("ports", clash)));
        assertEquals(List.of(), alice.list("ports", "name=bp-clash"));
        alice.create("ports", attrs("network_id", net, "fixed_ips", List.of(Map.of("ip_address", "10.44.0.99"))));

        String other = (String) nets.get(1).get("id");
        expect(400, alice.send("POST", "/v2.0/subnets", attrs("subnets", List.of(
                attrs("network_id", other, "ip_version", 4, "cidr", "10.45.0.0/24"),
                attrs("network_id", other, "ip_version", 4, "cidr", "10.45.0.0/25")))));
        assertEquals(List.of(), alice.show("networks", other).get("subnets"));
        assertFalse(alice.list("subnets", "cidr=10.45.0.0/24").iterator().hasNext());
    }
}
