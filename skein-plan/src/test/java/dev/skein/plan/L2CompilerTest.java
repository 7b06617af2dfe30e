package dev.skein.plan;

import dev.skein.model.FixedIp;
import dev.skein.model.NetworkType;
import dev.skein.model.Segment;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class L2CompilerTest {
    static final String NET_A = "0a1b2c3d-4e5f-4a6b-8c7d-0123456789ab";
    static final String NET_B = "9f8e7d6c-5b4a-4c3d-8e2f-fedcba987654";
    static final L2Intent.Host H1 = new L2Intent.Host("h1", "198.51.100.1", Map.of("physnet1", "eth1"));
    static final L2Intent.Host H2 = new L2Intent.Host("h2", "198.51.100.2", Map.of("physnet1", "eth1"));
    static final L2Intent.Host H3 = new L2Intent.Host("h3", "198.51.100.3", Map.of());

    static L2Intent.Network vxlan(String id, int vni) {
        return new L2Intent.Network(id, 1450, new Segment(NetworkType.VXLAN, null, vni));
    }

    static L2Intent.Port port(String id, String net, String host, String mac) {
        return new L2Intent.Port(id, net, host, mac, true);
    }

    static String portId(int n) { return String.format("%08x-1111-4222-8333-444455556666", n); }

    static String mac(int n) { return String.format("fa:16:3e:00:00:%02x", n); }

    static Uplink.Vxlan vxlanOf(L2Plan.Network n) { return assertInstanceOf(Uplink.Vxlan.class, n.uplink()); }

    @Test
    void hostWithoutBoundPortsGetsNothing() {
        var intent = new L2Intent(List.of(vxlan(NET_A, 100)),
                List.of(port(portId(1), NET_A, "h2", mac(1)), port(portId(2), NET_A, null, mac(2)), port(portId(3), NET_A, "", mac(3))),
                List.of(H1, H2));
        assertEquals(L2Plan.EMPTY, L2Compiler.compile(intent, "h1"));
        assertEquals(L2Plan.EMPTY, L2Compiler.compile(new L2Intent(List.of(), List.of(), List.of()), "h1"));
    }

    @Test
    void singleHostVxlanNetworkHasBridgeDeviceAndPlugButNoRemotes() {
        var intent = new L2Intent(List.of(vxlan(NET_A, 100)), List.of(port(portId(1), NET_A, "h1", mac(1))), List.of(H1, H2));
        L2Plan plan = L2Compiler.compile(intent, "h1");

        assertEquals(1, plan.networks().size());
        L2Plan.Network n = plan.networks().get(0);
        assertEquals(NET_A, n.networkId());
        assertEquals("skbr-0a1b2c3d4e", n.bridge());
        assertEquals(1450, n.mtu());
        assertTrue(n.realisable());
        assertEquals(new Uplink.Vxlan("skvx-0a1b2c3d4e", 100, "198.51.100.1", List.of(), List.of()), n.uplink());
        assertEquals(List.of(new L2Plan.Plug(portId(1), "tap00000001-11", mac(1), true)), n.plugs());
        assertEquals(List.of(), plan.problems());
    }

    @Test
    void everyHostFloodsToTheOtherHostsOfTheNetworkAndPinsTheirMacs() {
        var intent = new L2Intent(List.of(vxlan(NET_A, 100)), List.of(
                port(portId(1), NET_A, "h1", mac(1)),
                port(portId(2), NET_A, "h2", mac(2)),
                port(portId(3), NET_A, "h3", mac(3)),
                port(portId(4), NET_A, "h3", mac(4))), List.of(H1, H2, H3));

        var v1 = vxlanOf(L2Compiler.compile(intent, "h1").networks().get(0));
        assertEquals(List.of("198.51.100.2", "198.51.100.3"), v1.floodRemotes());
        assertEquals(List.of(new Uplink.RemoteMac(mac(2), "198.51.100.2"), new Uplink.RemoteMac(mac(3), "198.51.100.3"),
                new Uplink.RemoteMac(mac(4), "198.51.100.3")), v1.remoteMacs());

        L2Plan p3 = L2Compiler.compile(intent, "h3");
        var v3 = vxlanOf(p3.networks().get(0));
        assertEquals("198.51.100.3", v3.localIp());
        assertEquals(List.of("198.51.100.1", "198.51.100.2"), v3.floodRemotes());
        assertEquals(List.of(portId(3), portId(4)), p3.networks().get(0).plugs().stream().map(L2Plan.Plug::portId).toList());
    }

    @Test
    void remotesFollowPortsComingAndGoing() {
        var net = vxlan(NET_A, 100);
        var hosts = List.of(H1, H2, H3);
        var local = port(portId(1), NET_A, "h1", mac(1));
        var onH2 = port(portId(2), NET_A, "h2", mac(2));
        var onH3 = port(portId(3), NET_A, "h3", mac(3));

        var before = vxlanOf(L2Compiler.compile(new L2Intent(List.of(net), List.of(local, onH2), hosts), "h1").networks().get(0));
        assertEquals(List.of("198.51.100.2"), before.floodRemotes());

        var added = vxlanOf(L2Compiler.compile(new L2Intent(List.of(net), List.of(local, onH2, onH3), hosts), "h1").networks().get(0));
        assertEquals(List.of("198.51.100.2", "198.51.100.3"), added.floodRemotes());

        var removed = vxlanOf(L2Compiler.compile(new L2Intent(List.of(net), List.of(local, onH3), hosts), "h1").networks().get(0));
        assertEquals(List.of("198.51.100.3"), removed.floodRemotes());
        assertEquals(List.of(new Uplink.RemoteMac(mac(3), "198.51.100.3")), removed.remoteMacs());

        var unbound = new L2Intent.Port(portId(3), NET_A, null, mac(3), true);
        var gone = vxlanOf(L2Compiler.compile(new L2Intent(List.of(net), List.of(local, unbound), hosts), "h1").networks().get(0));
        assertEquals(List.of(), gone.floodRemotes());
        assertEquals(List.of(), gone.remoteMacs());

        var moved = new L2Intent.Port(portId(2), NET_A, "h3", mac(2), true);
        var migrated = vxlanOf(L2Compiler.compile(new L2Intent(List.of(net), List.of(local, moved), hosts), "h1").networks().get(0));
        assertEquals(List.of(new Uplink.RemoteMac(mac(2), "198.51.100.3")), migrated.remoteMacs());
    }

    @Test
    void lastLocalPortLeavingRemovesTheNetworkFromTheHost() {
        var intent = new L2Intent(List.of(vxlan(NET_A, 100)), List.of(port(portId(2), NET_A, "h2", mac(2))), List.of(H1, H2));
        assertEquals(L2Plan.EMPTY, L2Compiler.compile(intent, "h1"));
        assertEquals(1, L2Compiler.compile(intent, "h2").networks().size());
    }

    @Test
    void twoNetworksGetTwoBridgesAndTheirOwnRemotes() {
        // Both tenants may use the same CIDR and even the same addresses: nothing at L2 depends on it.
        var intent = new L2Intent(List.of(vxlan(NET_B, 200), vxlan(NET_A, 100)), List.of(
                port(portId(1), NET_A, "h1", mac(1)),
                port(portId(2), NET_B, "h1", mac(2)),
                port(portId(3), NET_A, "h2", mac(3)),
                port(portId(4), NET_B, "h3", mac(4))), List.of(H1, H2, H3));
        L2Plan plan = L2Compiler.compile(intent, "h1");

        assertEquals(List.of(NET_A, NET_B), plan.networks().stream().map(L2Plan.Network::networkId).toList());
        L2Plan.Network a = plan.networks().get(0), b = plan.networks().get(1);
        assertNotEquals(a.bridge(), b.bridge());
        assertEquals(100, vxlanOf(a).vni());
        assertEquals(200, vxlanOf(b).vni());
        assertEquals(List.of("198.51.100.2"), vxlanOf(a).floodRemotes());
        assertEquals(List.of("198.51.100.3"), vxlanOf(b).floodRemotes());
        assertEquals("tap00000001-11", a.plugs().get(0).tap());
        assertEquals("tap00000002-11", b.plugs().get(0).tap());
    }

    @Test
    void flatNetworkBridgesTheMappedInterface() {
        var flat = new L2Intent.Network(NET_A, 1500, new Segment(NetworkType.FLAT, "physnet1", null));
        var intent = new L2Intent(List.of(flat), List.of(port(portId(1), NET_A, "h1", mac(1)), port(portId(2), NET_A, "h3", mac(2))),
                List.of(H1, H2, H3));

        L2Plan.Network n = L2Compiler.compile(intent, "h1").networks().get(0);
        assertEquals(new Uplink.Flat("physnet1", "eth1"), n.uplink());
        assertEquals(1500, n.mtu());
        assertTrue(n.realisable());

        L2Plan.Network unmapped = L2Compiler.compile(intent, "h3").networks().get(0);
        assertInstanceOf(Uplink.Unavailable.class, unmapped.uplink());
        assertFalse(unmapped.realisable());
        assertTrue(unmapped.uplink().blocker().contains("physnet1"));
    }

    @Test
    void twoFlatNetworksCannotShareOneInterface() {
        var host = new L2Intent.Host("h1", null, Map.of("physnet1", "eth1", "physnet2", "eth1"));
        var intent = new L2Intent(List.of(
                new L2Intent.Network(NET_A, 1500, new Segment(NetworkType.FLAT, "physnet1", null)),
                new L2Intent.Network(NET_B, 1500, new Segment(NetworkType.FLAT, "physnet2", null))),
                List.of(port(portId(1), NET_A, "h1", mac(1)), port(portId(2), NET_B, "h1", mac(2))), List.of(host));
        L2Plan plan = L2Compiler.compile(intent, "h1");
        assertTrue(plan.networks().get(0).realisable());
        assertFalse(plan.networks().get(1).realisable());
        assertTrue(plan.networks().get(1).uplink().blocker().contains(NET_A));
    }

    @Test
    void vlanNetworkCompilesToASubInterfaceButIsNotRealisable() {
        var vlan = new L2Intent.Network(NET_A, 1500, new Segment(NetworkType.VLAN, "physnet1", 42));
        var intent = new L2Intent(List.of(vlan), List.of(port(portId(1), NET_A, "h1", mac(1))), List.of(H1));
        L2Plan.Network n = L2Compiler.compile(intent, "h1").networks().get(0);

        assertEquals(new Uplink.Vlan("physnet1", "eth1", 42, "skvl-0a1b2c3d4e"), n.uplink());
        assertEquals("skbr-0a1b2c3d4e", n.bridge());
        assertEquals(1, n.plugs().size());
        assertFalse(n.realisable());
        assertTrue(n.uplink().blocker().contains("802.1Q"));
    }

    @Test
    void vxlanNeedsALocalUnderlayAddressAndSkipsRemotesWithout() {
        var intent = new L2Intent(List.of(vxlan(NET_A, 100)), List.of(
                port(portId(1), NET_A, "h1", mac(1)),
                port(portId(2), NET_A, "h4", mac(2)),
                port(portId(3), NET_A, "unregistered", mac(3)),
                port(portId(4), NET_A, "h2", mac(4))),
                List.of(H1, H2, new L2Intent.Host("h4", null, Map.of())));

        var v = vxlanOf(L2Compiler.compile(intent, "h1").networks().get(0));
        assertEquals(List.of("198.51.100.2"), v.floodRemotes());

        L2Plan.Network onH4 = L2Compiler.compile(intent, "h4").networks().get(0);
        assertInstanceOf(Uplink.Unavailable.class, onH4.uplink());
        L2Plan.Network onUnknown = L2Compiler.compile(intent, "unregistered").networks().get(0);
        assertFalse(onUnknown.realisable());
    }

    @Test
    void adminDownPortIsPluggedDown() {
        var intent = new L2Intent(List.of(vxlan(NET_A, 100)), List.of(new L2Intent.Port(portId(1), NET_A, "h1", mac(1), false)),
                List.of(H1));
        assertFalse(L2Compiler.compile(intent, "h1").networks().get(0).plugs().get(0).up());
    }

    @Test
    void compilationIgnoresInputOrder() {
        List<L2Intent.Port> ports = new ArrayList<>();
        for (int i = 1; i <= 30; i++) ports.add(port(portId(i), i % 2 == 0 ? NET_A : NET_B, "h" + (1 + i % 3), mac(i)));
        var networks = new ArrayList<>(List.of(vxlan(NET_A, 100), vxlan(NET_B, 200)));
        var hosts = new ArrayList<>(List.of(H1, H2, H3));
        L2Plan reference = L2Compiler.compile(new L2Intent(networks, ports, hosts), "h1");

        Random random = new Random(7);
        for (int round = 0; round < 10; round++) {
            Collections.shuffle(ports, random);
            Collections.shuffle(networks, random);
            Collections.shuffle(hosts, random);
            assertEquals(reference, L2Compiler.compile(new L2Intent(networks, ports, hosts), "h1"));
        }
    }

    @Test
    void collidingInterfaceNamesAreReportedNotMerged() {
        String twin = portId(1).substring(0, 11) + "0-0000-000000000000";
        var intent = new L2Intent(List.of(vxlan(NET_A, 100)),
                List.of(port(portId(1), NET_A, "h1", mac(1)), port(twin, NET_A, "h1", mac(2))), List.of(H1));
        L2Plan plan = L2Compiler.compile(intent, "h1");
        assertEquals(1, plan.networks().get(0).plugs().size());
        assertEquals(1, plan.problems().size());

        String sameBridge = NET_A.substring(0, 12) + "ffff-ffff-ffffffffffff";
        var twoNets = new L2Intent(List.of(vxlan(NET_A, 100), vxlan(sameBridge, 101)),
                List.of(port(portId(1), NET_A, "h1", mac(1)), port(portId(2), sameBridge, "h1", mac(2))), List.of(H1));
        L2Plan p2 = L2Compiler.compile(twoNets, "h1");
        assertEquals(1, p2.networks().size());
        assertTrue(p2.problems().get(0).contains(NET_A));
    }

    @Test
    void hostAddressesAreCanonicalAndValidated() {
        assertEquals("2001:db8::1", new L2Intent.Host("h", "2001:DB8:0:0::0001", Map.of()).underlayIp());
        assertNull(new L2Intent.Host("h", null, Map.of()).underlayIp());
        assertThrows(IllegalArgumentException.class, () -> new L2Intent.Host("h", "198.51.100.1/24", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new L2Intent.Host("h", "not-an-ip\nlink del eth0", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new L2Intent.Host("h", null, Map.of("physnet1", "eth1 up")));
        assertThrows(IllegalArgumentException.class, () -> new L2Intent.Host("h", null, Map.of("physnet1", "a-very-long-interface")));
        var twice = new L2Intent(List.of(), List.of(), List.of(H1, new L2Intent.Host("h1", null, Map.of())));
        assertThrows(IllegalArgumentException.class, () -> L2Compiler.compile(twice, "h1"));
    }

    @Test
    void intentRecordsAreBuiltFromTheStoredResources() {
        Instant t = Instant.EPOCH;
        var network = new dev.skein.model.Network(NET_A, "p", "n", "", true, false, false, 1450, true, "ACTIVE",
                new Segment(NetworkType.VXLAN, null, 77), List.of(), t, t, 1);
        var port = new dev.skein.model.Port(portId(1), "p", NET_A, "", "", false, "FA:16:3E:00:00:01",
                List.of(new FixedIp("s", "192.0.2.10")), "vm", "compute:nova", "h1", "normal", List.of(), true,
                List.of(), "DOWN", List.of(), t, t, 1);
        assertEquals(new L2Intent.Network(NET_A, 1450, new Segment(NetworkType.VXLAN, null, 77)), L2Intent.Network.of(network));
        assertEquals(new L2Intent.Port(portId(1), NET_A, "h1", "fa:16:3e:00:00:01", false), L2Intent.Port.of(port));
    }
}
