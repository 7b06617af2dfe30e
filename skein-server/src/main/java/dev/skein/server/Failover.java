package dev.skein.server;

import dev.skein.service.Rescheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The controller's periodic look for dead network nodes: their DHCP servers and routers move to live ones. Every
 * controller on the database runs it; the moves lock what they move, so two controllers never move a thing twice.
 */
final class Failover implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Failover.class);
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MAX_INTERVAL = Duration.ofSeconds(10);

    private final Rescheduler rescheduler;
    private final ScheduledExecutorService timer;

    private Failover(Rescheduler rescheduler, ScheduledExecutorService timer) {
        this.rescheduler = rescheduler;
        this.timer = timer;
    }

    static Failover start(Rescheduler rescheduler, Duration interval) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "skein-failover");
            t.setDaemon(true);
            return t;
        });
        Failover f = new Failover(rescheduler, timer);
        timer.scheduleWithFixedDelay(f::checkQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return f;
    }

    /**
     * A tenth of the agent down time, within 1 to 10 seconds: an agent is declared dead only after the down time,
     * so checking much more often finds nothing new, and much less often leaves its networks without DHCP longer.
     */
    static Duration interval(Duration agentDownTime) {
        Duration d = agentDownTime.dividedBy(10);
        if (d.compareTo(MIN_INTERVAL) < 0) return MIN_INTERVAL;
        return d.compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : d;
    }

    /** One check, now. */
    Rescheduler.Pass check() {
        Rescheduler.Pass pass = rescheduler.moveFromDeadAgents();
        report("moving DHCP servers and routers off dead agents", pass);
        return pass;
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            // The database may be away for a moment; the next run tries again.
            LOG.warn("failover check failed: {}", e.toString());
        }
    }

    static void report(String what, Rescheduler.Pass pass) {
        if (!pass.networks().isEmpty() || !pass.routers().isEmpty()) {
            LOG.info("{}: DHCP of networks {}, routers {}", what, pass.networks(), pass.routers());
        }
        for (String failure : pass.failures()) LOG.warn("{}: {}", what, failure);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) LOG.warn("the failover check did not stop within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
