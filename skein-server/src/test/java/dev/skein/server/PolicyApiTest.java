package dev.skein.server;

import dev.skein.server.TestCloud.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.skein.server.Caller.attrs;
import static dev.skein.server.Caller.expect;
import static dev.skein.server.Caller.expectError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who sees and changes what: members their own project's resources plus shared and external networks, readers
 * only reading, admin everything; what a caller may not see answers 404, never 403.
 */
class PolicyApiTest {
    private static TestCloud cloud;
    private static Caller admin, alice, bob, rita;

    @BeforeAll
    static void start() {
        cloud = new TestCloud(Caller.tenants());
        admin = Caller.admin(cloud);
        alice = Caller.user(cloud, "alice", "alpha");
        bob = Caller.user(cloud, "bob", "beta");
        rita = Caller.user(cloud, "rita", "alpha");
    }

    @AfterAll
    static void stop() { cloud.close(); }

    private static List<Object> ids(Caller who, String collection) {
        return who.list(collection, "").stream().map(x -> x.get("id")).toList();
    }

    private record Owned(String network, String subnet, String port) {}

    private static Owned resources(Caller who, String cidr) {
        String net = (String) who.network("owned").get("id");
        return new Owned(net, (String) who.subnet(net, cidr).get("id"), (String) who.port(net).get("id"));
    }

    @Test
    void foreignResourcesAreInvisibleAnd404() {
        Owned a = resources(alice, "10.50.0.0/24");
        assertFalse(ids(bob, "networks").contains(a.network()));
        assertFalse(ids(bob, "subnets").contains(a.subnet()));
        assertFalse(ids(bob, "ports").contains(a.port()));

        expectError(404, "NetworkNotFound", bob.tryShow("networks", a.network()));
        expectError(404, "NetworkNotFound", bob.tryUpdate("networks", a.network(), attrs("name", "mine now")));
        expectError(404, "NetworkNotFound", bob.tryDelete("networks", a.network()));
        expectError(404, "NetworkNotFound", bob.send("PUT", "/v2.0/networks/" + a.network() + "/tags/x", null));
        expectError(404, "NetworkNotFound", bob.get("/v2.0/networks/" + a.network() + "/tags"));
        expectError(404, "SubnetNotFound", bob.tryShow("subnets", a.subnet()));
        expectError(404, "SubnetNotFound", bob.tryUpdate("subnets", a.subnet(), attrs("name", "x")));
        expectError(404, "SubnetNotFound", bob.tryDelete("subnets", a.subnet()));
        expectError(404, "PortNotFound", bob.tryShow("ports", a.port()));
        expectError(404, "PortNotFound", bob.tryUpdate("ports", a.port(), attrs("name", "x")));
        expectError(404, "PortNotFound", bob.tryDelete("ports", a.port()));
        expectError(404, "NetworkNotFound", bob.tryCreate("ports", attrs("network_id", a.network())));
        expectError(404, "NetworkNotFound", bob.tryCreate("subnets", attrs("network_id", a.network(), "ip_version", 4, "cidr", "10.51.0.0/24")));
        // Filtering by a foreign id finds nothing rather than failing.
        assertEquals(List.of(), bob.list("ports", "network_id=" + a.network()));

        assertEquals("owned", alice.show("networks", a.network()).get("name"), "bob's attempts changed nothing");
        alice.show("ports", a.port());
    }

    @Test
    void adminSeesAndChangesEverything() {
        Owned a = resources(alice, "10.52.0.0/24");
        Owned b = resources(bob, "10.52.0.0/24");
        assertTrue(ids(admin, "networks").containsAll(List.of(a.network(), b.network())));
        assertTrue(ids(admin, "subnets").containsAll(List.of(a.subnet(), b.subnet())));
        assertTrue(ids(admin, "ports").containsAll(List.of(a.port(), b.port())));
        assertEquals("by admin", admin.update("ports", b.port(), attrs("name", "by admin")).get("name"));
        assertEquals("by admin", bob.show("ports", b.port()).get("name"));
        admin.delete("ports", a.port());
        expectError(404, "PortNotFound", alice.tryShow("ports", a.port()));
    }

