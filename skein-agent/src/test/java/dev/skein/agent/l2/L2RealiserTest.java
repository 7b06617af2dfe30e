package dev.skein.agent.l2;

import dev.skein.agent.CommandRunner;
import dev.skein.agent.Iproute2;
import dev.skein.plan.L2Plan;
import dev.skein.plan.Uplink;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The diff and the batches it becomes, against JSON recorded from a real kernel (src/test/resources/l2). */
class L2RealiserTest {
    static final String NET_A = "0a1b2c3d-4e5f-4a6b-8c7d-0123456789ab";
    static final String NET_B = "9f8e7d6c-5b4a-4c3d-8e2f-fedcba987654";
    static final String BR_A = "skbr-0a1b2c3d4e";
    static final String VX_A = "skvx-0a1b2c3d4e";
    static final String ZERO = "00:00:00:00:00:00";

    static String portId(int n) { return String.format("%08x-1111-4222-8333-444455556666", n); }

    static L2Plan.Plug plug(int n) { return new L2Plan.Plug(portId(n), String.format("tap%08x-11", n), null, true); }

    /** The plan the "converged" recording realises. */
    static L2Plan.Network networkA(L2Plan.Plug... plugs) {
        return new L2Plan.Network(NET_A, BR_A, 1450,
                new Uplink.Vxlan(VX_A, 100, "198.51.100.1", List.of("198.51.100.2", "198.51.100.3"),
                        List.of(new Uplink.RemoteMac("fa:16:3e:00:00:03", "198.51.100.2"))),
                List.of(plugs));
    }

    static L2Plan plan(L2Plan.Network... networks) { return new L2Plan(List.of(networks), List.of()); }

    static ReconcileReport reconcile(RecordedRunner runner, L2Plan plan) {
        return new L2Realiser(runner, Iproute2.host()).reconcile(plan);
    }

    @Test
    void convergedHostGetsNoCommands() {
        RecordedRunner runner = RecordedRunner.of("converged");
        ReconcileReport report = reconcile(runner, plan(networkA(plug(1))));

        assertEquals(List.of(), report.actions());
        assertFalse(report.changed());
        assertEquals(List.of(), runner.batches());
        assertEquals(2, runner.calls.size());
        assertEquals(List.of(portId(1)), report.pluggedPorts());
        assertTrue(report.succeeded());
    }

    @Test
    void realisingAConvergedHostReusesTheLinksItReadForTheDiff() {
        RecordedRunner runner = RecordedRunner.of("converged");
        L2Realiser.Realised realised = new L2Realiser(runner, Iproute2.host()).realise(plan(networkA(plug(1))), List.of());

        assertFalse(realised.report().changed());
        assertEquals(1, runner.calls.stream().filter(c -> c.argv().contains("link")).count());
        assertEquals(BR_A, realised.links().links().get("tap00000001-11").master());
    }

    @Test
    void realisingReadsTheLinksAgainAfterAnIpBatch() {
        RecordedRunner runner = RecordedRunner.of("drifted");
        L2Realiser.Realised realised = new L2Realiser(runner, Iproute2.host()).realise(plan(networkA(plug(1))), List.of());

        assertTrue(realised.report().changed());
        List<RecordedRunner.Call> calls = runner.calls;
        assertEquals(2, calls.stream().filter(c -> c.argv().contains("link") && !c.argv().contains("-batch")).count());
        int ipBatch = calls.indexOf(runner.batches().get(0));
        assertTrue(calls.subList(ipBatch + 1, calls.size()).stream().anyMatch(c -> c.argv().contains("link") && !c.argv().contains("-batch")),
                "the links are read back after the ip batch changed them");
    }

    @Test
    void pluggingATapIsTakenAsDoneOnceTheKernelAcceptsIt() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ArrayNode links = (ArrayNode) json.readTree(RecordedRunner.resource("converged-links.json"));
        ObjectNode tap = null;
        for (JsonNode l : links) if (l.path("ifname").asText().equals("tap00000001-11")) tap = (ObjectNode) l;
        String plugged = json.writeValueAsString(json.createArrayNode().add(tap.deepCopy()));
        tap.remove("master");
        String unplugged = json.writeValueAsString(links);
        List<List<String>> calls = new ArrayList<>();
        CommandRunner kernel = (argv, stdin) -> {
            calls.add(argv);
            if (argv.contains("-batch")) return new CommandRunner.Result(0, "", "");
            if (argv.contains("fdb")) return new CommandRunner.Result(0, RecordedRunner.resource("converged-fdb.json"), "");
            return new CommandRunner.Result(0, argv.contains("dev") ? plugged : unplugged, "");
        };

