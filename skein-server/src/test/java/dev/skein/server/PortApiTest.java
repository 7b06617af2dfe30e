package dev.skein.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.skein.server.Caller.attrs;
import static dev.skein.server.Caller.expect;
import static dev.skein.server.Caller.expectError;
import static dev.skein.server.Caller.fixedIps;
import static dev.skein.server.Caller.ipOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ports: fixed IPs, address exhaustion and release, MAC addresses, address pairs, binding and device attributes. */
class PortApiTest {
    private static final String BASE_MAC = "fa:16:3e:5a:00:00";
    private static TestCloud cloud;
    private static Caller admin, alice;

    @BeforeAll
    static void start() {
        SkeinConfig config = Caller.tenants();
        config.network.baseMac = BASE_MAC;
        cloud = new TestCloud(config);
        admin = Caller.admin(cloud);
        alice = Caller.user(cloud, "alice", "alpha");
    }

    @AfterAll
    static void stop() { cloud.close(); }

    private record Net(String id, String subnet) {}

    private static Net network(Caller who, String cidr, Object... subnetAttrs) {
        String net = (String) who.network("net").get("id");
        Map<String, Object> s = attrs("network_id", net, "ip_version", 4, "cidr", cidr);
        s.putAll(attrs(subnetAttrs));
        return new Net(net, (String) who.create("subnets", s).get("id"));
    }

    private static Map<String, Object> fixedIp(String subnet, String ip) {
        Map<String, Object> f = attrs();
        if (subnet != null) f.put("subnet_id", subnet);
        if (ip != null) f.put("ip_address", ip);
        return f;
    }

    private static Map<String, Object> portWith(Net n, Map<String, Object> fixedIp) {
        return attrs("network_id", n.id(), "fixed_ips", List.of(fixedIp));
    }

