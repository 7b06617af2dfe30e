package dev.skein.agent.l2;

import dev.skein.agent.CommandRunner;
import dev.skein.agent.Iproute2;
import dev.skein.plan.L2Plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes a host's (or a network namespace's) bridges, VXLAN devices, FDB remotes and port plugging match its
 * {@link L2Plan}. Each reconcile reads the kernel back as JSON, diffs, and sends only the difference: at most one
 * {@code ip -batch} and one {@code bridge -batch} run, none when nothing differs.
 */
public final class L2Realiser {
    private final CommandRunner runner;
    private final Iproute2 iproute2;

    public L2Realiser(CommandRunner runner, Iproute2 iproute2) {
        this.runner = runner;
        this.iproute2 = iproute2;
    }

    /** A reconcile's report and the kernel's links as they are after it. */
    public record Realised(ReconcileReport report, KernelL2State links) {}

    public ReconcileReport reconcile(L2Plan plan) {
        return reconcile(plan, read()).report();
    }

    /**
     * Reconciles and tells the links afterwards without reading every link on the host twice: the links read for
     * the diff are still current except those the ip batch changed (bridge FDB entries change no link). When the
     * batch only set attributes of existing devices (plugging a tap, an MTU), just those devices are read again;
     * after anything that adds or removes devices, all links are.
     */
    public Realised realise(L2Plan plan) {
        Realised r = reconcile(plan, read());
        Set<String> touched = new LinkedHashSet<>();
        for (Action a : r.report().actions()) {
            if (a.tool() != Action.Tool.IP) continue;
            String[] words = a.command().split(" ");
            if (words.length < 3 || !words[0].equals("link") || !words[1].equals("set")) return new Realised(r.report(), readLinks());
            touched.add(words[2]);
        }
        if (touched.isEmpty()) return r;
        Map<String, KernelL2State.Link> links = new LinkedHashMap<>(r.links().links());
        for (String device : touched) {
            CommandRunner.Result shown = runner.run(iproute2.ip("-j", "-d", "link", "show", "dev", device), "");
            // A device that vanished meanwhile, or any other surprise, is settled by reading everything.
            if (!shown.ok()) return new Realised(r.report(), readLinks());
            links.remove(device);
            links.putAll(KernelL2State.parse(shown.stdout(), "[]").links());
        }
        return new Realised(r.report(), new KernelL2State(links, List.of()));
    }

    private Realised reconcile(L2Plan plan, KernelL2State kernel) {
        L2Diff.Result diff = L2Diff.compute(plan, kernel);
        List<String> errors = new ArrayList<>();
        apply(Action.Tool.IP, "ip", diff.actions(), errors);
        // Runs after the ip batch, which creates the VXLAN devices these entries hang off.
        apply(Action.Tool.BRIDGE, "bridge", diff.actions(), errors);
        return new Realised(new ReconcileReport(diff.actions(), diff.pluggedPorts(), diff.waitingPorts(), diff.notes(), errors), kernel);
    }

    public KernelL2State read() {
        return KernelL2State.parse(query(iproute2.ip("-j", "-d", "link", "show")), query(iproute2.bridge("-j", "fdb", "show")));
    }

    /** The links alone, enough to tell which ports are plugged where. */
    public KernelL2State readLinks() {
        return KernelL2State.parse(query(iproute2.ip("-j", "-d", "link", "show")), "[]");
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
