package dev.skein.agent.l3;

import dev.skein.agent.Iproute2;
import dev.skein.agent.ProcessRunner;
import dev.skein.agent.host.AgentSettings;
import dev.skein.agent.host.ControllerClient;
import dev.skein.agent.host.HostAgent;
import dev.skein.agent.host.LinkMonitor;
import dev.skein.agent.metadata.UnservedMetadata;
import dev.skein.bus.InProcessBus;
import dev.skein.plan.DeviceNames;
import dev.skein.plan.HostPlan;
import dev.skein.plan.L2Plan;
import dev.skein.plan.Uplink;
import dev.skein.plan.l3.RouterPlan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import static dev.skein.agent.l3.RouterDataplaneTest.EXTERNAL;
import static dev.skein.agent.l3.RouterDataplaneTest.EXT_NET;
import static dev.skein.agent.l3.RouterDataplaneTest.FIP;
import static dev.skein.agent.l3.RouterDataplaneTest.GW_A;
import static dev.skein.agent.l3.RouterDataplaneTest.IF_A;
import static dev.skein.agent.l3.RouterDataplaneTest.NET_A;
import static dev.skein.agent.l3.RouterDataplaneTest.VM1;
import static dev.skein.agent.l3.RouterFixtures.HOST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole agent on a network node: it creates the router, the taps the router made show up as link events and
 * are plugged into their bridges on the next reconcile, the router's ports are reported ACTIVE, and a restarted
 * agent takes over without losing a packet. Needs root.
 */
class RouterAgentTest {
    @TempDir
    Path state;
    L3Lab lab;
    String node, ext, vm1;
    HostAgent agent;
    InProcessBus bus;
    final Map<String, String> statuses = new ConcurrentHashMap<>();
    volatile long realised = -1;

    final ControllerClient controller = new ControllerClient() {
        @Override
        public String register(Registration registration) { return "agent-1"; }

        @Override
        public boolean heartbeat(String agentId) { return true; }

        @Override
        public HostPlan fetchPlan(String host) { return plan(); }

        @Override
        public void reportStatus(String host, long realisedRevision, Map<String, String> portStatuses) {
            statuses.putAll(portStatuses);
            realised = realisedRevision;
        }
    };

    HostPlan plan() {
        L2Plan l2 = new L2Plan(List.of(
                new L2Plan.Network(EXT_NET, DeviceNames.bridge(EXT_NET), 1500, new Uplink.Flat("external", "ext0"),
                        List.of(RouterDataplaneTest.plug(GW_A))),
                RouterDataplaneTest.tenant(NET_A, 101, IF_A, VM1)), List.of());
        RouterPlan routers = new RouterPlan(List.of(RouterDataplaneTest.routerA(List.of(RouterDataplaneTest.fip("10.0.0.10")), List.of())));
        return new HostPlan(HOST, 7, l2, null, null, routers);
    }

    @BeforeEach
    void networkNode() {
        lab = L3Lab.open();
        L3Lab.NetworkNode n = lab.networkNode(EXTERNAL + "/24");
        node = n.host();
        ext = n.external();
        vm1 = lab.vm("vm1", node, DeviceNames.tap(VM1), RouterDataplaneTest.mac(VM1), "10.0.0.10/24");
        lab.run("ip", "-n", vm1, "route", "add", "default", "via", "10.0.0.1");
        bus = new InProcessBus();
    }

    @AfterEach
    void cleanUp() {
        if (agent != null) agent.close();
        if (bus != null) bus.close();
        if (lab != null) lab.close();
    }

    HostAgent startAgent() {
        AgentSettings settings = RouterFixtures.settings(node, Map.of("external", "ext0"), state);
        return new HostAgent(settings, controller, bus, new ProcessRunner(), new LinkMonitor(new Iproute2(settings.netns())), new UnservedMetadata()).start();
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for " + what);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void agentBuildsTheRouterPlugsItsTapsAndRestartsWithoutLoss() {
        agent = startAgent();
        await("router ports ACTIVE", () -> "ACTIVE".equals(statuses.get(IF_A)) && "ACTIVE".equals(statuses.get(GW_A)) && realised == 7);
        assertEquals(EXTERNAL, lab.sourceSeen(ext, vm1, FIP, 22), "the outside reaches the VM through its floating IP");
        assertEquals(FIP, lab.sourceSeen(vm1, ext, EXTERNAL, 8080));

        Process ping = lab.pinging(ext, FIP, 60, 50);
        agent.close();
        statuses.clear();
        realised = -1;
        agent = startAgent();
        await("restarted agent reports the plan realised", () -> realised == 7);
        String summary = L3Lab.summary(ping);
        assertTrue(summary.contains(" 0% packet loss"), summary);
    }
}
