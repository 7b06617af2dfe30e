package dev.skein.agent.l2;

import dev.skein.agent.CommandRunner;
import dev.skein.agent.Iproute2;
import dev.skein.plan.L2Plan;
import dev.skein.plan.Uplink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
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
 * the state it read and brings it up to date instead: a batch that succeeded is applied to it (as the firewall
 * realiser trusts a transaction nft accepted), and a device is read again only once the link monitor says it
 * changed and it matters: the caller names it, or a new plan needs it (a new port's tap that appeared before the
 * port was planned). A device the monitor never named since the last read is as that read (or the last batch)
 * left it. {@link #reconcile} and the first {@link #realise} after {@link #forget} read everything, which is also
 * what happens after any failure and after a batch that created or deleted devices. Changes that make no link event
 * (an FDB entry removed by hand) are therefore repaired at the next full read, the periodic resync at the latest.
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
    /** Devices that changed since the known state was read and have not been read again. */
    private final Set<String> unread = new HashSet<>();

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
     * Makes the kernel match the plan, reading back only what may differ from the state known: the changed devices
     * the caller names, and those the plan handles differently from the last one that changed since they were read.
     */
    public Realised realise(L2Plan plan, Collection<String> changedDevices) {
        KernelL2State start = known;
        Set<String> devices = new TreeSet<>(changedDevices);
        for (String d : planChanges(realised == null ? L2Plan.EMPTY : realised, plan)) if (unread.contains(d)) devices.add(d);
        // Whatever fails from here on, the next realise reads everything.
        known = null;
        realised = null;
        KernelL2State before = start == null || devices.size() > MAX_TARGETED_READS ? read() : reread(start, devices);
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
        unread.clear();
    }

    /** The device as the known state has it, or null if it has none, or none that is still current. */
    public KernelL2State.Link known(String device) {
        return known == null || unread.contains(device) ? null : known.links().get(device);
    }

    /**
     * The kernel reported the device's state with a change (the link monitor prints master, MTU and flags): the
     * known state takes it as if the device had been read. Not for Skein's own devices, whose kind and tunnel
     * settings no event shows.
     */
    public void observed(String device, String master, boolean up, int mtu) {
        if (known == null) return;
        Map<String, KernelL2State.Link> links = new LinkedHashMap<>(known.links());
        KernelL2State.Link was = links.get(device);
        links.put(device, new KernelL2State.Link(device, was == null ? null : was.kind(), master, mtu, up, was == null ? null : was.vxlan()));
        known = new KernelL2State(links, known.fdb());
        unread.remove(device);
    }

    /** The device changed, but the caller does not need it looked at now: it is read again before it is relied on. */
    public void changed(String device) {
        if (known != null) unread.add(device);
    }

    /** Everything, read back; nothing changed before it is unread any more. */
    public KernelL2State read() {
        unread.clear();
        return KernelL2State.parse(query(iproute2.ip("-j", "-d", "link", "show")), query(iproute2.bridge("-j", "fdb", "show")));
    }

    /**
     * The devices whose wanted state differs between two plans: the taps of plugs that came, went or changed, and
     * for a network that came, went or changed otherwise its bridge and uplink.
     */
    static Set<String> planChanges(L2Plan before, L2Plan after) {
        Set<String> devices = new TreeSet<>();
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
                for (L2Plan.Network n : new L2Plan.Network[] {a, b}) if (n != null) devices.addAll(devicesOf(n));
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
        return devices;
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
     * The state after batches that succeeded: the state before with their changes made, as the kernel accepted them;
     * after a batch that created or deleted devices (which also moves ports out of bridges) everything is read.
     */
    private KernelL2State afterBatches(KernelL2State before, List<Action> actions) {
        if (actions.isEmpty()) return before;
        Map<String, KernelL2State.Link> links = new LinkedHashMap<>(before.links());
        List<KernelL2State.FdbEntry> fdb = new ArrayList<>(before.fdb());
        for (Action a : actions) {
            String[] w = a.command().split(" ");
            boolean applied = a.tool() == Action.Tool.IP ? setLink(links, w) : setFdb(fdb, w);
            if (!applied) return read();
        }
        return new KernelL2State(links, fdb);
    }

    /** Applies "link set DEV [master BR | nomaster] [mtu N] [up | down]"; false for any other line. */
    private static boolean setLink(Map<String, KernelL2State.Link> links, String[] w) {
        if (w.length < 3 || !w[0].equals("link") || !w[1].equals("set")) return false;
        KernelL2State.Link l = links.get(w[2]);
        if (l == null) return false;
        String master = l.master();
        int mtu = l.mtu();
        boolean up = l.up();
        for (int i = 3; i < w.length; i++) {
            switch (w[i]) {
                case "master" -> master = w[++i];
                case "nomaster" -> master = null;
                case "mtu" -> mtu = Integer.parseInt(w[++i]);
                case "up" -> up = true;
                case "down" -> up = false;
                default -> {
                    return false;
                }
            }
        }
        links.put(l.name(), new KernelL2State.Link(l.name(), l.kind(), master, mtu, up, l.vxlan()));
        return true;
    }

    /** Applies "fdb append|replace|del MAC dev DEV dst IP"; false for any other line. */
    private static boolean setFdb(List<KernelL2State.FdbEntry> fdb, String[] w) {
        if (w.length != 7 || !w[0].equals("fdb") || !w[3].equals("dev") || !w[5].equals("dst")) return false;
        KernelL2State.FdbEntry entry = new KernelL2State.FdbEntry(w[4], w[2], w[6]);
        switch (w[1]) {
            case "append" -> fdb.add(entry);
            case "replace" -> {
                fdb.removeIf(e -> e.device().equals(entry.device()) && e.mac().equals(entry.mac()));
                fdb.add(entry);
            }
            case "del" -> fdb.remove(entry);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The state with the given devices read back again. */
    private KernelL2State reread(KernelL2State state, Set<String> devices) {
        if (devices.isEmpty()) return state;
        Map<String, KernelL2State.Link> links = new LinkedHashMap<>(state.links());
        for (String device : devices) {
            KernelL2State.Link link = readLink(device);
            if (link == null) links.remove(device);
            else links.put(device, link);
            unread.remove(device);
        }
        return new KernelL2State(links, state.fdb());
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