        L2Realiser.Realised realised = new L2Realiser(kernel, Iproute2.host()).realise(plan(networkA(plug(1))), List.of());

        assertEquals(List.of("link set tap00000001-11 master " + BR_A),
                realised.report().actions().stream().map(Action::command).toList());
        assertEquals(List.of("ip", "-force", "-batch", "-"), calls.getLast(), "nothing is read back after the batch");
        assertEquals(1, calls.stream().filter(a -> a.contains("link") && !a.contains("-batch")).count());
        assertEquals(BR_A, realised.links().links().get("tap00000001-11").master());
        assertEquals(links.size(), realised.links().links().size());
    }

    @Test
    void aTapThatVanishesWhileItIsReleasedIsNoFailure() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ArrayNode links = (ArrayNode) json.readTree(RecordedRunner.resource("converged-links.json"));
        String withTap = json.writeValueAsString(links);
        for (int i = 0; i < links.size(); i++) if (links.get(i).path("ifname").asText().equals("tap00000001-11")) links.remove(i);
        String withoutTap = json.writeValueAsString(links);
        List<String> batches = new ArrayList<>();
        CommandRunner kernel = (argv, stdin) -> {
            if (argv.contains("-batch")) {
                batches.add(stdin.strip());
                return new CommandRunner.Result(1, "", "Cannot find device \"tap00000001-11\"\nCommand failed -:1");
            }
            if (argv.contains("fdb")) return new CommandRunner.Result(0, RecordedRunner.resource("converged-fdb.json"), "");
            return new CommandRunner.Result(0, batches.isEmpty() ? withTap : withoutTap, "");
        };

        ReconcileReport report = new L2Realiser(kernel, Iproute2.host()).reconcile(plan(networkA()));

        assertEquals(List.of("link set tap00000001-11 nomaster"), batches, "the port left the plan, so its tap leaves the bridge");
        assertTrue(report.succeeded(), "the tap is gone, which leaves the kernel as the plan wants it: " + report.errors());
    }

    @Test
    void betweenFullReadsOnlyNamedDevicesAndWhatThePlanChangedAreReadAgain() {
        RecordedRunner runner = RecordedRunner.of("converged");
        L2Realiser realiser = new L2Realiser(runner, Iproute2.host());
        realiser.realise(plan(networkA(plug(1))), List.of());
        assertEquals(2, runner.calls.size(), "the first pass reads every link and the FDB");

        runner.calls.clear();
        L2Realiser.Realised again = realiser.realise(plan(networkA(plug(1))), List.of("tap00000001-11"));
        assertEquals(List.of(List.of("ip", "-j", "-d", "link", "show", "dev", "tap00000001-11")), runner.calls.stream().map(RecordedRunner.Call::argv).toList());
        assertFalse(again.report().changed());
        assertEquals(BR_A, again.links().links().get("tap00000001-11").master());

        runner.calls.clear();
        L2Realiser.Realised added = realiser.realise(plan(networkA(plug(1), plug(2))), List.of());
        assertEquals(List.of(), runner.calls, "no link event named the new port's tap since the read: it does not exist");
        assertEquals(List.of(portId(2)), added.report().waitingPorts());

        realiser.changed("tap00000003-11");
        realiser.changed("vnet9");
        realiser.realise(plan(networkA(plug(1), plug(2), plug(3))), List.of());
        assertEquals(List.of(List.of("ip", "-j", "-d", "link", "show", "dev", "tap00000003-11")), runner.calls.stream().map(RecordedRunner.Call::argv).toList(),
                "a tap that changed before its port was planned is read once it is");

        runner.calls.clear();
        L2Plan.Network moreRemotes = new L2Plan.Network(NET_A, BR_A, 1450, new Uplink.Vxlan(VX_A, 100, "198.51.100.1",
                List.of("198.51.100.2", "198.51.100.3", "198.51.100.4"), List.of(new Uplink.RemoteMac("fa:16:3e:00:00:03", "198.51.100.2"))),
                List.of(plug(1), plug(2)));
        L2Realiser.Realised remotes = realiser.realise(plan(moreRemotes), List.of());
        assertEquals(List.of("fdb append " + ZERO + " dev " + VX_A + " dst 198.51.100.4"), runner.batchLines("bridge"));
        assertEquals(1, runner.calls.size(), "the batch, and no read");
        assertTrue(remotes.links().fdb().contains(new KernelL2State.FdbEntry(VX_A, ZERO, "198.51.100.4")));

        runner.calls.clear();
        realiser.realise(plan(moreRemotes), List.of());
        assertEquals(List.of(), runner.calls, "the state the batch left is what the next pass starts from");
    }

    @Test
    void afterAFailedBatchOrForgettingEverythingIsReadAgain() {
        RecordedRunner failing = new RecordedRunner(RecordedRunner.resource("drifted-links.json"), RecordedRunner.resource("drifted-fdb.json"),
                new CommandRunner.Result(1, "", "Error: Device does not exist."));
        L2Realiser realiser = new L2Realiser(failing, Iproute2.host());
        assertFalse(realiser.realise(plan(networkA(plug(1))), List.of()).report().succeeded());
        failing.calls.clear();
        realiser.realise(plan(networkA(plug(1))), List.of());
        assertTrue(failing.calls.stream().anyMatch(c -> c.argv().equals(List.of("ip", "-j", "-d", "link", "show"))));

        RecordedRunner runner = RecordedRunner.of("converged");
        L2Realiser converged = new L2Realiser(runner, Iproute2.host());
        converged.realise(plan(networkA(plug(1))), List.of());
        converged.forget();
        runner.calls.clear();
        converged.realise(plan(networkA(plug(1))), List.of());
        assertEquals(2, runner.calls.size());
    }

    @Test
    void driftIsRepairedWithOneBatchPerTool() {
        RecordedRunner runner = RecordedRunner.of("drifted");
        ReconcileReport report = reconcile(runner, plan(networkA(plug(1))));

        assertEquals(List.of(
                "link del skbr-deadbeef00",
                "link del skvx-deadbeef00",
                "link set " + BR_A + " mtu 1450",
                "link set tap00000001-11 master " + BR_A + " up",
                "link set tap00000002-11 nomaster"), runner.batchLines("ip"));
        assertEquals(List.of(
                "fdb del " + ZERO + " dev " + VX_A + " dst 198.51.100.9",
                "fdb del fa:16:3e:00:00:77 dev " + VX_A + " dst 198.51.100.2",
                "fdb append " + ZERO + " dev " + VX_A + " dst 198.51.100.3",
                "fdb replace fa:16:3e:00:00:03 dev " + VX_A + " dst 198.51.100.2"), runner.batchLines("bridge"));
        assertEquals(2, runner.batches().size());
        assertEquals(List.of("ip", "-force", "-batch", "-"), runner.batches().get(0).argv());
        assertEquals(9, report.actions().size());
        assertTrue(report.actions().stream().allMatch(a -> !a.reason().isBlank()));
    }

    @Test
    void vxlanDeviceWithWrongVniIsRecreatedWithItsRemotes() {
        RecordedRunner runner = RecordedRunner.of("wrongvni");
        L2Plan.Network b = new L2Plan.Network(NET_B, "skbr-9f8e7d6c5b", 1450,
                new Uplink.Vxlan("skvx-9f8e7d6c5b", 200, "198.51.100.1", List.of("198.51.100.2"), List.of()), List.of(plug(4)));
        reconcile(runner, plan(networkA(plug(1)), b));

        List<String> ip = runner.batchLines("ip");
        assertEquals("link del skvx-9f8e7d6c5b", ip.get(0));
        assertTrue(ip.contains("link add skvx-9f8e7d6c5b mtu 1450 type vxlan id 200 local 198.51.100.1 dstport 4789 nolearning"));
        assertTrue(ip.indexOf("link set skvx-9f8e7d6c5b master skbr-9f8e7d6c5b up")
                > ip.indexOf("link add skvx-9f8e7d6c5b mtu 1450 type vxlan id 200 local 198.51.100.1 dstport 4789 nolearning"));
        assertFalse(ip.stream().anyMatch(l -> l.startsWith("link set tap00000004-11")), "the tap stays in its bridge");
        assertTrue(runner.batchLines("bridge").contains("fdb append " + ZERO + " dev skvx-9f8e7d6c5b dst 198.51.100.2"));
    }

    @Test
    void emptyPlanDeletesOnlySkeinDevices() {
        RecordedRunner runner = RecordedRunner.of("wrongvni");
        reconcile(runner, L2Plan.EMPTY);

        assertEquals(List.of("link del skbr-0a1b2c3d4e", "link del skbr-9f8e7d6c5b", "link del skbr-deadbeef00",
                "link del skvx-0a1b2c3d4e", "link del skvx-9f8e7d6c5b", "link del skvx-deadbeef00"), runner.batchLines("ip"));
        assertEquals(List.of(), runner.batchLines("bridge"));
    }

    @Test
    void recreatedBridgeGetsItsPortsBack() {
        String links = RecordedRunner.resource("converged-links.json").replace("\"info_kind\":\"bridge\"", "\"info_kind\":\"macvlan\"");
        RecordedRunner runner = new RecordedRunner(links, RecordedRunner.resource("converged-fdb.json"), new CommandRunner.Result(0, "", ""));
        reconcile(runner, plan(networkA(plug(1))));

        assertEquals(List.of(
                "link del " + BR_A,
                "link add " + BR_A + " mtu 1450 type bridge",
                "link set " + BR_A + " up",
                "link set " + VX_A + " master " + BR_A,
                "link set tap00000001-11 master " + BR_A), runner.batchLines("ip"));
    }

    @Test
    void missingDevicesAreCreatedAndMissingTapsAwaited() {
        RecordedRunner runner = new RecordedRunner("[]", "[]", new CommandRunner.Result(0, "", ""));
        ReconcileReport report = reconcile(runner, plan(networkA(plug(5))));

        assertEquals(List.of(
                "link add " + BR_A + " mtu 1450 type bridge",
                "link add " + VX_A + " mtu 1450 type vxlan id 100 local 198.51.100.1 dstport 4789 nolearning",
                "link set " + BR_A + " up",
                "link set " + VX_A + " master " + BR_A + " up"), runner.batchLines("ip"));
        assertEquals(List.of(
                "fdb append " + ZERO + " dev " + VX_A + " dst 198.51.100.2",
                "fdb append " + ZERO + " dev " + VX_A + " dst 198.51.100.3",
                "fdb replace fa:16:3e:00:00:03 dev " + VX_A + " dst 198.51.100.2"), runner.batchLines("bridge"));
        assertEquals(List.of(portId(5)), report.waitingPorts());
        assertEquals(List.of(), report.pluggedPorts());
    }

    @Test
    void adminDownPortIsPluggedButSetDown() {
        RecordedRunner runner = RecordedRunner.of("converged");
        reconcile(runner, plan(networkA(new L2Plan.Plug(portId(1), "tap00000001-11", null, false))));
        assertEquals(List.of("link set tap00000001-11 down"), runner.batchLines("ip"));
    }

    @Test
    void flatNetworkEnslavesOnlyAFreeInterface() {
        L2Plan.Network onUl = new L2Plan.Network(NET_A, BR_A, 1450, new Uplink.Flat("physnet1", "ul"), List.of(plug(1)));
        RecordedRunner free = RecordedRunner.of("converged");
        reconcile(free, plan(onUl));
        assertEquals(List.of("link del " + VX_A, "link set ul master " + BR_A), free.batchLines("ip"));

        L2Plan.Network onEth8 = new L2Plan.Network(NET_A, BR_A, 1450, new Uplink.Flat("physnet1", "eth8"), List.of(plug(1)));
        RecordedRunner taken = RecordedRunner.of("converged");
        ReconcileReport report = reconcile(taken, plan(onEth8));
        assertEquals(List.of("link del " + VX_A), taken.batchLines("ip"));
        assertTrue(report.notes().get(0).contains("br-ops"), report.notes().toString());

        L2Plan.Network missing = new L2Plan.Network(NET_A, BR_A, 1450, new Uplink.Flat("physnet1", "eth7"), List.of(plug(1)));
        ReconcileReport absent = reconcile(RecordedRunner.of("converged"), plan(missing));
        assertTrue(absent.notes().get(0).contains("eth7 for physical network physnet1 does not exist"));
    }

    @Test
    void unrealisableNetworksAreReportedNotBuilt() {
        L2Plan.Network vlan = new L2Plan.Network(NET_B, "skbr-9f8e7d6c5b", 1500,
                new Uplink.Vlan("physnet1", "eth1", 42, "skvl-9f8e7d6c5b"), List.of(plug(4)));
        RecordedRunner runner = RecordedRunner.of("converged");
        ReconcileReport report = reconcile(runner, new L2Plan(List.of(networkA(plug(1)), vlan), List.of("port x left out")));

        assertEquals(List.of(), runner.batches());
        assertEquals(List.of("plan: port x left out", "network " + NET_B + " not realised: 802.1Q VLAN devices do not exist in this kernel"),
                report.notes());
    }

    @Test
    void failedBatchIsReportedAsAnError() {
        RecordedRunner runner = new RecordedRunner("[]", "[]", new CommandRunner.Result(1, "", "Error: Unknown device type.\nCommand failed -:2"));
        ReconcileReport report = reconcile(runner, plan(networkA()));
        assertFalse(report.succeeded());
        assertEquals(2, report.errors().size());
        assertTrue(report.errors().get(0).startsWith("ip batch exited 1: Error: Unknown device type."));
    }

    @Test
    void devicesWithUnsafeNamesAreNeverWrittenIntoABatch() {
        var state = new KernelL2State(Map.of(
                BR_A, new KernelL2State.Link(BR_A, "bridge", null, 1450, true, null),
                "odd name", new KernelL2State.Link("odd name", "veth", BR_A, 1500, true, null)), List.of());
        L2Diff.Result diff = L2Diff.compute(plan(new L2Plan.Network(NET_A, BR_A, 1450, new Uplink.Flat("p", "ul"), List.of())), state);
        assertTrue(diff.actions().stream().noneMatch(a -> a.command().contains("odd")), diff.actions().toString());
    }

    @Test
    void namespaceIsPassedToEveryCommand() {
        RecordedRunner runner = RecordedRunner.of("drifted");
        new L2Realiser(runner, new Iproute2("skt-h1")).reconcile(plan(networkA(plug(1))));
        assertEquals(6, runner.calls.size(), "the read, the two batches, and the read-back the next pass starts from");
        assertTrue(runner.calls.stream().allMatch(c -> c.argv().subList(1, 3).equals(List.of("-n", "skt-h1"))));
    }

    @Test
    void recordedStateIsParsed() {
        KernelL2State s = KernelL2State.parse(RecordedRunner.resource("converged-links.json"), RecordedRunner.resource("converged-fdb.json"));
        assertEquals(new KernelL2State.VxlanInfo(100, "198.51.100.1", 4789, false), s.links().get(VX_A).vxlan());
        assertEquals(BR_A, s.links().get("tap00000001-11").master());
        assertEquals(1450, s.links().get("tap00000001-11").mtu());
        assertTrue(s.links().get(BR_A).up());
        assertEquals("bridge", s.links().get(BR_A).kind());
        assertEquals(3, s.fdb().stream().filter(e -> e.device().equals(VX_A) && e.dst() != null).count());
        assertTrue(s.fdb().stream().noneMatch(e -> e.device().equals(BR_A) && e.dst() != null));
        assertEquals("2001:db8::1", KernelL2State.parse(
                "[{\"ifname\":\"v\",\"flags\":[],\"mtu\":1500,\"linkinfo\":{\"info_kind\":\"vxlan\",\"info_data\":{\"id\":9,\"local6\":\"2001:db8::1\",\"port\":4789,\"learning\":false}}}]",
                "").links().get("v").vxlan().local());
    }
}
