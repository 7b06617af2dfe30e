package dev.skein.agent.l2;

import dev.skein.agent.CommandRunner;
import dev.skein.agent.Iproute2;
import dev.skein.plan.L2Plan;

import java.util.ArrayList;
import java.util.List;

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
     * Reconciles and tells the links afterwards. The links read for the diff are still current when no ip batch
     * ran (bridge FDB entries do not change links), which spares a second read of every link on the host.
     */
    public Realised realise(L2Plan plan) {
        KernelL2State before = read();
        Realised r = reconcile(plan, before);
        boolean linksChanged = r.report().actions().stream().anyMatch(a -> a.tool() == Action.Tool.IP);
        return linksChanged ? new Realised(r.report(), readLinks()) : r;
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
