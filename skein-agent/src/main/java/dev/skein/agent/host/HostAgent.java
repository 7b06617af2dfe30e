package dev.skein.agent.host;

import dev.skein.agent.CommandRunner;
import dev.skein.agent.Iproute2;
import dev.skein.agent.dhcp.DhcpRealiser;
import dev.skein.agent.dhcp.DhcpReport;
import dev.skein.agent.fw.FirewallRealiser;
import dev.skein.agent.fw.FirewallReport;
import dev.skein.agent.fw.Nft;
import dev.skein.agent.l2.Action;
import dev.skein.agent.l2.KernelL2State;
import dev.skein.agent.l2.L2Realiser;
import dev.skein.agent.l2.ReconcileReport;
import dev.skein.agent.l3.RouterRealiser;
import dev.skein.agent.l3.RouterReport;
import dev.skein.agent.metadata.HaproxyMetadataProxies;
import dev.skein.agent.metadata.MetadataProxies;
import dev.skein.bus.Bus;
import dev.skein.bus.PlanCodec;
import dev.skein.plan.DeviceNames;
import dev.skein.plan.HostPlan;
import dev.skein.plan.L2Plan;
import dev.skein.plan.PlanDelta;
import dev.skein.plan.fw.FirewallPlan;
import dev.skein.plan.fw.FirewallSections;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The agent of one host. It registers with the controller and heartbeats; follows its host plan through deltas
 * from the bus and full fetches (at start, on every (re)connection of the bus, on a revision gap, and periodically
 * as a safety net); realises the plan whenever the plan or the kernel's links change; and reports every port's
 * status and the revision it has realised.
 *
 * <p>All of that except heartbeats happens in one worker thread, one batch of events at a time, so a plan is never
 * realised by two threads at once and a burst of events (a hypervisor starting ten VMs) becomes one reconcile.
 * Nothing is flushed at start: the first reconcile of a restarted agent finds the kernel as it left it and
 * changes nothing, so traffic keeps flowing across agent restarts.
 *
 * <p>Both parts are read back from the kernel after every fetch (start, resync, gap). In between, the L2 part reads
 * back only the links the link monitor named and those the plan change concerns, and the firewall is diffed
 * against what was realised last. The firewall is realised after the L2 part. A port is reported ACTIVE only once
 * both are in place, so a VM never sends a packet through a port whose security groups and anti-spoofing are not
 * yet enforced.
 *
 * <p>A network node's DHCP servers and routers come next, each read back after every fetch like the firewall. The
 * taps they create show up as link events, and the next reconcile plugs them into their bridges; their dnsmasq
 * and haproxy processes outlive the agent, so a restart never interrupts a lease or a metadata request.
 */
