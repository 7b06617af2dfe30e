package dev.skein.agent.host;

import dev.skein.agent.host.KernelEvents.LinkChange;
import dev.skein.agent.metadata.UnservedMetadata;
import dev.skein.bus.Bus;
import dev.skein.bus.InProcessBus;
import dev.skein.bus.PlanCodec;
import dev.skein.model.NetworkType;
import dev.skein.model.Segment;
import dev.skein.plan.DeviceNames;
import dev.skein.plan.HostPlan;
import dev.skein.plan.L2Compiler;
import dev.skein.plan.L2Intent;
import dev.skein.plan.PlanDelta;
import dev.skein.plan.fw.FirewallCompiler;
import dev.skein.plan.fw.FirewallIntent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The agent's whole loop against a fake controller, an in-process bus and a fake kernel. */
class HostAgentTest {
    static final String NET = "aaaaaaaa-0000-4000-8000-000000000001";
    static final String P1 = "a1a1a1a1-0000-4000-8000-000000000001", P2 = "a2a2a2a2-0000-4000-8000-000000000002";
    static final String P3 = "a3a3a3a3-0000-4000-8000-000000000003";
    static final List<L2Intent.Host> HOSTS = List.of(new L2Intent.Host("h1", "198.51.100.1", Map.of()),
            new L2Intent.Host("h2", "198.51.100.2", Map.of()));

    /** The controller as the agent sees it; plans are compiled from an intent the test changes. */
    static final class FakeController implements ControllerClient {
        record Report(long revision, Map<String, String> statuses) {}

        volatile L2Intent intent = new L2Intent(List.of(), List.of(), HOSTS);
        volatile long revision = 1;
        volatile boolean knowsAgent = true;
        volatile boolean down;
        final AtomicInteger registrations = new AtomicInteger();
        final AtomicInteger fetches = new AtomicInteger();
        final AtomicInteger heartbeats = new AtomicInteger();
        final AtomicInteger failedHeartbeats = new AtomicInteger();
        final List<Report> reports = new CopyOnWriteArrayList<>();

        HostPlan plan() { return new HostPlan("h1", revision, L2Compiler.compile(intent, "h1")); }

        @Override
        public String register(Registration r) {
            assertEquals("h1", r.host());
            assertEquals("198.51.100.1", r.localIp());
            registrations.incrementAndGet();
            knowsAgent = true;
            return "agent-1";
        }

        @Override
        public boolean heartbeat(String agentId) {
            if (down) {
                failedHeartbeats.incrementAndGet();
                throw new java.io.UncheckedIOException(new java.io.IOException("connection refused"));
            }
            heartbeats.incrementAndGet();
            return knowsAgent;
        }

        @Override
        public HostPlan fetchPlan(String host) {
            fetches.incrementAndGet();
            return plan();
        }

        @Override
        public void reportStatus(String host, long realisedRevision, Map<String, String> portStatuses) {
            reports.add(new Report(realisedRevision, Map.copyOf(portStatuses)));
        }

        /** The status of each port as the sum of all reports so far, and the last realised revision. */
        Map<String, String> statuses() {
            Map<String, String> out = new java.util.TreeMap<>();
            reports.forEach(r -> out.putAll(r.statuses()));
            return out;
        }

        long realised() { return reports.isEmpty() ? -1 : reports.get(reports.size() - 1).revision(); }
    }

    /** Link events fired by the test, as the link monitor would fire them. */
    static final class ManualEvents implements KernelEvents {
        volatile Consumer<LinkChange> onChange = c -> {};

        @Override public void start(Consumer<LinkChange> c) { onChange = c; }

        @Override public void close() {}

        /** A change the monitor could not attribute to one device. */
        void fire() { onChange.accept(LinkChange.ANY); }

        void fire(String device) { onChange.accept(new LinkChange(device)); }

        void fire(LinkChange change) { onChange.accept(change); }
    }

    FakeController controller;
    FakeKernel kernel;
    ManualEvents events;
    Bus bus;
    HostAgent agent;

