package dev.skein.control;

import dev.skein.model.Network;
import dev.skein.model.Port;
import dev.skein.plan.DeviceNames;
import dev.skein.plan.HostPlan;
import dev.skein.plan.L2Plan;
import dev.skein.plan.PlanDelta;
import dev.skein.plan.Uplink;
import dev.skein.policy.RequestContext;
import dev.skein.service.AgentService;
import dev.skein.service.NetworkService;
import dev.skein.service.PlanChanges;
import dev.skein.service.PortService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plan revisions and deltas against the real SQL store (embedded H2): which writes raise which hosts' revisions,
 * what the agents are told, and that a fetched plan is stamped with a revision it covers.
 */
class HostPlanServiceTest {
    static final RequestContext ADMIN = RequestContext.system();

    @TempDir
    Path dir;
    TrackedServices services;
    HostPlanService plans;
    NetworkService networks;
    PortService ports;
    AgentService agents;
    List<PlanChanges.Change> changes;

    @BeforeEach
    void open() {
        services = new TrackedServices(dir);
        plans = services.plans;
        networks = services.networks;
        ports = services.ports;
        changes = services.changes;
        agents = services.agents;
    }

    @AfterEach
    void close() { services.close(); }

    Network network() { return networks.create(ADMIN, Map.of("name", "n")); }

    Port port(Network n, String host) {
        Map<String, Object> body = new HashMap<>(Map.of("network_id", n.id()));
        if (host != null) body.put("binding:host_id", host);
        return ports.create(ADMIN, body);
    }

    void register(String host, String localIp) {
        agents.register(ADMIN, Map.of("host", host, "local_ip", localIp));
    }

    PlanChanges.Change lastChange() { return changes.get(changes.size() - 1); }

    @Test
    void aBoundPortRaisesItsHostsRevisionAndItsDeltaCarriesTheNetwork() {
        Network n = network();
        assertEquals(List.of(), changes, "a network without ports is in no plan");
        Port p = port(n, "h1");
        assertEquals(Map.of("h1", 1L), lastChange().revisions());
        assertEquals(Set.of(n.id()), lastChange().networks());

        PlanDelta d = plans.deltas(lastChange()).get("h1");
        assertEquals(1, d.revision());
        assertEquals(List.of(new L2Plan.Plug(p.id(), DeviceNames.tap(p.id()), p.macAddress(), true)), d.networks().get(0).plugs());
        assertEquals(d.applyTo(new HostPlan("h1", 0, L2Plan.EMPTY)), plans.plan("h1"));
    }

    @Test
    void everyHostOnTheNetworkHearsOfANewPortAndLearnsItsRemotes() {
        register("h1", "198.51.100.1");
        register("h2", "198.51.100.2");
        Network n = network();
        port(n, "h1");
        Port p2 = port(n, "h2");
        assertEquals(Map.of("h1", 3L, "h2", 2L), lastChange().revisions(), "one for each registration and each port");
        Map<String, PlanDelta> deltas = plans.deltas(lastChange());
        Uplink.Vxlan onH1 = assertInstanceOf(Uplink.Vxlan.class, deltas.get("h1").networks().get(0).uplink());
        assertEquals(List.of("198.51.100.2"), onH1.floodRemotes());
        assertEquals(List.of(new Uplink.RemoteMac(p2.macAddress(), "198.51.100.2")), onH1.remoteMacs());
        assertEquals(3, plans.plan("h1").revision());
    }

    @Test
    void changesNoPlanReadsRaiseNothing() {
        Network n = network();
        Port p = port(n, "h1");
        int before = changes.size();
        ports.update(ADMIN, p.id(), Map.of("name", "renamed", "description", "d", "device_id", "vm-1"), null);
        ports.updateTags(ADMIN, p.id(), old -> List.of("t"));
        networks.update(ADMIN, n.id(), Map.of("name", "renamed"), null);
        agents.reportStatus(ADMIN, "h1", 1, Map.of(p.id(), "ACTIVE"));
        assertEquals(before, changes.size());
        assertEquals(1, plans.plan("h1").revision());
        assertEquals("ACTIVE", ports.get(ADMIN, p.id()).status());
    }

    @Test
    void aPortMovedToAnotherHostLeavesTheFirstAndTurnsDown() {
        Network n = network();
        Port p = port(n, "h1");
        agents.reportStatus(ADMIN, "h1", 1, Map.of(p.id(), "ACTIVE"));
        Port moved = ports.update(ADMIN, p.id(), Map.of("binding:host_id", "h2"), null);
        assertEquals("DOWN", moved.status(), "only the new host's agent can tell it is up there");
        assertEquals(Map.of("h1", 2L, "h2", 1L), lastChange().revisions());
        Map<String, PlanDelta> deltas = plans.deltas(lastChange());
        assertEquals(List.of(n.id()), deltas.get("h1").removedNetworks());
        assertEquals(1, deltas.get("h2").networks().size());

        assertEquals(0, agents.reportStatus(ADMIN, "h1", 2, Map.of(p.id(), "ACTIVE")), "a report from the old host is stale");
        assertEquals("DOWN", ports.get(ADMIN, p.id()).status());
    }

