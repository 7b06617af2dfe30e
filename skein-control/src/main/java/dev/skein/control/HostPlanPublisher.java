package dev.skein.control;

import dev.skein.bus.Bus;
import dev.skein.bus.PlanCodec;
import dev.skein.plan.PlanDelta;
import dev.skein.service.PlanChanges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells agents about committed plan changes: one small delta per affected host, on the bus under that host's
 * key. When the bus had to drop deltas (broker unreachable), every agent is asked to fetch its plan once the bus
 * is back, so no host waits for its periodic resync.
 */
public final class HostPlanPublisher implements PlanChanges.Listener {
    /** Addressed to every host: fetch whatever your plan is now. */
    public static final PlanDelta FETCH_ALL = PlanDelta.fetch("", 0);
    private static final Logger LOG = LoggerFactory.getLogger(HostPlanPublisher.class);

    private final HostPlanService plans;
    private final Bus bus;

    public HostPlanPublisher(HostPlanService plans, Bus bus) {
        this.plans = plans;
        this.bus = bus;
        bus.onPublisherRecovered(() -> bus.broadcast(PlanCodec.encode(FETCH_ALL)));
    }

    @Override
    public void committed(PlanChanges.Change change) {
        try {
            plans.deltas(change).forEach((host, delta) -> bus.publish(host, PlanCodec.encode(delta)));
        } catch (RuntimeException e) {
            // The change is committed; agents pick it up at their next resync.
            LOG.warn("could not notify hosts {} of plan change: {}", change.revisions().keySet(), e.toString());
        }
    }
}