    @Test
    void sharedNetworksAreUsableByEveryProject() {
        Map<String, Object> shared = admin.create("networks", attrs("name", "shared", "shared", true));
        String net = (String) shared.get("id");
        String subnet = (String) admin.subnet(net, "10.53.0.0/24").get("id");
        for (Caller who : List.of(alice, bob)) {
            assertTrue(ids(who, "networks").contains(net));
            assertTrue(ids(who, "subnets").contains(subnet));
            Map<String, Object> seen = who.show("networks", net);
            assertEquals(true, seen.get("shared"));
            assertFalse(seen.containsKey("provider:network_type"), seen::toString);
            who.show("subnets", subnet);
        }

        Map<String, Object> port = alice.create("ports", attrs("network_id", net, "fixed_ips", List.of(Map.of("subnet_id", subnet))));
        String alpha = (String) alice.network("alpha-project").get("project_id");
        assertEquals(alpha, port.get("project_id"), "the port is the caller's, not the network owner's");
        assertTrue(ids(admin, "ports").contains(port.get("id")), "the network owner sees ports on its network");
        expectError(404, "PortNotFound", bob.tryShow("ports", (String) port.get("id")));
        assertFalse(ids(bob, "ports").contains(port.get("id")));

        // Using a shared network is not owning it.
        expectError(403, "PolicyNotAuthorized", alice.tryUpdate("networks", net, attrs("name", "taken over")));
        expectError(403, "PolicyNotAuthorized", alice.tryDelete("networks", net));
        expectError(403, "PolicyNotAuthorized", alice.send("PUT", "/v2.0/networks/" + net + "/tags/x", null));
        expectError(403, "PolicyNotAuthorized", alice.tryCreate("subnets", attrs("network_id", net, "ip_version", 4, "cidr", "10.54.0.0/24")));
        expectError(403, "PolicyNotAuthorized", alice.tryUpdate("subnets", subnet, attrs("name", "x")));
        expectError(403, "PolicyNotAuthorized", alice.tryDelete("subnets", subnet));
        expectError(403, "PolicyNotAuthorized", alice.tryCreate("ports", attrs("network_id", net,
                "fixed_ips", List.of(Map.of("ip_address", "10.53.0.50")))));
        expectError(403, "PolicyNotAuthorized", alice.tryCreate("ports", attrs("network_id", net, "mac_address", "fa:16:3e:0a:0b:0c")));

        expectError(409, "InvalidSharedSetting", admin.tryUpdate("networks", net, attrs("shared", false)));
        alice.delete("ports", (String) port.get("id"));
        assertEquals(false, admin.update("networks", net, attrs("shared", false)).get("shared"));
        expectError(404, "NetworkNotFound", alice.tryShow("networks", net));
    }

    @Test
    void externalNetworksAreVisibleButNotForPorts() {
        String net = (String) admin.create("networks", attrs("name", "public", "router:external", true)).get("id");
        String subnet = (String) admin.subnet(net, "198.51.100.0/24").get("id");
        assertTrue(ids(alice, "networks").contains(net));
        assertEquals(true, alice.show("networks", net).get("router:external"));
        alice.show("subnets", subnet);
        assertEquals(List.of(net), alice.list("networks", "router:external=true&id=" + net).stream().map(x -> x.get("id")).toList());
        expectError(403, "PolicyNotAuthorized", alice.tryCreate("ports", attrs("network_id", net)));
    }

    @Test
    void readersOnlyRead() {
        Owned a = resources(alice, "10.55.0.0/24");
        assertTrue(ids(rita, "networks").contains(a.network()));
        assertTrue(ids(rita, "ports").contains(a.port()));
        rita.show("networks", a.network());
        rita.show("subnets", a.subnet());
        rita.show("ports", a.port());
        expect(200, rita.get("/v2.0/networks/" + a.network() + "/tags"));

        List<Response> writes = List.of(
                rita.tryCreate("networks", attrs("name", "by reader")),
                rita.tryCreate("subnets", attrs("network_id", a.network(), "ip_version", 4, "cidr", "10.56.0.0/24")),
                rita.tryCreate("ports", attrs("network_id", a.network())),
                rita.send("POST", "/v2.0/networks", attrs("networks", List.of(attrs("name", "bulk by reader")))),
                rita.tryUpdate("networks", a.network(), attrs("name", "x")),
                rita.tryUpdate("subnets", a.subnet(), attrs("name", "x")),
                rita.tryUpdate("ports", a.port(), attrs("name", "x")),
                rita.send("PUT", "/v2.0/networks/" + a.network() + "/tags", attrs("tags", List.of("x"))),
                rita.send("PUT", "/v2.0/ports/" + a.port() + "/tags/x", null),
                rita.send("DELETE", "/v2.0/subnets/" + a.subnet() + "/tags", null),
                rita.tryDelete("ports", a.port()),
                rita.tryDelete("subnets", a.subnet()),
                rita.tryDelete("networks", a.network()));
        for (Response r : writes) expectError(403, "PolicyNotAuthorized", r);
        assertEquals(1, alice.show("ports", a.port()).get("revision_number"), "nothing changed");
        assertEquals(List.of(), alice.list("networks", "name=by%20reader"));
    }

    @Test
    void projectOwnershipIsTheCallersUnlessAdminSaysOtherwise() {
        String alpha = (String) alice.network("a").get("project_id");
        String beta = (String) bob.network("b").get("project_id");
        expectError(403, "PolicyNotAuthorized", alice.tryCreate("networks", attrs("project_id", beta)));
        expectError(403, "PolicyNotAuthorized", alice.tryCreate("networks", attrs("tenant_id", beta)));
        assertEquals(alpha, alice.create("networks", attrs("project_id", alpha)).get("project_id"));

        // Admin builds for alpha; alice then owns it, bob still cannot see it.
        String net = (String) admin.create("networks", attrs("name", "given to alpha", "project_id", alpha)).get("id");
        String subnet = (String) admin.create("subnets", attrs("network_id", net, "ip_version", 4, "cidr", "10.57.0.0/24",
                "project_id", alpha)).get("id");
        assertEquals("renamed", alice.update("networks", net, attrs("name", "renamed")).get("name"));
        alice.show("subnets", subnet);
        expectError(404, "NetworkNotFound", bob.tryShow("networks", net));

        // A port admin makes for beta on alpha's network is seen by both: beta owns it, alpha owns the network.
        String port = (String) admin.create("ports", attrs("network_id", net, "project_id", beta)).get("id");
        assertEquals(beta, bob.show("ports", port).get("project_id"));
        alice.show("ports", port);
        expectError(409, "NetworkInUse", alice.tryDelete("networks", net));
    }
}
