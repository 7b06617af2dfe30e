package dev.skein.agent.l2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skein.agent.CommandRunner;
import dev.skein.agent.Iproute2;
import dev.skein.agent.Lab;
import dev.skein.model.NetworkType;
import dev.skein.model.Segment;
import dev.skein.plan.DeviceNames;
import dev.skein.plan.L2Compiler;
import dev.skein.plan.L2Intent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real packets through realised L2 plans: two hosts are namespaces joined by a veth underlay, VMs are
 * namespaces whose veth host end carries the port's tap name. Needs root; every namespace is deleted after
 * each test, pass or fail.
 */
class L2DataplaneTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String NET_A = "aaaaaaaa-0000-4000-8000-000000000001";
    static final String NET_B = "bbbbbbbb-0000-4000-8000-000000000002";
    static final String A1 = "a1a1a1a1-0000-4000-8000-000000000001", A2 = "a2a2a2a2-0000-4000-8000-000000000002";
    static final String B1 = "b1b1b1b1-0000-4000-8000-000000000001", B2 = "b2b2b2b2-0000-4000-8000-000000000002";
    static final String B3 = "b3b3b3b3-0000-4000-8000-000000000003";
    static final String IP_H1 = "198.51.100.1", IP_H2 = "198.51.100.2";

    Lab lab;
    String h1, h2;
    /** Every command the realisers ran, to tell reads from changes. */
    final List<List<String>> commands = new CopyOnWriteArrayList<>();
    final Map<String, String> vmOfPort = new HashMap<>();

    @BeforeEach
    void hosts() {
        assertTrue(Lab.available(), "data-plane tests need root and iproute2 (CI runs them as root)");
        assertTrue(Lab.hasPing(), "data-plane tests need ping (Debian package iputils-ping)");
        lab = new Lab();
        h1 = lab.netns("h1");
        h2 = lab.netns("h2");
        lab.cable(h1, IP_H1 + "/24", h2, IP_H2 + "/24", "ul");
    }

    @AfterEach
    void cleanUp() {
        if (lab != null) lab.close();
    }

    static String mac(String portId) { return "fa:16:3e:" + portId.substring(0, 2) + ":00:" + portId.substring(34, 36); }

    static L2Intent.Port port(String id, String net, String host) { return new L2Intent.Port(id, net, host, mac(id), true); }

    static L2Intent.Network vxlan(String id, int vni) { return new L2Intent.Network(id, 1500, new Segment(NetworkType.VXLAN, null, vni)); }

    static L2Intent intent(List<L2Intent.Network> networks, L2Intent.Port... ports) {
        return new L2Intent(networks, List.of(ports), List.of(
                new L2Intent.Host("h1", IP_H1, Map.of("physnet1", "phys")), new L2Intent.Host("h2", IP_H2, Map.of("physnet1", "phys"))));
    }

    void vm(String portId, String hostNs, String cidr) {
        vmOfPort.put(portId, lab.vm("vm-" + portId.substring(0, 2), hostNs, DeviceNames.tap(portId), mac(portId), cidr));
    }

    String vmOf(String portId) { return vmOfPort.get(portId); }

    L2Realiser realiser(String ns) {
        CommandRunner recording = (argv, stdin) -> {
            commands.add(argv);
            return Lab.SHELL.run(argv, stdin);
        };
        return new L2Realiser(recording, new Iproute2(ns));
    }

    ReconcileReport realise(L2Intent intent, String host, String ns) {
        ReconcileReport report = realiser(ns).reconcile(L2Compiler.compile(intent, host));
        assertTrue(report.succeeded(), report.errors().toString());
        return report;
    }

    void realiseBoth(L2Intent intent) {
        realise(intent, "h1", h1);
        realise(intent, "h2", h2);
    }

    /** The VXLAN FDB entries of a device as "mac dst". */
    List<String> remotes(String ns, String device) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode e : JSON.readTree(lab.run("bridge", "-n", ns, "-j", "fdb", "show", "dev", device))) {
            if (e.hasNonNull("dst")) out.add(e.get("mac").asText() + " " + e.get("dst").asText());
        }
        return out.stream().sorted().toList();
    }

    String neighbourMac(String vmNs, String address) throws Exception {
        JsonNode n = JSON.readTree(lab.run("ip", "-n", vmNs, "-j", "neigh", "show", address, "dev", "eth0"));
        return n.path(0).path("lladdr").asText();
    }

    @Test
    void vmsReachEachOtherAcrossHostsWhileSameCidrNetworksStayIsolated() throws Exception {
        vm(A1, h1, "192.0.2.10/24");
        vm(A2, h2, "192.0.2.11/24");
        vm(B1, h1, "192.0.2.10/24");
        vm(B2, h2, "192.0.2.11/24");
        vm(B3, h2, "192.0.2.12/24");
        L2Intent intent = intent(List.of(vxlan(NET_A, 100), vxlan(NET_B, 200)),
                port(A1, NET_A, "h1"), port(A2, NET_A, "h2"), port(B1, NET_B, "h1"), port(B2, NET_B, "h2"), port(B3, NET_B, "h2"));
        ReconcileReport onH1 = realise(intent, "h1", h1);
        realise(intent, "h2", h2);
        assertEquals(List.of(A1, B1), onH1.pluggedPorts());

        assertTrue(lab.reaches(vmOf(A1), "192.0.2.11"), "A1 -> A2 across the overlay");
        assertEquals(mac(A2), neighbourMac(vmOf(A1), "192.0.2.11"));
        assertTrue(lab.reaches(vmOf(B1), "192.0.2.11"), "B1 -> B2 across the overlay");
        assertEquals(mac(B2), neighbourMac(vmOf(B1), "192.0.2.11"));
        assertTrue(lab.reaches(vmOf(A1), "192.0.2.11", "-M", "do", "-s", "1472"), "a full 1500-byte frame crosses");
        assertFalse(lab.ping(vmOf(A1), "192.0.2.12"), "B3 is on the other network");
        assertTrue(lab.reaches(vmOf(B3), "192.0.2.10"), "B3 -> B1 on the same host pair");
        assertEquals(mac(B1), neighbourMac(vmOf(B3), "192.0.2.10"), "192.0.2.10 on network B is B1, never A1");
    }

    @Test
    void floodRemoteFollowsThePortsOfTheNetwork() throws Exception {
        vm(A1, h1, "192.0.2.10/24");
        vm(A2, h2, "192.0.2.11/24");
        L2Intent both = intent(List.of(vxlan(NET_A, 100)), port(A1, NET_A, "h1"), port(A2, NET_A, "h2"));
        realiseBoth(both);
        String vx = DeviceNames.vxlan(NET_A);
        assertEquals(List.of("00:00:00:00:00:00 " + IP_H2, mac(A2) + " " + IP_H2), remotes(h1, vx));
        assertTrue(lab.reaches(vmOf(A1), "192.0.2.11"));

        L2Intent unbound = intent(List.of(vxlan(NET_A, 100)), port(A1, NET_A, "h1"), new L2Intent.Port(A2, NET_A, null, mac(A2), true));
        realiseBoth(unbound);
        assertEquals(List.of(), remotes(h1, vx));
        assertFalse(lab.run("ip", "-n", h2, "-br", "link", "show").contains(DeviceNames.bridge(NET_A)), "h2 has no port on A any more");
        assertFalse(lab.ping(vmOf(A1), "192.0.2.11"));

        realiseBoth(both);
        assertEquals(List.of("00:00:00:00:00:00 " + IP_H2, mac(A2) + " " + IP_H2), remotes(h1, vx));
        assertTrue(lab.reaches(vmOf(A1), "192.0.2.11"), "the port came back");
    }

    @Test
    void handMadeDriftIsRepairedOnTheNextReconcile() throws Exception {
        vm(A1, h1, "192.0.2.10/24");
        vm(A2, h2, "192.0.2.11/24");
        L2Intent intent = intent(List.of(vxlan(NET_A, 100)), port(A1, NET_A, "h1"), port(A2, NET_A, "h2"));
        realiseBoth(intent);
        assertTrue(lab.reaches(vmOf(A1), "192.0.2.11"));
        String tap = DeviceNames.tap(A1);

        lab.run("ip", "-n", h1, "link", "set", tap, "nomaster");
        assertFalse(lab.ping(vmOf(A1), "192.0.2.11"));
        ReconcileReport repaired = realise(intent, "h1", h1);
        assertEquals(List.of("link set " + tap + " master " + DeviceNames.bridge(NET_A)),
                repaired.actions().stream().map(Action::command).toList());
        assertTrue(lab.reaches(vmOf(A1), "192.0.2.11"), "re-enslaved tap forwards again");

        lab.run("ip", "-n", h1, "link", "del", DeviceNames.vxlan(NET_A));
        assertFalse(lab.ping(vmOf(A1), "192.0.2.11"));
        realise(intent, "h1", h1);
        assertEquals(List.of("00:00:00:00:00:00 " + IP_H2, mac(A2) + " " + IP_H2), remotes(h1, DeviceNames.vxlan(NET_A)));
        assertTrue(lab.reaches(vmOf(A1), "192.0.2.11"), "recreated VXLAN device carries traffic");
    }

    @Test
    void reconcilingARealisedHostIssuesNoCommands() {
        vm(A1, h1, "192.0.2.10/24");
        L2Intent intent = intent(List.of(vxlan(NET_A, 100), vxlan(NET_B, 200)),
                port(A1, NET_A, "h1"), port(A2, NET_A, "h2"), port(B1, NET_B, "h1"), port(B2, NET_B, "h2"));
        ReconcileReport first = realise(intent, "h1", h1);
        assertTrue(first.changed());
        assertEquals(List.of(B1), first.waitingPorts());

        commands.clear();
        ReconcileReport second = realise(intent, "h1", h1);
        assertEquals(List.of(), second.actions());
        assertEquals(2, commands.size(), "only the two reads: " + commands);
        assertTrue(commands.stream().noneMatch(c -> c.contains("-batch")));

        vm(B1, h1, "192.0.2.10/24");
        ReconcileReport plugged = realise(intent, "h1", h1);
        assertEquals(List.of(A1, B1), plugged.pluggedPorts());
        assertEquals(List.of(), plugged.waitingPorts());
    }

    @Test
    void flatNetworkIsBridgedOntoThePhysicalInterface() {
        lab.cable(h1, null, h2, null, "phys");
        vm(A1, h1, "192.0.2.10/24");
        vm(A2, h2, "192.0.2.11/24");
        L2Intent intent = intent(List.of(new L2Intent.Network(NET_A, 1500, new Segment(NetworkType.FLAT, "physnet1", null))),
                port(A1, NET_A, "h1"), port(A2, NET_A, "h2"));
        realiseBoth(intent);

        assertTrue(lab.reaches(vmOf(A1), "192.0.2.11"), "A1 -> A2 over the physical network");
        String br = DeviceNames.bridge(NET_A);
        assertTrue(lab.run("ip", "-n", h1, "-br", "link", "show", "master", br).contains("phys"));
        assertTrue(lab.run("ip", "-n", h1, "-br", "addr", "show", "ul").contains(IP_H1), "the underlay is left alone");
        assertFalse(lab.run("ip", "-n", h1, "-d", "link", "show", "ul").contains("master"));
        assertEquals(List.of(), realise(intent, "h1", h1).actions(), "the bridge's MTU does not flap with its ports'");
    }
}
