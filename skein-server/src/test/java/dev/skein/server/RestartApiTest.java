package dev.skein.server;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.skein.server.Caller.attrs;
import static dev.skein.server.Caller.expect;
import static dev.skein.server.Caller.expectError;
import static dev.skein.server.Caller.ipOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** A controller restarted on the same data directory keeps every resource, and tokens issued before still work. */
class RestartApiTest {
    @Test
    void everythingSurvivesARestart() {
        try (TestCloud cloud = new TestCloud(Caller.tenants())) {
            Caller admin = Caller.admin(cloud);
            Caller alice = Caller.user(cloud, "alice", "alpha");
            String netId = (String) alice.create("networks", attrs("name", "durable", "tags", List.of("keep"))).get("id");
            Map<String, Object> subnet = alice.create("subnets", attrs("network_id", netId, "ip_version", 4, "cidr", "10.70.0.0/29",
                    "dns_nameservers", List.of("10.70.0.5")));
            String subnetId = (String) subnet.get("id");
            Map<String, Object> v6 = alice.create("subnets", attrs("network_id", netId, "ip_version", 6, "cidr", "2001:db8:70::/64",
                    "ipv6_ra_mode", "slaac", "ipv6_address_mode", "slaac"));
            Map<String, Object> port = alice.create("ports", attrs("network_id", netId, "name", "p",
                    "allowed_address_pairs", List.of(Map.of("ip_address", "10.70.0.100"))));
            Map<String, Object> shared = admin.create("networks", attrs("name", "shared", "shared", true,
                    "provider:network_type", "vlan", "provider:physical_network", "physnet1", "provider:segmentation_id", 70));
            // Read back now that subnets have revised it.
            Map<String, Object> netBefore = alice.show("networks", netId);
            Map<String, Object> netAsAdmin = admin.show("networks", netId);
            String oldUrl = cloud.baseUrl();

            cloud.restart();
            assertNotEquals(oldUrl, cloud.baseUrl(), "a new process on a new port");

            // The tokens from before the restart are still good: they are signed with the key in the data directory.
            assertEquals(netBefore, alice.show("networks", netId));
            assertEquals(subnet, alice.show("subnets", subnetId));
            assertEquals(v6, alice.show("subnets", (String) v6.get("id")));
            assertEquals(port, alice.show("ports", (String) port.get("id")));
            assertEquals(netAsAdmin, admin.show("networks", netId));
            assertEquals(shared, admin.show("networks", (String) shared.get("id")));
            assertEquals(List.of(netId), alice.list("networks", "tags=keep").stream().map(n -> n.get("id")).toList());

            // Allocations survived too: the held address and segment stay taken, the rest of the pool is still free.
            String held = ipOn(port, subnetId);
            expectError(409, "IpAddressAlreadyAllocated", alice.tryCreate("ports", attrs("network_id", netId,
                    "fixed_ips", List.of(Map.of("ip_address", held)))));
            expectError(409, "VlanIdInUse", admin.tryCreate("networks", attrs("provider:network_type", "vlan",
                    "provider:physical_network", "physnet1", "provider:segmentation_id", 70)));
            Map<String, Object> next = alice.port(netId);
            assertNotEquals(held, ipOn(next, subnetId));
            assertNotEquals(port.get("mac_address"), next.get("mac_address"));

            // New logins work, and so does tearing it all down.
            Caller fresh = Caller.user(cloud, "alice", "alpha");
            expect(200, fresh.get("/v2.0/ports"));
            fresh.delete("ports", (String) port.get("id"));
            fresh.delete("ports", (String) next.get("id"));
            fresh.delete("networks", netId);
            expectError(404, "NetworkNotFound", fresh.tryShow("networks", netId));
        }
    }
}