    static L2Intent.Port port(String id, String host) {
        return new L2Intent.Port(id, NET, host, "fa:16:3e:00:00:" + id.substring(0, 2), true);
    }

    static L2Intent intent(L2Intent.Port... ports) {
        return new L2Intent(List.of(new L2Intent.Network(NET, 1450, new Segment(NetworkType.VXLAN, null, 100))), List.of(ports), HOSTS);
    }

    @BeforeEach
    void start() {
        controller = new FakeController();
        controller.intent = intent(port(P1, "h1"), port(P2, "h2"));
        kernel = new FakeKernel();
        events = new ManualEvents();
        bus = new InProcessBus();
        agent = new HostAgent(new AgentSettings("h1", "198.51.100.1", Map.of(), null, Duration.ofMillis(50),
                Duration.ofHours(1), Duration.ofMillis(5)), controller, bus, kernel, events, new UnservedMetadata()).start();
        await("first plan realised and reported", () -> controller.realised() == 1);
    }

    @AfterEach
    void stop() {
        if (agent != null) agent.close();
        if (bus != null) bus.close();
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for: " + what);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Changes the intent as a committed write would, and sends the delta the controller would send. */
    void change(L2Intent next, long revision) {
        controller.intent = next;
        controller.revision = revision;
        bus.publish("h1", PlanCodec.encode(PlanDelta.sections("h1", revision, L2Compiler.compile(next, "h1"), Set.of(NET))));
    }

    @Test
    void aPortTurnsActiveOnlyOnceItsTapIsInTheBridgeAndDownWhenTheTapGoes() {
        String tap = DeviceNames.tap(P1), bridge = DeviceNames.bridge(NET);
        assertEquals(Map.of(P1, "DOWN"), controller.statuses(), "no tap yet");
        assertTrue(kernel.has(bridge), "the network's bridge exists before any tap");
        assertEquals(List.of(List.of(DeviceNames.vxlan(NET), "00:00:00:00:00:00", "198.51.100.2"),
                List.of(DeviceNames.vxlan(NET), "fa:16:3e:00:00:a2", "198.51.100.2")), kernel.fdbOf(DeviceNames.vxlan(NET)));

        kernel.addTap(tap);
        events.fire();
        await("port ACTIVE", () -> "ACTIVE".equals(controller.statuses().get(P1)));
        assertEquals(bridge, kernel.masterOf(tap));

        kernel.removeTap(tap);
        events.fire();
        await("port DOWN", () -> "DOWN".equals(controller.statuses().get(P1)));
    }

    @Test
    void deltasInSequenceApplyWithoutFetchingAndAGapFetchesTheWholePlan() {
        int fetched = controller.fetches.get();
        kernel.addTap(DeviceNames.tap(P3));
        events.fire(DeviceNames.tap(P3));
        change(intent(port(P1, "h1"), port(P2, "h2"), port(P3, "h1")), 2);
        await("revision 2 realised", () -> controller.realised() == 2);
        await("new port plugged", () -> "ACTIVE".equals(controller.statuses().get(P3)));
        assertEquals(fetched, controller.fetches.get(), "a delta right after the realised revision needs no fetch");

        // Revision 3 is lost on the way; 4 reveals the gap.
        controller.intent = intent(port(P1, "h1"), port(P3, "h1"));
        controller.revision = 3;
        change(intent(port(P3, "h1")), 4);
        await("revision 4 realised", () -> controller.realised() == 4);
        assertEquals(fetched + 1, controller.fetches.get(), "the gap made the agent fetch");
        assertEquals(List.of(), kernel.fdbOf(DeviceNames.vxlan(NET)), "P2's host is gone from the remotes");

        int before = controller.fetches.get();
        bus.publish("h1", PlanCodec.encode(PlanDelta.sections("h1", 3, L2Compiler.compile(controller.intent, "h1"), Set.of(NET))));
        bus.publish("h2", PlanCodec.encode(PlanDelta.fetch("h2", 9)));
        bus.broadcast(PlanCodec.encode(PlanDelta.fetch("", 0)));
        await("broadcast fetch", () -> controller.fetches.get() == before + 1);
        assertEquals(4, controller.realised(), "the stale delta and the other host's message changed nothing");
    }

    @Test
    void statusesAreReportedOnlyWhenTheyChange() {
        kernel.addTap(DeviceNames.tap(P1));
        events.fire();
        await("port ACTIVE", () -> "ACTIVE".equals(controller.statuses().get(P1)));
        int reports = controller.reports.size();
        int batches = kernel.batchCount();
        for (int i = 0; i < 5; i++) events.fire();
        change(controller.intent, 2);
        await("revision 2 realised", () -> controller.realised() == 2);
        assertEquals(reports + 1, controller.reports.size(), "one report for the new revision, none for the idle link events");
        assertEquals(Map.of(), controller.reports.get(controller.reports.size() - 1).statuses());
        assertEquals(batches, kernel.batchCount(), "nothing to change in the kernel");
    }

    @Test
    void aTapEventIsHandledByReadingThatTapAloneAndUnrelatedLinksCauseNoPass() {
        String tap = DeviceNames.tap(P1);
        int fullReads = kernel.fullLinkReads.get();
        int reports = controller.reports.size();
        events.fire("vnet7");
        events.fire("eth0");
        kernel.addTap(tap);
        events.fire(tap);
        await("port ACTIVE", () -> "ACTIVE".equals(controller.statuses().get(P1)));
        assertEquals(fullReads, kernel.fullLinkReads.get(), "no link but the tap was read");
        assertEquals(List.of(tap), kernel.deviceReads, "the tap, once: plugging it is taken as done once the kernel accepts it");
        assertEquals(reports + 1, controller.reports.size());

        kernel.removeTap(tap);
        events.fire(tap);
        await("port DOWN", () -> "DOWN".equals(controller.statuses().get(P1)));
        assertEquals(fullReads, kernel.fullLinkReads.get());
    }

    @Test
    void aTapMadeBeforeItsPortIsPlannedIsReadWhenTheDeltaComesAndAnUnattributedChangeReadsEverything() {
        kernel.addTap(DeviceNames.tap(P3));
        events.fire(DeviceNames.tap(P3));
        int fullReads = kernel.fullLinkReads.get();
        change(intent(port(P1, "h1"), port(P2, "h2"), port(P3, "h1")), 2);
        await("new port plugged", () -> "ACTIVE".equals(controller.statuses().get(P3)));
        assertEquals(fullReads, kernel.fullLinkReads.get(), "the new tap is read, not every link");
        assertEquals(List.of(DeviceNames.tap(P3)), kernel.deviceReads, "read once the delta planned its port, not on its event");

        kernel.addTap(DeviceNames.tap(P1));
        events.fire();
        await("the other tap found by reading everything", () -> "ACTIVE".equals(controller.statuses().get(P1)));
        assertTrue(kernel.fullLinkReads.get() > fullReads);
    }

    @Test
    void aTapWhoseEventReportsItsStateIsPluggedWithoutReadingIt() {
        String tap = DeviceNames.tap(P1);
        int fullReads = kernel.fullLinkReads.get();
        kernel.addTap(tap);
        events.fire(new LinkChange(tap, false, null, false, 1500));
        await("port ACTIVE", () -> "ACTIVE".equals(controller.statuses().get(P1)));
        assertEquals(DeviceNames.bridge(NET), kernel.masterOf(tap));
        assertEquals(List.of(), kernel.deviceReads);
        assertEquals(fullReads, kernel.fullLinkReads.get());
    }

    @Test
    void eventsThatReportWhatTheAgentAlreadyHoldsCauseNoPass() {
        String tap = DeviceNames.tap(P1), bridge = DeviceNames.bridge(NET);
        kernel.addTap(tap);
        events.fire(tap);
        await("port ACTIVE", () -> "ACTIVE".equals(controller.statuses().get(P1)));
        int batches = kernel.batchCount();
        List<String> reads = List.copyOf(kernel.deviceReads);

        // What the kernel says after the agent plugged the tap (up, in the bridge, the network's MTU): nothing new.
        events.fire(new LinkChange(tap, false, bridge, true, 1450));
        events.fire(new LinkChange("vnet7", false, null, true, 1500));
        change(controller.intent, 2);
        await("revision 2 realised", () -> controller.realised() == 2);
        assertEquals(reads, kernel.deviceReads, "the tap's event matched what the agent holds");
        assertEquals(batches, kernel.batchCount());

        // Taken out of its bridge by hand: the event disagrees, so the tap is read and put back.
        kernel.unplug(tap);
        events.fire(new LinkChange(tap, true, bridge, true, 1450));
        await("put back", () -> bridge.equals(kernel.masterOf(tap)));
        assertEquals(batches + 1, kernel.batchCount());
    }

    @Test
    void anAgentTheControllerForgotRegistersAgainAndResyncs() {
        int fetched = controller.fetches.get();
        controller.knowsAgent = false;
        await("registered again", () -> controller.registrations.get() == 2);
        await("fetched after registering", () -> controller.fetches.get() > fetched);
        await("full report after the fetch", () -> controller.reports.get(controller.reports.size() - 1).statuses().containsKey(P1));
    }

    @Test
    void aControllerBackFromARestartIsAskedForThePlanItMayNotHaveAnnounced() {
        controller.down = true;
        await("a heartbeat failed", () -> controller.failedHeartbeats.get() > 0);
        int beats = controller.heartbeats.get();
        // Changed while the controller was away: no delta ever comes for it.
        controller.intent = intent(port(P1, "h1"));
        controller.revision = 2;
        controller.down = false;
        await("heartbeats again", () -> controller.heartbeats.get() > beats);
        await("the missed change realised", () -> controller.realised() == 2);
        assertEquals(List.of(), kernel.fdbOf(DeviceNames.vxlan(NET)));
    }

    @Test
    void removingTheLastPortRemovesTheNetworkFromTheKernel() {
        String bridge = DeviceNames.bridge(NET), tap = DeviceNames.tap(P1);
        kernel.addTap(tap);
        events.fire();
        await("port ACTIVE", () -> "ACTIVE".equals(controller.statuses().get(P1)));
        change(intent(port(P2, "h2")), 2);
        await("bridge removed", () -> !kernel.has(bridge));
        assertTrue(kernel.has(tap), "the hypervisor's tap is left alone");
        assertNull(kernel.masterOf(tap));
        List<String> lines = new ArrayList<>(kernel.batchLines);
        assertTrue(lines.contains("ip link del " + bridge), lines.toString());
    }

    @Test
    void aPortIsNotActiveUntilItsFirewallIsInTheKernel() {
        String tap = DeviceNames.tap(P1);
        FirewallIntent.Port filtered = new FirewallIntent.Port(P1, NET, tap, "fa:16:3e:00:00:a1", List.of("10.0.0.5"), List.of(), true, List.of());
        var firewall = FirewallCompiler.change(new FirewallIntent(List.of(filtered), List.of(), Map.of()), List.of());
        kernel.nftRefuses = true;
        controller.revision = 2;
        bus.publish("h1", PlanCodec.encode(PlanDelta.sections("h1", 2, L2Compiler.compile(controller.intent, "h1"), Set.of(NET))
                .withFirewall(firewall)));
        kernel.addTap(tap);
        events.fire();
        await("tap plugged and the firewall tried", () -> DeviceNames.bridge(NET).equals(kernel.masterOf(tap)) && kernel.nftTransactions.get() > 0);
        int tried = kernel.nftTransactions.get();
        events.fire();
        await("the firewall tried again after the tap event", () -> kernel.nftTransactions.get() > tried);
        assertEquals("DOWN", controller.statuses().get(P1), "plugged but not yet filtered");
        assertEquals(1, controller.realised());

        kernel.nftRefuses = false;
        await("ACTIVE once the firewall is applied", () -> "ACTIVE".equals(controller.statuses().get(P1)));
        assertEquals(2, controller.realised());
    }
}
