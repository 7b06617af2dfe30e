package dev.skein.agent.host;

import dev.skein.model.NetworkType;
import dev.skein.model.Segment;
import dev.skein.plan.HostPlan;
import dev.skein.plan.L2Compiler;
import dev.skein.plan.L2Intent;
import dev.skein.plan.L2Plan;
import dev.skein.plan.PlanDelta;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PlanTrackerTest {
    static final String NET = "aaaaaaaa-0000-4000-8000-000000000001";
    static final L2Intent ONE_PORT = new L2Intent(List.of(new L2Intent.Network(NET, 1450, new Segment(NetworkType.VXLAN, null, 7))),
            List.of(new L2Intent.Port("a1a1a1a1-0000-4000-8000-000000000001", NET, "h1", "fa:16:3e:00:00:01", true)),
            List.of(new L2Intent.Host("h1", "198.51.100.1", Map.of())));

    static PlanDelta delta(long revision) {
        return PlanDelta.sections("h1", revision, L2Compiler.compile(ONE_PORT, "h1"), Set.of(NET));
    }

    static PlanTracker at(long revision) {
        PlanTracker t = new PlanTracker("h1");
        t.fetched(new HostPlan("h1", revision, L2Plan.EMPTY));
        return t;
    }

    @Test
    void withoutAPlanEverythingAsksForAFetch() {
        PlanTracker t = new PlanTracker("h1");
        assertNull(t.current());
        assertInstanceOf(PlanTracker.FetchNeeded.class, t.offer(delta(1)));
        assertInstanceOf(PlanTracker.FetchNeeded.class, t.offer(PlanDelta.fetch("h1", 1)));
    }

    @Test
    void theNextRevisionIsAppliedOnTopOfTheCurrentPlan() {
        PlanTracker t = at(4);
        var applied = assertInstanceOf(PlanTracker.Applied.class, t.offer(delta(5)));
        assertEquals(5, applied.plan().revision());
        assertEquals(List.of(NET), applied.plan().l2().networks().stream().map(L2Plan.Network::networkId).toList());
        assertEquals(applied.plan(), t.current());
    }

    @Test
    void aGapAsksForTheWholePlanAndLeavesTheCurrentOneAlone() {
        PlanTracker t = at(4);
        var fetch = assertInstanceOf(PlanTracker.FetchNeeded.class, t.offer(delta(6)));
        assertEquals("gap: have revision 4, got 6", fetch.why());
        assertEquals(4, t.current().revision());
    }

    @Test
    void duplicatesAndStaleDeltasAreIgnored() {
        PlanTracker t = at(4);
        assertInstanceOf(PlanTracker.Ignored.class, t.offer(delta(4)));
        assertInstanceOf(PlanTracker.Ignored.class, t.offer(delta(2)));
        assertInstanceOf(PlanTracker.Ignored.class, t.offer(PlanDelta.fetch("h1", 3)));
        assertInstanceOf(PlanTracker.Ignored.class, t.offer(PlanDelta.sections("h2", 5, L2Plan.EMPTY, Set.of())));
        assertEquals(4, t.current().revision());
    }

    @Test
    void fetchRequestsForANewerRevisionOrForEveryHostAreFollowed() {
        PlanTracker t = at(4);
        assertInstanceOf(PlanTracker.FetchNeeded.class, t.offer(PlanDelta.fetch("h1", 5)));
        assertInstanceOf(PlanTracker.FetchNeeded.class, t.offer(PlanDelta.fetch("", 0)));
    }

    @Test
    void aFetchedPlanIsTakenAsTheTruthEvenIfOlder() {
        PlanTracker t = at(9);
        t.fetched(new HostPlan("h1", 7, L2Plan.EMPTY));
        assertEquals(7, t.current().revision());
        assertInstanceOf(PlanTracker.Applied.class, t.offer(delta(8)));
        assertThrows(IllegalArgumentException.class, () -> t.fetched(new HostPlan("h2", 8, L2Plan.EMPTY)));
    }
}
