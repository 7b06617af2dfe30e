package dev.skein.plan;

import dev.skein.model.NetworkType;
import dev.skein.model.Segment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanDeltaTest {
    static final String NET_A = "0a1b2c3d-4e5f-4a6b-8c7d-0123456789ab";
    static final String NET_B = "9f8e7d6c-5b4a-4c3d-8e2f-fedcba987654";
    static final String NET_F = "5e5e5e5e-0000-4000-8000-00000000000f";
    static final List<L2Intent.Host> HOSTS = List.of(
            new L2Intent.Host("h1", "198.51.100.1", Map.of("physnet1", "eth1")),
            new L2Intent.Host("h2", "198.51.100.2", Map.of("physnet1", "eth1")),
            new L2Intent.Host("h3", "198.51.100.3", Map.of()));
    static final List<L2Intent.Network> NETWORKS = List.of(
            new L2Intent.Network(NET_A, 1450, new Segment(NetworkType.VXLAN, null, 100)),
            new L2Intent.Network(NET_B, 1450, new Segment(NetworkType.VXLAN, null, 200)),
            new L2Intent.Network(NET_F, 1500, new Segment(NetworkType.FLAT, "physnet1", null)));

    static L2Intent.Port port(int n, String net, String host) {
        return new L2Intent.Port(String.format("%08x-1111-4222-8333-444455556666", n), net, host,
                String.format("fa:16:3e:00:00:%02x", n), true);
    }

    static L2Intent intent(L2Intent.Port... ports) { return new L2Intent(NETWORKS, List.of(ports), HOSTS); }

    static HostPlan plan(L2Intent intent, String host, long revision) {
        return new HostPlan(host, revision, L2Compiler.compile(intent, host));
    }

    /** The delta of a change, applied to every host's plan before it, gives exactly the plan compiled after it. */
    static void assertDeltaReproduces(L2Intent before, L2Intent after, Set<String> touched) {
        for (L2Intent.Host h : HOSTS) {
            PlanDelta d = PlanDelta.sections(h.name(), 8, L2Compiler.compile(after, h.name()), touched);
            assertEquals(plan(after, h.name(), 8), d.applyTo(plan(before, h.name(), 7)), "host " + h.name());
        }
    }

    @Test
    void aPortAddedElsewhereUpdatesTheRemotesOfEveryHostOnTheNetwork() {
        var before = intent(port(1, NET_A, "h1"), port(2, NET_A, "h2"), port(3, NET_B, "h1"), port(4, NET_F, "h1"));
        var after = intent(port(1, NET_A, "h1"), port(2, NET_A, "h2"), port(3, NET_B, "h1"), port(4, NET_F, "h1"), port(5, NET_A, "h3"));
        assertDeltaReproduces(before, after, Set.of(NET_A));

        PlanDelta toH1 = PlanDelta.sections("h1", 8, L2Compiler.compile(after, "h1"), Set.of(NET_A));
        assertEquals(List.of(NET_A), toH1.networks().stream().map(L2Plan.Network::networkId).toList(),
                "only the touched network travels, not the host's other networks");
        assertEquals(List.of(), toH1.removedNetworks());
    }

    @Test
    void aHostThatLosesItsLastPortOnANetworkIsToldToRemoveIt() {
        var before = intent(port(1, NET_A, "h1"), port(2, NET_A, "h2"), port(3, NET_B, "h2"));
        var after = intent(port(1, NET_A, "h1"), port(3, NET_B, "h2"));
        assertDeltaReproduces(before, after, Set.of(NET_A));
        PlanDelta toH2 = PlanDelta.sections("h2", 8, L2Compiler.compile(after, "h2"), Set.of(NET_A));
        assertEquals(List.of(NET_A), toH2.removedNetworks());
        assertEquals(List.of(NET_B), toH2.applyTo(plan(before, "h2", 7)).l2().networks().stream().map(L2Plan.Network::networkId).toList());
    }

    @Test
    void aPortMovedBetweenHostsAndNetworksChangesBothNetworks() {
        var before = intent(port(1, NET_A, "h1"), port(2, NET_A, "h2"), port(3, NET_B, "h3"), port(4, NET_F, "h2"));
        var after = intent(port(1, NET_A, "h1"), port(2, NET_B, "h3"), port(3, NET_B, "h3"), port(4, NET_F, "h1"));
        assertDeltaReproduces(before, after, Set.of(NET_A, NET_B, NET_F));
    }

    @Test
    void untouchedSectionsAndTheBaseProblemsAreKept() {
        HostPlan base = new HostPlan("h1", 3, new L2Plan(L2Compiler.compile(intent(port(1, NET_A, "h1"), port(2, NET_B, "h1")), "h1").networks(),
                List.of("an earlier problem")));
        var after = intent(port(1, NET_A, "h1"), port(2, NET_B, "h1"), port(3, NET_B, "h2"));
        HostPlan next = PlanDelta.sections("h1", 4, L2Compiler.compile(after, "h1"), Set.of(NET_B)).applyTo(base);
        assertEquals(4, next.revision());
        assertEquals(base.l2().networks().get(0), next.l2().networks().get(0));
        assertEquals(L2Compiler.compile(after, "h1").networks().get(1), next.l2().networks().get(1));
        assertEquals(List.of("an earlier problem"), next.l2().problems());
    }

    @Test
    void fetchRequestsCarryNothingAndCannotBeApplied() {
        PlanDelta fetch = PlanDelta.fetch("h1", 9);
        assertTrue(fetch.full());
        assertThrows(IllegalStateException.class, () -> fetch.applyTo(new HostPlan("h1", 8, L2Plan.EMPTY)));
        L2Plan.Network section = L2Compiler.compile(intent(port(1, NET_A, "h1")), "h1").networks().get(0);
        assertThrows(IllegalArgumentException.class, () -> new PlanDelta("h1", 9, true, List.of(section), List.of()));
    }

    @Test
    void aDeltaOnlyAppliesToItsOwnHost() {
        PlanDelta d = PlanDelta.sections("h1", 2, L2Plan.EMPTY, Set.of(NET_A));
        assertThrows(IllegalArgumentException.class, () -> d.applyTo(new HostPlan("h2", 1, L2Plan.EMPTY)));
    }

    @Test
    void applyingKeepsNetworksSortedById() {
        List<L2Intent.Port> ports = new ArrayList<>(List.of(port(1, NET_B, "h1")));
        HostPlan base = plan(intent(ports.toArray(L2Intent.Port[]::new)), "h1", 1);
        var after = intent(port(1, NET_B, "h1"), port(2, NET_A, "h1"));
        HostPlan next = PlanDelta.sections("h1", 2, L2Compiler.compile(after, "h1"), Set.of(NET_A)).applyTo(base);
        assertEquals(List.of(NET_A, NET_B), next.l2().networks().stream().map(L2Plan.Network::networkId).toList());
    }
}
