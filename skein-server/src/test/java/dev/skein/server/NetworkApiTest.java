package dev.skein.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.skein.server.Caller.attrs;
import static dev.skein.server.Caller.expect;
import static dev.skein.server.Caller.expectError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Networks: defaults, provider attributes and segment allocation, updates and deletion. */
class NetworkApiTest {
    private static final int VNI_FIRST = 4000, VNI_LAST = 4999;
    private static TestCloud cloud;
    private static Caller admin, alice;

    @BeforeAll
    static void start() {
        SkeinConfig config = Caller.tenants();
        config.network.vxlanVniRanges = new ArrayList<>(List.of(VNI_FIRST + ":" + VNI_LAST));
        cloud = new TestCloud(config);
        admin = Caller.admin(cloud);
        alice = Caller.user(cloud, "alice", "alpha");
    }

    @AfterAll
    static void stop() { cloud.close(); }

    @Test
    void defaults() {
        Map<String, Object> n = alice.network("plain");
        assertEquals("plain", n.get("name"));
        assertEquals(true, n.get("admin_state_up"));
        assertEquals(false, n.get("shared"));
        assertEquals(false, n.get("router:external"));
        assertEquals(1450, n.get("mtu"), "VXLAN takes 50 bytes of the 1500-byte underlay");
        assertEquals(true, n.get("port_security_enabled"));
        assertEquals("ACTIVE", n.get("status"));
        assertEquals(List.of(), n.get("subnets"));
        assertEquals(List.of(), n.get("tags"));
        assertEquals("", n.get("description"));
        assertEquals(n.get("project_id"), n.get("tenant_id"));
        assertEquals(1, n.get("revision_number"));
        assertEquals(n.get("created_at"), n.get("updated_at"));
        assertTrue(((String) n.get("created_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), n::toString);
        assertEquals(n, alice.show("networks", (String) n.get("id")));
    }

    @Test
    void providerAttributesAreShownToAdminOnly() {
        Map<String, Object> mine = alice.network("mine");
        for (String key : mine.keySet()) assertFalse(key.startsWith("provider:"), mine::toString);
        Map<String, Object> seen = admin.show("networks", (String) mine.get("id"));
        assertEquals("vxlan", seen.get("provider:network_type"));
        assertNull(seen.get("provider:physical_network"));
        int vni = (Integer) seen.get("provider:segmentation_id");
        assertTrue(vni >= VNI_FIRST && vni <= VNI_LAST, "tenant VNI from the configured range: " + vni);
        // ... and they are not filterable by someone who cannot see them.
        expect(400, alice.get("/v2.0/networks?provider:network_type=vxlan"));
        assertEquals(List.of(seen.get("id")), admin.list("networks", "provider:segmentation_id=" + vni).stream().map(x -> x.get("id")).toList());
    }

    @Test
    void adminCreatesFlatVlanAndVxlanProviderNetworks() {
        Map<String, Object> flat = admin.create("networks", attrs("name", "flat", "provider:network_type", "flat",
                "provider:physical_network", "physnet-flat"));
        assertEquals("flat", flat.get("provider:network_type"));
        assertEquals("physnet-flat", flat.get("provider:physical_network"));
        assertNull(flat.get("provider:segmentation_id"));
        assertEquals(1500, flat.get("mtu"));
        expectError(409, "FlatNetworkInUse", admin.tryCreate("networks", attrs("provider:network_type", "flat",
                "provider:physical_network", "physnet-flat")));

        Map<String, Object> vlan = admin.create("networks", attrs("provider:network_type", "vlan",
                "provider:physical_network", "physnet1", "provider:segmentation_id", 100));
        assertEquals("vlan", vlan.get("provider:network_type"));
        assertEquals(100, vlan.get("provider:segmentation_id"));
        assertEquals(1500, vlan.get("mtu"));
        expectError(409, "VlanIdInUse", admin.tryCreate("networks", attrs("provider:network_type", "vlan",
                "provider:physical_network", "physnet1", "provider:segmentation_id", 100)));
        // The same VLAN id on another physical network is another segment.
        admin.create("networks", attrs("provider:network_type", "vlan", "provider:physical_network", "physnet2",
                "provider:segmentation_id", 100));

        Map<String, Object> vx = admin.create("networks", attrs("provider:network_type", "vxlan", "provider:segmentation_id", 70000));
        assertEquals(70000, vx.get("provider:segmentation_id"));
        assertEquals(1450, vx.get("mtu"));
        expectError(409, "TunnelIdInUse", admin.tryCreate("networks", attrs("provider:network_type", "vxlan",
                "provider:segmentation_id", 70000)));
        Map<String, Object> tenantVni = admin.network("tenant");
        expectError(409, "TunnelIdInUse", admin.tryCreate("networks", attrs("provider:network_type", "vxlan",
                "provider:segmentation_id", tenantVni.get("provider:segmentation_id"))));

        // Deleting a network gives its segment back.
        admin.delete("networks", (String) vlan.get("id"));
        admin.create("networks", attrs("provider:network_type", "vlan", "provider:physical_network", "physnet1",
                "provider:segmentation_id", 100));
    }

    @Test
    void invalidProviderAttributesAre400() {
        List<Map<String, Object>> bad = List.of(
                attrs("provider:network_type", "gre"),
                attrs("provider:network_type", "vlan", "provider:physical_network", "physnet1"),
                attrs("provider:network_type", "vlan", "provider:physical_network", "physnet1", "provider:segmentation_id", 4095),
                attrs("provider:network_type", "vlan", "provider:segmentation_id", 10),
                attrs("provider:network_type", "flat"),
                attrs("provider:network_type", "flat", "provider:physical_network", "physnet9", "provider:segmentation_id", 3),
                attrs("provider:network_type", "vxlan", "provider:segmentation_id", 1 << 24),
                attrs("provider:network_type", "vxlan", "provider:physical_network", "physnet1"),
                attrs("provider:network_type", "flat", "provider:physical_network", "p".repeat(65)),
                attrs("provider:network_type", "vlan", "provider:physical_network", "p".repeat(65), "provider:segmentation_id", 5),
                attrs("provider:network_type", "vlan", "provider:physical_network", "physnet1", "provider:segmentation_id", "ten"));
        for (Map<String, Object> b : bad) expect(400, admin.tryCreate("networks", b));
    }

    @Test
    void onlyAdminMaySetProviderSharedAndExternal() {
        for (Map<String, Object> b : List.of(attrs("provider:network_type", "vxlan"),
                attrs("provider:network_type", "vlan", "provider:physical_network", "physnet1", "provider:segmentation_id", 200),
                attrs("provider:segmentation_id", 4500), attrs("shared", true), attrs("router:external", true))) {
            expectError(403, "PolicyNotAuthorized", alice.tryCreate("networks", b));
        }
        String id = (String) alice.network("no-provider-updates").get("id");
        expectError(403, "PolicyNotAuthorized", alice.tryUpdate("networks", id, attrs("provider:segmentation_id", 4500)));
        expectError(403, "PolicyNotAuthorized", alice.tryUpdate("networks", id, attrs("shared", true)));
        expectError(403, "PolicyNotAuthorized", alice.tryUpdate("networks", id, attrs("router:external", true)));
        // Admin may not move a network to another segment either; the answer says so.
        expect(400, admin.tryUpdate("networks", id, attrs("provider:segmentation_id", 4500)));
    }

    @Test
    void updatesChangeWhatTheyNameAndBumpTheRevision() {
        Map<String, Object> n = alice.network("before");
        String id = (String) n.get("id");
        Map<String, Object> u = alice.update("networks", id, attrs("name", "after", "description", "d", "admin_state_up", false, "mtu", 1400,
                "port_security_enabled", false));
        assertEquals("after", u.get("name"));
        assertEquals("d", u.get("description"));
        assertEquals(false, u.get("admin_state_up"));
        assertEquals(1400, u.get("mtu"));
        assertEquals(false, u.get("port_security_enabled"));
        assertEquals(2, u.get("revision_number"));
        assertEquals(n.get("created_at"), u.get("created_at"));
        assertEquals(u, alice.show("networks", id));

        expect(400, alice.tryUpdate("networks", id, attrs("mtu", 1451)));
        expect(400, alice.tryUpdate("networks", id, attrs("mtu", 67)));
        expect(400, alice.tryCreate("networks", attrs("mtu", 9000)));
        expect(400, alice.tryUpdate("networks", id, attrs("name", "x".repeat(256))));
        expect(400, alice.tryUpdate("networks", id, attrs("id", "other")));
        expect(400, alice.tryUpdate("networks", id, attrs("status", "DOWN")));
        assertEquals(2, alice.show("networks", id).get("revision_number"), "refused updates change nothing");
    }

    @Test
    void adminMayCreateForAnotherProjectWithinLimits() {
        String alpha = (String) alice.network("for-project-id").get("project_id");
        Map<String, Object> n = admin.create("networks", attrs("name", "given", "project_id", alpha));
        assertEquals(alpha, n.get("project_id"));
        assertEquals(alpha, n.get("tenant_id"));
        expect(400, admin.tryCreate("networks", attrs("project_id", alpha, "tenant_id", "other")));
        expect(400, admin.tryCreate("networks", attrs("project_id", "p".repeat(256))));
    }

    @Test
    void deletedNetworksAreGone() {
        String id = (String) alice.network("doomed").get("id");
        alice.delete("networks", id);
        expectError(404, "NetworkNotFound", alice.tryShow("networks", id));
        expectError(404, "NetworkNotFound", alice.tryDelete("networks", id));
        expectError(404, "NetworkNotFound", alice.tryUpdate("networks", id, attrs("name", "x")));
    }

    @Test
    void tenantSegmentsFollowTheConfigurationAndRunOut() {
        SkeinConfig config = new SkeinConfig();
        config.network.vxlanVniRanges = new ArrayList<>(List.of("7000:7001", "7005:7005"));
        config.network.globalPhysnetMtu = 9000;
        try (TestCloud small = new TestCloud(config)) {
            Caller a = Caller.admin(small);
            List<Map<String, Object>> nets = new ArrayList<>();
            for (int i = 0; i < 3; i++) nets.add(a.network("vni-" + i));
            assertEquals(Set.of(7000, 7001, 7005), Set.copyOf(nets.stream().map(n -> n.get("provider:segmentation_id")).toList()));
            for (Map<String, Object> n : nets) assertEquals(8950, n.get("mtu"), "VXLAN MTU follows global_physnet_mtu");
            assertEquals(9000, a.create("networks", attrs("provider:network_type", "flat", "provider:physical_network", "physnet1")).get("mtu"));
            expectError(503, "NoNetworkAvailable", a.tryCreate("networks", attrs("name", "one-too-many")));
            assertEquals(3, a.list("networks", "provider:network_type=vxlan").size(), "the refused network was not created");
            // An explicit provider VNI outside the tenant range is still available to admin.
            a.create("networks", attrs("provider:network_type", "vxlan", "provider:segmentation_id", 9000));

            a.delete("networks", (String) nets.get(1).get("id"));
            assertEquals(nets.get(1).get("provider:segmentation_id"), a.network("reuse").get("provider:segmentation_id"));
        }
    }
}