    @Test
    void defaults() {
        Net n = network(alice, "10.20.0.0/24");
        Map<String, Object> p = alice.port(n.id());
        assertEquals(n.id(), p.get("network_id"));
        assertEquals("", p.get("name"));
        assertEquals(true, p.get("admin_state_up"));
        assertEquals("DOWN", p.get("status"));
        assertEquals("", p.get("device_id"));
        assertEquals("", p.get("device_owner"));
        assertEquals("", p.get("binding:host_id"));
        assertEquals("unbound", p.get("binding:vif_type"));
        assertEquals("normal", p.get("binding:vnic_type"));
        assertEquals(true, p.get("port_security_enabled"));
        assertEquals(List.of(), p.get("allowed_address_pairs"));
        assertEquals(1, fixedIps(p).size());
        String ip = ipOn(p, n.subnet());
        int last = Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1));
        assertTrue(ip.startsWith("10.20.0.") && last >= 2 && last <= 254, ip);
        assertEquals(1, p.get("revision_number"));
        assertEquals(p, alice.show("ports", (String) p.get("id")));

        Map<String, Object> bare = alice.port(alice.network("no-subnets").get("id"));
        assertEquals(List.of(), bare.get("fixed_ips"));

        expect(400, alice.tryCreate("ports", attrs("name", "no network")));
        expectError(404, "NetworkNotFound", alice.tryCreate("ports", attrs("network_id", "5b0fb1c2-0000-4000-8000-000000000000")));
        expect(400, alice.tryCreate("ports", attrs("network_id", n.id(), "binding:vnic_type", "direct")));
        expect(400, alice.tryCreate("ports", attrs("network_id", n.id(), "status", "ACTIVE")));
    }

    @Test
    void fixedIpsBySubnetOrByAddress() {
        Net n = network(alice, "10.21.0.0/24");
        Net second = new Net(n.id(), (String) alice.create("subnets", attrs("network_id", n.id(), "ip_version", 4,
                "cidr", "10.22.0.0/24")).get("id"));

        Map<String, Object> bySubnet = alice.create("ports", portWith(second, fixedIp(second.subnet(), null)));
        assertEquals(1, fixedIps(bySubnet).size());
        assertTrue(ipOn(bySubnet, second.subnet()).startsWith("10.22.0."));

        Map<String, Object> byAddress = alice.create("ports", portWith(n, fixedIp(null, "10.22.0.77")));
        assertEquals(List.of(Map.of("subnet_id", second.subnet(), "ip_address", "10.22.0.77")), byAddress.get("fixed_ips"));

        Map<String, Object> both = alice.create("ports", attrs("network_id", n.id(), "fixed_ips",
                List.of(fixedIp(n.subnet(), "10.21.0.5"), fixedIp(second.subnet(), null))));
        assertEquals("10.21.0.5", ipOn(both, n.subnet()));
        assertTrue(ipOn(both, second.subnet()).startsWith("10.22.0."));

        // Without fixed_ips a port gets one IPv4 address, not one per subnet.
        assertEquals(1, fixedIps(alice.port(n.id())).size());

        expectError(409, "IpAddressAlreadyAllocated", alice.tryCreate("ports", portWith(n, fixedIp(null, "10.22.0.77"))));
        expectError(409, "IpAddressAlreadyAllocated", alice.tryCreate("ports", portWith(n, fixedIp(second.subnet(), "10.22.0.77"))));
        expectError(400, "InvalidIpForSubnet", alice.tryCreate("ports", portWith(n, fixedIp(n.subnet(), "10.22.0.78"))));
        expectError(400, "InvalidIpForNetwork", alice.tryCreate("ports", portWith(n, fixedIp(null, "10.99.0.1"))));
        expectError(400, "InvalidIpForSubnet", alice.tryCreate("ports", portWith(n, fixedIp(n.subnet(), "10.21.0.255"))));
        expectError(409, "IpAddressInUse", alice.tryCreate("ports", portWith(n, fixedIp(n.subnet(), "10.21.0.1"))));
        expect(400, alice.tryCreate("ports", portWith(n, fixedIp(n.subnet(), "10.21.0.300"))));
        expect(400, alice.tryCreate("ports", portWith(n, attrs("subnet_id", n.subnet(), "colour", "red"))));
        expect(400, alice.tryCreate("ports", portWith(n, fixedIp("1b0cc3a6-0000-4000-8000-000000000000", null))));
        expect(400, alice.tryCreate("ports", attrs("network_id", n.id(), "fixed_ips",
                List.of(fixedIp(n.subnet(), "10.21.0.9"), fixedIp(n.subnet(), "10.21.0.9")))));
        // Another network's subnet is not this network's.
        Net elsewhere = network(alice, "10.23.0.0/24");
        expect(400, alice.tryCreate("ports", portWith(n, fixedIp(elsewhere.subnet(), null))));
        assertEquals(4, alice.list("ports", "network_id=" + n.id()).size(), "refused creates left no port behind");
    }

    @Test
    void exhaustedPoolsAre409AndDeletedPortsGiveTheirAddressBack() {
        // A /29 has hosts .1 to .6; .1 is the gateway, so five addresses.
        Net n = network(alice, "10.24.0.0/29");
        Set<String> taken = new HashSet<>();
        List<Map<String, Object>> ports = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Map<String, Object> p = alice.port(n.id());
            ports.add(p);
            taken.add(ipOn(p, n.subnet()));
        }
        assertEquals(Set.of("10.24.0.2", "10.24.0.3", "10.24.0.4", "10.24.0.5", "10.24.0.6"), taken);
        expectError(409, "IpAddressGenerationFailure", alice.tryCreate("ports", attrs("network_id", n.id())));
        expectError(409, "IpAddressGenerationFailure", alice.tryCreate("ports", portWith(n, fixedIp(n.subnet(), null))));
        assertEquals(5, alice.list("ports", "network_id=" + n.id()).size());

        String freed = ipOn(ports.get(2), n.subnet());
        alice.delete("ports", (String) ports.get(2).get("id"));
        assertEquals(freed, ipOn(alice.create("ports", portWith(n, fixedIp(null, freed))), n.subnet()));
        expectError(409, "IpAddressGenerationFailure", alice.tryCreate("ports", attrs("network_id", n.id())));

        // Updating fixed_ips releases the old address too.
        Map<String, Object> mover = ports.get(0);
        String old = ipOn(mover, n.subnet());
        Net other = network(alice, "10.25.0.0/24");
        expect(400, alice.tryUpdate("ports", (String) mover.get("id"), attrs("fixed_ips", List.of(fixedIp(other.subnet(), null)))));
        Map<String, Object> moved = alice.update("ports", (String) mover.get("id"), attrs("fixed_ips", List.of()));
        assertEquals(List.of(), moved.get("fixed_ips"));
        assertEquals(old, ipOn(alice.port(n.id()), n.subnet()));
    }

    @Test
    void smallAllocationPoolsLeaveTheRestOfTheSubnetToExplicitAddresses() {
        Net n = network(alice, "10.26.0.0/24", "allocation_pools", List.of(Map.of("start", "10.26.0.10", "end", "10.26.0.12")));
        Set<String> got = new HashSet<>();
        for (int i = 0; i < 3; i++) got.add(ipOn(alice.port(n.id()), n.subnet()));
        assertEquals(Set.of("10.26.0.10", "10.26.0.11", "10.26.0.12"), got);
        expectError(409, "IpAddressGenerationFailure", alice.tryCreate("ports", attrs("network_id", n.id())));
        assertEquals("10.26.0.200", ipOn(alice.create("ports", portWith(n, fixedIp(null, "10.26.0.200"))), n.subnet()));
    }

    @Test
    void macAddressesAreUniquePerNetworkAndKeepTheBasePrefix() {
        Net n = network(alice, "10.27.0.0/24");
        Set<String> macs = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            String mac = (String) alice.port(n.id()).get("mac_address");
            assertTrue(mac.matches("fa:16:3e:5a:[0-9a-f]{2}:[0-9a-f]{2}"), "generated from base " + BASE_MAC + ": " + mac);
            macs.add(mac);
        }
        assertEquals(8, macs.size());

        Map<String, Object> chosen = alice.create("ports", attrs("network_id", n.id(), "mac_address", "FA:16:3E:AA:BB:CC"));
        assertEquals("fa:16:3e:aa:bb:cc", chosen.get("mac_address"));
        expectError(409, "MacAddressInUse", alice.tryCreate("ports", attrs("network_id", n.id(), "mac_address", "fa:16:3e:aa:bb:cc")));
        // The address the refused port would have had is still free.
        assertEquals(9, alice.list("ports", "network_id=" + n.id()).size());
        Net other = network(alice, "10.28.0.0/24");
        assertEquals("fa:16:3e:aa:bb:cc", alice.create("ports", attrs("network_id", other.id(), "mac_address", "fa:16:3e:aa:bb:cc")).get("mac_address"));

        String someone = (String) alice.port(n.id()).get("id");
        expectError(409, "MacAddressInUse", alice.tryUpdate("ports", someone, attrs("mac_address", "fa:16:3e:aa:bb:cc")));
        assertEquals("fa:16:3e:00:00:01", alice.update("ports", someone, attrs("mac_address", "fa:16:3e:00:00:01")).get("mac_address"));
        for (String bad : List.of("not-a-mac", "01:00:5e:00:00:01", "00:00:00:00:00:00", "fa:16:3e:aa:bb")) {
            expect(400, alice.tryCreate("ports", attrs("network_id", n.id(), "mac_address", bad)));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void allowedAddressPairs() {
        Net n = network(alice, "10.29.0.0/24");
        Map<String, Object> p = alice.create("ports", attrs("network_id", n.id(), "allowed_address_pairs", List.of(
                Map.of("ip_address", "10.29.0.100"), Map.of("ip_address", "10.30.0.0/24", "mac_address", "fa:16:3e:01:02:03"))));
        String mac = (String) p.get("mac_address");
        assertEquals(List.of(Map.of("ip_address", "10.29.0.100", "mac_address", mac),
                Map.of("ip_address", "10.30.0.0/24", "mac_address", "fa:16:3e:01:02:03")), p.get("allowed_address_pairs"));

        String id = (String) p.get("id");
        Map<String, Object> u = alice.update("ports", id, attrs("allowed_address_pairs", List.of(Map.of("ip_address", "2001:db8::5"))));
        assertEquals(List.of(Map.of("ip_address", "2001:db8::5", "mac_address", mac)), u.get("allowed_address_pairs"));
        expectError(409, "AddressPairAndPortSecurityRequired", alice.tryUpdate("ports", id, attrs("port_security_enabled", false)));
        assertEquals(false, alice.update("ports", id, attrs("port_security_enabled", false, "allowed_address_pairs", List.of()))
                .get("port_security_enabled"));

        expect(400, alice.tryCreate("ports", attrs("network_id", n.id(), "allowed_address_pairs",
                List.of(Map.of("ip_address", "10.29.0.5"), Map.of("ip_address", "10.29.0.5")))));
        expect(400, alice.tryCreate("ports", attrs("network_id", n.id(), "allowed_address_pairs", List.of(Map.of("ip_address", "bogus")))));
        expect(400, alice.tryCreate("ports", attrs("network_id", n.id(), "allowed_address_pairs", List.of(Map.of("mac_address", mac)))));
        expectError(409, "AddressPairAndPortSecurityRequired", alice.tryCreate("ports", attrs("network_id", n.id(),
                "port_security_enabled", false, "allowed_address_pairs", List.of(Map.of("ip_address", "10.29.0.5")))));
        List<Map<String, Object>> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) eleven.add(Map.of("ip_address", "10.31.0." + i));
        expect(400, alice.tryCreate("ports", attrs("network_id", n.id(), "allowed_address_pairs", eleven)));
        // A network without port security gives its ports none by default.
        Map<String, Object> insecure = alice.create("networks", attrs("port_security_enabled", false));
        assertEquals(false, alice.port(insecure.get("id")).get("port_security_enabled"));
    }

    @Test
    void bindingHostIsForAdminOnly() {
        Net n = network(alice, "10.32.0.0/24");
        expectError(403, "PolicyNotAuthorized", alice.tryCreate("ports", attrs("network_id", n.id(), "binding:host_id", "compute-1")));
        Map<String, Object> p = alice.port(n.id());
        String id = (String) p.get("id");
        expectError(403, "PolicyNotAuthorized", alice.tryUpdate("ports", id, attrs("binding:host_id", "compute-1")));

        Map<String, Object> bound = admin.update("ports", id, attrs("binding:host_id", "compute-1"));
        assertEquals("compute-1", bound.get("binding:host_id"));
        assertEquals("tap", bound.get("binding:vif_type"));
        assertEquals("compute-1", alice.show("ports", id).get("binding:host_id"));
        // A bound port keeps its MAC: the host has already plugged it.
        expectError(409, "PortBound", alice.tryUpdate("ports", id, attrs("mac_address", "fa:16:3e:77:77:77")));

        Map<String, Object> direct = admin.create("ports", attrs("network_id", n.id(), "binding:host_id", "compute-2"));
        assertEquals("compute-2", direct.get("binding:host_id"));
        assertEquals("unbound", admin.update("ports", (String) direct.get("id"), attrs("binding:host_id", "")).get("binding:vif_type"));
    }

    @Test
    void deviceAttributes() {
        Net n = network(alice, "10.33.0.0/24");
        Map<String, Object> p = alice.create("ports", attrs("network_id", n.id(), "name", "vm-port", "description", "eth0",
                "device_id", "7d1f41b2-vm", "device_owner", "compute:nova", "admin_state_up", false));
        assertEquals("vm-port", p.get("name"));
        assertEquals("eth0", p.get("description"));
        assertEquals("7d1f41b2-vm", p.get("device_id"));
        assertEquals("compute:nova", p.get("device_owner"));
        assertEquals(false, p.get("admin_state_up"));
        String id = (String) p.get("id");
        assertEquals(List.of(id), alice.list("ports", "device_id=7d1f41b2-vm").stream().map(x -> x.get("id")).toList());

        Map<String, Object> u = alice.update("ports", id, attrs("device_id", "", "device_owner", ""));
        assertEquals("", u.get("device_id"));
        assertEquals("", u.get("device_owner"));
        assertEquals(2, u.get("revision_number"));
        assertEquals(p.get("fixed_ips"), u.get("fixed_ips"), "an update that does not name fixed_ips keeps them");
        assertEquals(p.get("mac_address"), u.get("mac_address"));
        expect(400, alice.tryUpdate("ports", id, attrs("network_id", n.id())));
        expect(400, alice.tryUpdate("ports", id, attrs("device_id", "x".repeat(256))));
        expect(400, alice.tryUpdate("ports", id, attrs("device_owner", 5)));
    }

    @Test
    void securityGroupsNeedPortSecurity() {
        Net n = network(alice, "10.34.0.0/24");
        String group = "4f0b6a2e-1c7d-4a8e-9b3f-2d5c6e7f8a90";
        expectError(409, "PortSecurityAndIPRequiredForSecurityGroups", alice.tryCreate("ports", attrs("network_id", n.id(),
                "port_security_enabled", false, "security_groups", List.of(group))));
        Map<String, Object> off = alice.create("ports", attrs("network_id", n.id(), "port_security_enabled", false));
        assertEquals(List.of(), off.get("security_groups"));
    }

    @Test
    void portsInUseKeepTheirSubnetAndNetwork() {
        Net n = network(alice, "10.35.0.0/24");
        Map<String, Object> p = alice.port(n.id());
        expectError(409, "NetworkInUse", alice.tryDelete("networks", n.id()));
        expectError(409, "SubnetInUse", alice.tryDelete("subnets", n.subnet()));
        alice.show("subnets", n.subnet());

        alice.delete("ports", (String) p.get("id"));
        expectError(404, "PortNotFound", alice.tryShow("ports", (String) p.get("id")));
        expectError(404, "PortNotFound", alice.tryDelete("ports", (String) p.get("id")));
        // DHCP ports belong to the network and go with it.
        admin.create("ports", attrs("network_id", n.id(), "device_owner", "network:dhcp"));
        alice.delete("networks", n.id());
        expectError(404, "SubnetNotFound", alice.tryShow("subnets", n.subnet()));
        assertEquals(List.of(), admin.list("ports", "network_id=" + n.id()));
    }

    @Test
    void updatedPortsAreReadBackTheSame() {
        Net n = network(alice, "10.36.0.0/24");
        Map<String, Object> p = alice.port(n.id());
        String id = (String) p.get("id");
        Map<String, Object> u = alice.update("ports", id, attrs("fixed_ips", List.of(fixedIp(n.subnet(), "10.36.0.50")), "name", "renamed"));
        assertEquals(List.of(Map.of("subnet_id", n.subnet(), "ip_address", "10.36.0.50")), u.get("fixed_ips"));
        assertNotEquals(p.get("fixed_ips"), u.get("fixed_ips"));
        assertEquals(u, alice.show("ports", id));
        // The old address is free again.
        String old = ipOn(p, n.subnet());
        assertEquals(old, ipOn(alice.create("ports", portWith(n, fixedIp(null, old))), n.subnet()));
    }
}