    @Test
    void networkChangesReachTheHostsOfTheNetwork() {
        Network n = network();
        port(n, "h1");
        port(n, "h2");
        int before = changes.size();
        // Without groups: a member of the default group would reach every host whose rules name that group.
        ports.create(ADMIN, Map.of("network_id", n.id(), "security_groups", List.of()));
        assertEquals(before, changes.size(), "a port bound to no host is in no plan");
        networks.update(ADMIN, n.id(), Map.of("mtu", 1400), null);
        assertEquals(Map.of("h1", 3L, "h2", 2L), lastChange().revisions());
        assertEquals(1400, plans.deltas(lastChange()).get("h2").networks().get(0).mtu());

        Network other = network();
        ports.create(ADMIN, Map.of("network_id", other.id(), "binding:host_id", "h3", "device_owner", "network:dhcp"));
        assertEquals(1, plans.plan("h3").l2().networks().size());
        networks.delete(ADMIN, other.id(), null);
        assertEquals(Map.of("h3", 2L), lastChange().revisions(), "the ports deleted with the network were on h3");
        assertEquals(List.of(other.id()), plans.deltas(lastChange()).get("h3").removedNetworks());
        assertEquals(List.of(), plans.plan("h3").l2().networks());
    }

    @Test
    void aHostsRegistrationTellsItToFetchAndItsNeighboursToUpdate() {
        register("h1", "198.51.100.1");
        assertEquals(Map.of("h1", 1L), lastChange().revisions());
        Network n = network();
        port(n, "h1");
        port(n, "h2");
        Uplink.Vxlan unknownNeighbour = assertInstanceOf(Uplink.Vxlan.class, plans.plan("h1").l2().networks().get(0).uplink());
        assertEquals(List.of(), unknownNeighbour.floodRemotes(), "h2 has not said where it is yet");

        register("h2", "198.51.100.2");
        assertEquals(Map.of("h1", 4L, "h2", 2L), lastChange().revisions());
        Map<String, PlanDelta> deltas = plans.deltas(lastChange());
        assertTrue(deltas.get("h2").full(), "the host's own plan may have changed everywhere");
        Uplink.Vxlan known = assertInstanceOf(Uplink.Vxlan.class, deltas.get("h1").networks().get(0).uplink());
        assertEquals(List.of("198.51.100.2"), known.floodRemotes());

        int before = changes.size();
        register("h2", "198.51.100.2");
        assertEquals(before, changes.size(), "registering again as before changes no plan");
        register("h2", "198.51.100.22");
        assertEquals(Map.of("h1", 5L, "h2", 3L), lastChange().revisions());
    }

    @Test
    void aFailedWriteRaisesNothingAndABulkCreateRaisesOnce() {
        Network n = network();
        port(n, "h1");
        int before = changes.size();
        assertThrows(RuntimeException.class, () -> ports.createBulk(ADMIN, List.of(
                Map.of("network_id", n.id(), "binding:host_id", "h1"),
                Map.of("network_id", n.id(), "binding:host_id", "h1", "mac_address", "not-a-mac"))));
        assertEquals(before, changes.size());
        assertEquals(1, plans.plan("h1").revision());

        ports.createBulk(ADMIN, List.of(Map.of("network_id", n.id(), "binding:host_id", "h1"),
                Map.of("network_id", n.id(), "binding:host_id", "h1"), Map.of("network_id", n.id(), "binding:host_id", "h2")));
        assertEquals(before + 1, changes.size());
        assertEquals(Map.of("h1", 2L, "h2", 1L), lastChange().revisions());
        assertEquals(3, plans.plan("h1").l2().networks().get(0).plugs().size());
    }

    @Test
    void concurrentWritersGiveEachHostGaplessRevisions() throws Exception {
        Network n = network();
        int writers = 6, each = 5;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) port(n, "h1");
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        Set<Long> seen = new HashSet<>();
        for (PlanChanges.Change c : changes) assertTrue(seen.add(c.revisions().get("h1")), "revision handed out twice: " + c);
        assertEquals(writers * each, seen.size());
        assertEquals(writers * each, seen.stream().mapToLong(Long::longValue).max().orElseThrow());
        assertEquals(writers * each, plans.plan("h1").revision());
        assertEquals(writers * each, plans.plan("h1").l2().networks().get(0).plugs().size());
    }
}
