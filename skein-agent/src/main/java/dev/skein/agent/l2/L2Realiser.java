package dev.skein.agent.l2;

import dev.skein.agent.CommandRunner;
import dev.skein.agent.Iproute2;
import dev.skein.plan.L2Plan;
import dev.skein.plan.Uplink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Makes a host's (or a network namespace's) bridges, VXLAN devices, FDB remotes and port plugging match its
 * {@link L2Plan}. It diffs the plan against the kernel's state as read back ({@code ip -j -d link show},
 * {@code bridge -j fdb show}) and sends only the difference: at most one {@code ip -batch} and one
 * {@code bridge -batch} run, none when nothing differs.
 *
 * <p>Reading every link back costs tens of milliseconds once a host has a thousand ports, so the realiser keeps
 * the state it read and, between full read-backs, reads again only the devices that can have changed: those the
 * caller names (the link monitor saw them change), those a new plan handles differently from the last one (a new
 * port's tap, a network whose uplink changed) and those its own batch changed. {@link #reconcile} and the first
 * {@link #realise} after {@link #forget} read everything, which is also what happens after any failure and after
 * a batch that created or deleted devices.
 */
public final class L2Realiser {
    /** Past this many devices to read again, one read of every link is cheaper than one read each. */
    private static final int MAX_TARGETED_READS = 12;

    private final CommandRunner runner;
    private final Iproute2 iproute2;
    /** The kernel as last read back, or null when the next realise must read everything. */
    private KernelL2State known;
    /** The plan the known state was made to match. */
    private L2Plan realised;

    public L2Realiser(CommandRunner runner, Iproute2 iproute2) {
        this.runner = runner;
        this.iproute2 = iproute2;
    }

    /** A realise's report and the kernel's links as they are after it. */
    public record Realised(ReconcileReport report, KernelL2State links) {}

    /** Reads everything back, diffs and applies. */
    public ReconcileReport reconcile(L2Plan plan) {
        forget();
        return realise(plan, Set.of()).report();
    }

    /**
     * Makes the kernel match the plan, reading back only what may differ from the state known since the last full
     * read: the changed devices the caller names and those the plan handles differently from the last one.
     */
    public Realised realise(L2Plan plan, Collection<String> changedDevices) {
        KernelL2State start = known;
        L2Plan last = realised;
        // Whatever fails from here on, the next realise reads everything.
        forget();
        KernelL2State before;
        if (start == null) {
            before = read();
        } else {
            Set<String> devices = new TreeSet<>(changedDevices);
            Set<String> fdbDevices = new TreeSet<>();
            planChanges(last, plan, devices, fdbDevices);
            before = devices.size() + fdbDevices.size() > MAX_TARGETED_READS ? read() : reread(start, devices, fdbDevices);
        }
        L2Diff.Result diff = L2Diff.compute(plan, before);
        List<String> errors = new ArrayList<>();
        apply(Action.Tool.IP, "ip", diff.actions(), errors);
        // Runs after the ip batch, which creates the VXLAN devices these entries hang off.
        apply(Action.Tool.BRIDGE, "bridge", diff.actions(), errors);
        KernelL2State after = errors.isEmpty() ? afterBatches(before, diff.actions()) : read();
        // A batch line fails when its device vanished meanwhile (a hypervisor deleting a tap this pass released);
        // if what is left matches the plan, the kernel holds the plan all the same.
        if (!errors.isEmpty() && L2Diff.compute(plan, after).actions().isEmpty()) errors.clear();
        ReconcileReport report = new ReconcileReport(diff.actions(), diff.pluggedPorts(), diff.waitingPorts(), diff.notes(), errors);
        if (errors.isEmpty()) {
            known = after;
            realised = plan;
        }
        return new Realised(report, after);
    }

    /** The next realise reads everything back (after a fetch, a failure elsewhere, link events nobody could attribute). */
    public void forget() {
        known = null;
        realised = null;
    }

    public KernelL2State read() {
        return KernelL2State.parse(query(iproute2.ip("-j", "-d", "link", "show")), query(iproute2.bridge("-j", "fdb", "show")));
    }

    /**
     * The devices whose wanted state differs between two plans: the taps of plugs that came, went or changed, and
     * for a network that came, went or changed otherwise its bridge and uplink (with the uplink's FDB for VXLAN).
     */
    static void planChanges(L2Plan before, L2Plan after, Set<String> devices, Set<String> fdbDevices) {
        Map<String, L2Plan.Network> old = new HashMap<>();
        before.networks().forEach(n -> old.put(n.networkId(), n));
        Map<String, L2Plan.Network> now = new HashMap<>();
        after.networks().forEach(n -> now.put(n.networkId(), n));
        Set<String> ids = new TreeSet<>(old.keySet());
        ids.addAll(now.keySet());
        for (String id : ids) {
            L2Plan.Network a = old.get(id), b = now.get(id);
            if (a == b) continue;
            if (a == null || b == null || !a.bridge().equals(b.bridge()) || a.mtu() != b.mtu() || !a.uplink().equals(b.uplink())) {
                for (L2Plan.Network n : new L2Plan.Network[] {a, b}) {
                    if (n == null) continue;
                    devices.addAll(devicesOf(n));
                    if (n.uplink() instanceof Uplink.Vxlan v) fdbDevices.add(v.device());
                }
            }
            Map<String, L2Plan.Plug> plugs = new HashMap<>();
            if (a != null) a.plugs().forEach(p -> plugs.put(p.portId(), p));
            for (L2Plan.Plug p : b == null ? List.<L2Plan.Plug>of() : b.plugs()) {
                L2Plan.Plug was = plugs.remove(p.portId());
                if (!p.equals(was)) {
                    devices.add(p.tap());
                    if (was != null) devices.add(was.tap());
                }
            }
            plugs.values().forEach(p -> devices.add(p.tap()));
        }
    }

    /** The devices a network's section names besides its taps: its bridge and its uplink's device, if any. */
    public static List<String> devicesOf(L2Plan.Network n) {
        return switch (n.uplink()) {
            case Uplink.Vxlan v -> List.of(n.bridge(), v.device());
            case Uplink.Flat f -> List.of(n.bridge(), f.device());
            case Uplink.Vlan v -> List.of(n.bridge(), v.device());
            case Uplink.Unavailable u -> List.of(n.bridge());
        };
    }

    /**
     * The state after the batches: the devices the ip batch set and the FDBs the bridge batch changed are read
     * again; after a batch that created or deleted devices (which moves ports out of bridges, too) everything is.
     */
    private KernelL2State afterBatches(KernelL2State before, List<Action> actions) {
        Set<String> devices = new TreeSet<>();
        Set<String> fdbDevices = new TreeSet<>();
        for (Action a : actions) {
            String[] words = a.command().split(" ");
            if (a.tool() == Action.Tool.BRIDGE) {
                for (int i = 0; i + 1 < words.length; i++) if (words[i].equals("dev")) fdbDevices.add(words[i + 1]);
                continue;
            }
            if (words.length < 3 || !words[0].equals("link") || !words[1].equals("set")) return read();
            devices.add(words[2]);
        }
        if (devices.isEmpty() && fdbDevices.isEmpty()) return before;
        return devices.size() + fdbDevices.size() > MAX_TARGETED_READS ? read() : reread(before, devices, fdbDevices);
    }

    /** The state with the given devices, and the FDB entries of the given devices, read back again. */
    private KernelL2State reread(KernelL2State state, Set<String> devices, Set<String> fdbDevices) {
        Map<String, KernelL2State.Link> links = new LinkedHashMap<>(state.links());
        for (String device : devices) {
            KernelL2State.Link link = readLink(device);
            if (link == null) links.remove(device);
            else links.put(device, link);
        }
        List<KernelL2State.FdbEntry> fdb = new ArrayList<>();
        for (KernelL2State.FdbEntry e : state.fdb()) if (!fdbDevices.contains(e.device())) fdb.add(e);
        for (String device : fdbDevices) {
            if (!links.containsKey(device)) continue;
            for (KernelL2State.FdbEntry e : KernelL2State.parse("[]", query(iproute2.bridge("-j", "fdb", "show", "dev", device))).fdb()) {
                if (e.device().equals(device)) fdb.add(e);
            }
        }
        return new KernelL2State(links, fdb);
    }

    /** One device as the kernel reports it, or null if it does not exist. */
    private KernelL2State.Link readLink(String device) {
        List<String> argv = iproute2.ip("-j", "-d", "link", "show", "dev", device);
        CommandRunner.Result r = runner.run(argv, "");
        if (!r.ok()) {
            if (r.stderr().contains("does not exist")) return null;
            throw new IllegalStateException(String.join(" ", argv) + " exited " + r.exitCode() + ": " + r.stderr().strip());
        }
        return KernelL2State.parse(r.stdout(), "[]").links().get(device);
    }

    private void apply(Action.Tool tool, String binary, List<Action> actions, List<String> errors) {
        StringBuilder batch = new StringBuilder();
        for (Action a : actions) if (a.tool() == tool) batch.append(a.command()).append('\n');
        if (batch.isEmpty()) return;
        CommandRunner.Result r = runner.run(iproute2.batch(binary), batch.toString());
        if (!r.ok()) errors.add(binary + " batch exited " + r.exitCode() + ": " + r.stderr().strip());
    }

    private String query(List<String> argv) {
        CommandRunner.Result r = runner.run(argv, "");
        if (!r.ok()) throw new IllegalStateException(String.join(" ", argv) + " exited " + r.exitCode() + ": " + r.stderr().strip());
        return r.stdout();
    }
}