public final class HostAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostAgent.class);
    private static final Duration RETRY = Duration.ofSeconds(2);
    private static final Duration MAX_RETRY = Duration.ofSeconds(60);
    private static final Duration MAX_REGISTER_BACKOFF = Duration.ofSeconds(5);

    private sealed interface Event {}

    private record DeltaArrived(PlanDelta delta) implements Event {}

    private record FetchRequested(String why) implements Event {}

    private record KernelChanged(KernelEvents.LinkChange change, long atNanos) implements Event {}

    private record RegisterAgain() implements Event {}

    private final AgentSettings settings;
    private final ControllerClient controller;
    private final Bus bus;
    private final L2Realiser realiser;
    private final FirewallRealiser firewall;
    private final DhcpRealiser dhcp;
    private final RouterRealiser routers;
    private final KernelEvents kernelEvents;
    private final MetadataProxies metadata;
    private final PlanTracker tracker;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService heartbeats;
    private final Thread worker;
    private Bus.Subscription subscription;
    private volatile boolean stopping;
    private volatile String agentId;

    // Worker-thread state.
    private String fetchReason;
    private boolean reconcileWanted;
    /** Links the monitor named since the last pass, and whether it saw changes it could not attribute. */
    private final Set<String> changedLinks = new TreeSet<>();
    private boolean linksUnattributed;
    private L2Plan devicesOf;
    private Set<String> planDevices = Set.of();
    private boolean fullReport;
    private final Part firewallPart = new Part("firewall: ");
    private final Part dhcpPart = new Part("DHCP: ");
    private final Part routerPart = new Part("");
    private FirewallSections assembledFrom;
    private FirewallPlan assembled;
    private long nextResyncNanos;
    private long retryAtNanos;
    private Map<String, String> reported = Map.of();
    private long reportedRevision = -1;
    private List<String> lastNotes = List.of();
    private List<String> lastErrors = List.of();
    private String lastFailure;
    private int failures;
    private boolean heartbeatFailing;

    /**
     * An agent that hears of link changes from {@code ip monitor link} in its host (or namespace) and serves the
     * metadata service through haproxy proxies and a unix socket of its own, which it opens on start and closes
     * on close (the proxies themselves keep running for the next agent).
     */
    public HostAgent(AgentSettings settings, ControllerClient controller, Bus bus, CommandRunner runner) {
        this(settings, controller, bus, runner, new LinkMonitor(new Iproute2(settings.netns())),
                new HaproxyMetadataProxies(settings, controller, runner));
    }

    public HostAgent(AgentSettings settings, ControllerClient controller, Bus bus, CommandRunner runner, KernelEvents kernelEvents,
                     MetadataProxies metadata) {
        this.settings = settings;
        this.controller = controller;
        this.bus = bus;
        this.realiser = new L2Realiser(runner, new Iproute2(settings.netns()));
        this.firewall = new FirewallRealiser(runner, new Nft(settings.netns()));
        this.dhcp = new DhcpRealiser(runner, settings, metadata);
        this.routers = new RouterRealiser(runner, settings, metadata);
        this.kernelEvents = kernelEvents;
        this.metadata = metadata;
        this.tracker = new PlanTracker(settings.host());
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("skein-heartbeat").unstarted(r));
        this.worker = Thread.ofPlatform().name("skein-agent-" + settings.host()).unstarted(this::run);
    }

    public HostAgent start() {
        if (metadata instanceof HaproxyMetadataProxies proxies) proxies.start();
        subscription = bus.subscribe(settings.host(), new Bus.Listener() {
            @Override
            public void connected() { events.add(new FetchRequested("bus connected")); }

            @Override
            public void message(byte[] body) {
                try {
                    events.add(new DeltaArrived(PlanCodec.decode(body)));
                } catch (IllegalArgumentException e) {
                    LOG.warn("ignored a bus message: {}", e.getMessage());
                }
            }
        });
        kernelEvents.start(change -> events.add(new KernelChanged(change, System.nanoTime())));
        worker.start();
        long period = settings.heartbeatInterval().toMillis();
        heartbeats.scheduleWithFixedDelay(this::heartbeat, period, period, TimeUnit.MILLISECONDS);
        LOG.info("agent for host {} started (underlay {}, {}, bridge mappings {})", settings.host(), settings.localIp(),
                settings.netns() == null ? "host network namespace" : "network namespace " + settings.netns(), settings.bridgeMappings());
        return this;
    }

    private void run() {
        if (!register()) return;
        fetchReason = "start";
        nextResyncNanos = System.nanoTime() + jittered(settings.resyncInterval());
        while (!stopping) {
            try {
                // Work left over (the first fetch, a reconcile asked for while fetching) runs at once, unless it
                // failed and waits for its retry.
                boolean pending = (fetchReason != null || reconcileWanted && tracker.current() != null) && retryAtNanos == 0;
                long wait = pending ? 0 : Math.max(0, nextDeadline() - System.nanoTime());
                Event first = events.poll(wait, TimeUnit.NANOSECONDS);
                List<Event> batch = new ArrayList<>();
                if (first != null) {
                    batch.add(first);
                    // A tap usually appears with a few link events in a row; take them (and whatever else came) at once,
                    // waiting for the rest only while the first is younger than the debounce time.
                    if (first instanceof KernelChanged k) {
                        long left = settings.debounce().toNanos() - (System.nanoTime() - k.atNanos());
                        if (left > 0) TimeUnit.NANOSECONDS.sleep(left);
                    }
                    events.drainTo(batch);
                }
                handle(batch);
            } catch (InterruptedException e) {
                if (stopping) return;
            } catch (RuntimeException e) {
                retryLater("agent step failed: " + e);
            }
        }
    }

    private long nextDeadline() {
        return retryAtNanos != 0 ? Math.min(retryAtNanos, nextResyncNanos) : nextResyncNanos;
    }

    private void handle(List<Event> batch) throws InterruptedException {
        long now = System.nanoTime();
        if (now - nextResyncNanos >= 0) {
            fetchReason = "periodic resync";
            nextResyncNanos = now + jittered(settings.resyncInterval());
        }
        boolean retry = retryAtNanos != 0 && now - retryAtNanos >= 0;
        if (retry) retryAtNanos = 0;
        Map<String, KernelEvents.LinkChange> lastChanges = new LinkedHashMap<>();
        for (Event e : batch) {
            switch (e) {
                case RegisterAgain r -> {
                    if (!register()) return;
                    fetchReason = "registered again";
                }
                case FetchRequested f -> fetchReason = f.why();
                case KernelChanged k -> {
                    if (k.change().attributed()) {
                        lastChanges.put(k.change().device(), k.change());
                    } else {
                        linksUnattributed = true;
                        reconcileWanted = true;
                    }
                }
                case DeltaArrived d -> {
                    if (fetchReason != null) continue;
                    switch (tracker.offer(d.delta())) {
                        case PlanTracker.Applied a -> reconcileWanted = true;
                        case PlanTracker.FetchNeeded f -> fetchReason = f.why();
                        case PlanTracker.Ignored i -> LOG.debug("delta ignored: {}", i.why());
                    }
                }
            }
        }
        lastChanges.values().forEach(this::linkChanged);
        if (fetchReason != null) fetch();
        if ((reconcileWanted || retry) && tracker.current() != null) reconcile();
    }

    /**
     * Takes note of the latest change of one link in a batch of events. A device whose reported state is the one
     * already known needs nothing (the events of the agent's own batches end so). Otherwise the state the event
     * reports for a hypervisor's device (a tap: its bridge, MTU, up or not) is taken as read; a device of Skein's,
     * a deleted one or one reported without its state is read. One that can matter now (a device of Skein's, a
     * device in one of Skein's bridges, a device the plan names: a tap, a flat network's interface) asks for a pass;
     * any other (the VM's end of a veth pair, a tap whose port is not planned here yet) causes none.
     */
    private void linkChanged(KernelEvents.LinkChange change) {
        HostPlan plan = tracker.current();
        if (plan != null && isKnown(change)) return;
        String device = change.device();
        boolean described = !change.deleted() && change.mtu() > 0 && !DeviceNames.owned(device);
        if (described) realiser.observed(device, change.master(), change.up(), change.mtu());
        if (plan == null || DeviceNames.owned(device) || !change.deleted() && change.master() != null && DeviceNames.owned(change.master())
                || devicesOf(plan.l2()).contains(device)) {
            if (!described) changedLinks.add(device);
            reconcileWanted = true;
        } else if (!described) {
            realiser.changed(device);
        }
    }

    /**
     * Whether the change reports what the realiser already holds for the device. Never for a deleted device, nor for
     * a VXLAN device, whose tunnel settings no event shows.
     */
    private boolean isKnown(KernelEvents.LinkChange change) {
        if (change.deleted() || change.mtu() == 0 || change.device().startsWith(DeviceNames.VXLAN_PREFIX)) return false;
        KernelL2State.Link link = realiser.known(change.device());
        return link != null && link.up() == change.up() && link.mtu() == change.mtu() && Objects.equals(link.master(), change.master());
    }

    private Set<String> devicesOf(L2Plan l2) {
        if (l2 != devicesOf) {
            Set<String> names = new HashSet<>();
            for (L2Plan.Network n : l2.networks()) {
                names.addAll(L2Realiser.devicesOf(n));
                n.plugs().forEach(p -> names.add(p.tap()));
            }
            planDevices = names;
            devicesOf = l2;
        }
        return planDevices;
    }

    private void fetch() {
        try {
            HostPlan plan = controller.fetchPlan(settings.host());
            LOG.debug("fetched plan revision {} ({})", plan.revision(), fetchReason);
            tracker.fetched(plan);
            fetchReason = null;
            recovered();
            reconcileWanted = true;
            fullReport = true;
            firewallPart.readBack = true;
            dhcpPart.readBack = true;
            routerPart.readBack = true;
            realiser.forget();
        } catch (RuntimeException e) {
            retryLater("cannot fetch the plan (" + fetchReason + "): " + e.getMessage());
        }
    }

    private void reconcile() {
        HostPlan plan = tracker.current();
        reconcileWanted = false;
        ReconcileReport report;
        Map<String, String> statuses;
        if (linksUnattributed) realiser.forget();
        List<String> changedDevices = List.copyOf(changedLinks);
        changedLinks.clear();
        linksUnattributed = false;
        try {
            L2Realiser.Realised l2 = realiser.realise(plan.l2(), changedDevices);
            report = l2.report();
            statuses = PortStatuses.of(plan.l2(), l2.links());
        } catch (RuntimeException e) {
            retryLater("cannot realise plan revision " + plan.revision() + ": " + e.getMessage());
            return;
        }
        logReport(plan, report);
        boolean filtered = realiseFirewall(plan);
        if (!filtered) statuses.replaceAll((port, status) -> PortStatuses.ACTIVE.equals(status) ? PortStatuses.DOWN : status);
        boolean served = realiseDhcp(plan);
        boolean routed = realiseRouters(plan);
        boolean succeeded = report.succeeded() && filtered && served && routed;
        long realised = succeeded ? plan.revision() : reportedRevision;
        if (!succeeded) retryLater("plan revision " + plan.revision() + " is not fully realised");
        Map<String, String> changed = new LinkedHashMap<>();
        statuses.forEach((port, status) -> {
            if (fullReport || !status.equals(reported.get(port))) changed.put(port, status);
        });
        if (changed.isEmpty() && realised == reportedRevision) {
            if (succeeded) recovered();
            return;
        }
        try {
            controller.reportStatus(settings.host(), Math.max(realised, 0), changed);
            reported = statuses;
            reportedRevision = realised;
            fullReport = false;
            if (!changed.isEmpty()) LOG.info("reported port status {}", changed);
            if (succeeded) recovered();
        } catch (RuntimeException e) {
            retryLater("cannot report port status: " + e.getMessage());
        }
    }

    /** Realises the plan's firewall; true when the kernel holds it. */
    private boolean realiseFirewall(HostPlan plan) {
        FirewallPlan wanted = firewallPlan(plan.firewall());
        FirewallReport report = firewallPart.readBack ? firewall.reconcile(wanted) : firewall.update(wanted);
        if (report.changed()) {
            LOG.info("plan revision {}: firewall {} transaction of {} command(s)", plan.revision(),
                    report.mode() == FirewallReport.Mode.FULL ? "repair" : "update", report.commands().size());
        }
        return firewallPart.settle(plan.revision(), report.errors(), report.notes(), report.succeeded());
    }

    /** Realises the plan's DHCP servers, read back like the firewall; true when all of them serve. */
    private boolean realiseDhcp(HostPlan plan) {
        DhcpReport report = dhcpPart.readBack ? dhcp.reconcile(plan.dhcp()) : dhcp.update(plan.dhcp());
        report.changes().forEach(c -> LOG.info("plan revision {}: DHCP: {}", plan.revision(), c));
        return dhcpPart.settle(plan.revision(), report.errors(), report.notes(), report.succeeded());
    }

    /** Realises the plan's routers; true when the kernel holds them. */
    private boolean realiseRouters(HostPlan plan) {
        RouterReport report = routerPart.readBack ? routers.reconcile(plan.routers()) : routers.update(plan.routers());
        if (report.changed()) {
            LOG.info("plan revision {}: routers: {} change(s)", plan.revision(), report.changes().size());
            for (String c : report.changes()) LOG.debug("  {}", c);
        }
        return routerPart.settle(plan.revision(), report.errors(), report.notes(), report.succeeded());
    }

    /**
     * What the agent keeps between passes for one part realised next to L2 (the firewall, the DHCP servers, the
     * routers): whether the next pass must read the kernel back, and the problems it last logged, because the
     * same complaint on every retry would bury everything else in the log.
     */
    private static final class Part {
        private final String label;
        boolean readBack = true;
        private List<String> lastProblems = List.of();

        Part(String label) { this.label = label; }

        /** Logs new problems and returns succeeded; after a failure nothing is known of the kernel, so it is read back. */
        boolean settle(long revision, List<String> errors, List<String> notes, boolean succeeded) {
            List<String> problems = new ArrayList<>(errors);
            problems.addAll(notes);
            if (!problems.equals(lastProblems)) problems.forEach(p -> LOG.warn("plan revision {}: {}{}", revision, label, p));
            lastProblems = problems;
            readBack = !succeeded;
            return succeeded;
        }
    }

    /**
     * The nftables plan of the sections, assembled again only when they changed: passes for link events alone then
     * hand the realiser the very plan it realised last, which it recognises without a diff.
     */
    private FirewallPlan firewallPlan(FirewallSections sections) {
        if (sections != assembledFrom) {
            assembled = sections.plan();
            assembledFrom = sections;
        }
        return assembled;
    }

    private void logReport(HostPlan plan, ReconcileReport report) {
        if (report.changed()) {
            LOG.info("plan revision {}: {} change(s) to the kernel", plan.revision(), report.actions().size());
            for (Action a : report.actions()) LOG.debug("  {}", a);
        }
        // The same complaint on every retry would bury everything else in the log.
        if (!report.errors().equals(lastErrors)) report.errors().forEach(e -> LOG.warn("plan revision {}: {}", plan.revision(), e));
        if (!report.notes().equals(lastNotes)) report.notes().forEach(n -> LOG.warn("plan revision {}: {}", plan.revision(), n));
        lastErrors = report.errors();
        lastNotes = report.notes();
    }

    /** Schedules another try, waiting longer while the same step keeps failing; says so once per kind of failure. */
    private void retryLater(String failure) {
        long delay = Math.min(MAX_RETRY.toNanos(), RETRY.toNanos() << Math.min(failures, 5));
        failures++;
        retryAtNanos = System.nanoTime() + delay;
        if (!failure.equals(lastFailure)) LOG.warn("{}; retrying in {} s", failure, TimeUnit.NANOSECONDS.toSeconds(delay));
        else LOG.debug("{}; retrying in {} s", failure, TimeUnit.NANOSECONDS.toSeconds(delay));
        lastFailure = failure;
    }

    private void recovered() {
        if (lastFailure != null) LOG.info("recovered from: {}", lastFailure);
        failures = 0;
        lastFailure = null;
    }

    /** Registers until it works or the agent stops; false if it stopped. */
    private boolean register() {
        Map<String, Object> configurations = new HashMap<>();
        if (settings.netns() != null) configurations.put("netns", settings.netns());
        configurations.put("roles", settings.roles().stream().map(r -> r.name().toLowerCase(Locale.ROOT)).sorted().toList());
        var registration = new ControllerClient.Registration(settings.host(), settings.localIp(), settings.bridgeMappings(), configurations);
        long backoff = 250;
        for (int attempt = 0; !stopping; attempt++) {
            try {
                agentId = controller.register(registration);
                LOG.info("registered as agent {} of host {}", agentId, settings.host());
                return true;
            } catch (RuntimeException e) {
                if (attempt % 10 == 0) LOG.warn("cannot register with the controller yet: {}", e.getMessage());
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return false;
            }
            backoff = Math.min(MAX_REGISTER_BACKOFF.toMillis(), backoff * 2);
        }
        return false;
    }

    private void heartbeat() {
        String id = agentId;
        if (id == null) return;
        try {
            if (!controller.heartbeat(id)) {
                LOG.warn("the controller no longer knows agent {}; registering again", id);
                agentId = null;
                events.add(new RegisterAgain());
            }
            if (heartbeatFailing) {
                // A controller that was away (restarting) may have committed changes it never got to announce.
                LOG.info("heartbeats reach the controller again");
                events.add(new FetchRequested("controller reachable again"));
            }
            heartbeatFailing = false;
        } catch (RuntimeException e) {
            if (!heartbeatFailing) LOG.warn("heartbeat failed: {}", e.getMessage());
            heartbeatFailing = true;
        }
    }

    private static long jittered(Duration d) {
        long n = d.toNanos();
        return n - n / 5 + ThreadLocalRandom.current().nextLong(Math.max(1, 2 * (n / 5)));
    }

    @Override
    public void close() {
        stopping = true;
        heartbeats.shutdownNow();
        if (subscription != null) subscription.close();
        kernelEvents.close();
        worker.interrupt();
        try {
            worker.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (metadata instanceof HaproxyMetadataProxies proxies) proxies.close();
        LOG.info("agent for host {} stopped", settings.host());
    }
}
