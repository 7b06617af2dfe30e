package dev.skein.agent.host;

import dev.skein.plan.HostPlan;
import dev.skein.plan.PlanDelta;

/**
 * Follows one host's plan from full fetches and deltas. A delta is applied only on top of the revision right
 * before it; a duplicate or stale delta is ignored; anything else (a gap, a request to fetch, no plan yet) asks for
 * the whole plan, which is the only way back to a known state after something was missed.
 */
public final class PlanTracker {

    public sealed interface Outcome {}

    /** Nothing to do: the delta was for another host, or its revision is already realised. */
    public record Ignored(String why) implements Outcome {}

    public record Applied(HostPlan plan) implements Outcome {}

    public record FetchNeeded(String why) implements Outcome {}

    private final String host;
    private HostPlan current;

    public PlanTracker(String host) { this.host = host; }

    /** The plan followed so far; null before the first fetch. */
    public HostPlan current() { return current; }

    /** A fetched plan replaces whatever was followed, as it is the controller's word on the whole. */
    public void fetched(HostPlan plan) {
        if (!plan.host().equals(host)) throw new IllegalArgumentException("fetched the plan of " + plan.host() + " for " + host);
        current = plan;
    }

    public Outcome offer(PlanDelta delta) {
        boolean broadcast = delta.host().isEmpty();
        if (!broadcast && !delta.host().equals(host)) return new Ignored("addressed to " + delta.host());
        if (current == null) return new FetchNeeded("no plan yet");
        long have = current.revision();
        if (delta.full()) {
            return broadcast || delta.revision() > have
                    ? new FetchNeeded(broadcast ? "every host asked to fetch" : "revision " + delta.revision() + " changed the whole plan")
                    : new Ignored("revision " + delta.revision() + " already covered by " + have);
        }
        if (delta.revision() <= have) return new Ignored("revision " + delta.revision() + " already covered by " + have);
        if (delta.revision() != have + 1) return new FetchNeeded("gap: have revision " + have + ", got " + delta.revision());
        current = delta.applyTo(current);
        return new Applied(current);
    }
}
