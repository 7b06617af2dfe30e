package dev.skein.agent.fw;

import dev.skein.agent.CommandRunner;
import dev.skein.plan.fw.FirewallPlan;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a host's (or a network namespace's) nftables state match its {@link FirewallPlan}, touching only Skein's
 * own tables and sending every change as ONE atomic {@code nft -f -} transaction.
 *
 * <p>Two ways in, because reading a large table back is the expensive part (about two seconds for 1000 ports):
 * <ul>
 *   <li>{@link #reconcile} reads Skein's tables back with {@code nft -j list table}, diffs and repairs whatever
 *       differs, including changes made by hand. For start-up and periodic drift checks.</li>
 *   <li>{@link #update} diffs the new plan against the plan this realiser realised last and sends only that
 *       delta, without reading anything. For every intent change. If nothing was realised yet, or the kernel
 *       refuses the delta (someone changed what it touches), it falls back to {@link #reconcile}.</li>
 * </ul>
 * Neither ever flushes a table or the ruleset, so neither interrupts traffic; a reconcile of a correct host
 * sends nothing at all. Not thread-safe by design: calls are serialised.
 */
public final class FirewallRealiser {
    static final List<String> BRIDGE_SYSCTLS = List.of("net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables");

    private final CommandRunner runner;
    private final Nft nft;
    private FirewallPlan realised;

    public FirewallRealiser(CommandRunner runner, Nft nft) {
        this.runner = runner;
        this.nft = nft;
    }

    public synchronized FirewallReport reconcile(FirewallPlan plan) {
        List<String> notes = planNotes(plan);
        List<String> errors = new ArrayList<>();
        List<NftCommand> commands = List.of();
        realised = null;
        try {
            bridgeConntrack(notes, errors);
            commands = FirewallDiff.compute(plan, read(plan));
            String failure = apply(commands);
            if (failure == null) realised = plan;
            else errors.add(failure);
        } catch (UncheckedIOException | IllegalStateException | IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        return new FirewallReport(FirewallReport.Mode.FULL, commands, notes, errors);
    }

    public synchronized FirewallReport update(FirewallPlan plan) {
        if (realised == null) return reconcile(plan);
        // A link event re-realises an unchanged plan; diffing 1000 ports' chains against themselves would find nothing.
        if (plan == realised) return new FirewallReport(FirewallReport.Mode.INCREMENTAL, List.of(), planNotes(plan), List.of());
        String failure;
        List<NftCommand> commands;
        try {
            commands = FirewallDiff.compute(plan, NftState.assumed(realised));
            failure = apply(commands);
        } catch (UncheckedIOException | IllegalStateException | IllegalArgumentException e) {
            commands = List.of();
            failure = e.getMessage();
        }
        if (failure == null) {
            realised = plan;
            return new FirewallReport(FirewallReport.Mode.INCREMENTAL, commands, planNotes(plan), List.of());
        }
        FirewallReport full = reconcile(plan);
        List<String> notes = new ArrayList<>(full.notes());
        notes.add("the incremental change was refused (" + failure + "); reconciled from the kernel's state instead");
        return new FirewallReport(FirewallReport.Mode.FULL, full.commands(), notes, full.errors());
    }

    /** Skein's tables as the kernel holds them; a table that does not exist is simply absent. */
    public NftState read(FirewallPlan plan) {
        List<String> documents = new ArrayList<>();
        for (FirewallPlan.Table t : plan.tables()) {
            List<String> argv = nft.nft("-j", "list", "table", t.family().nft(), t.name());
            CommandRunner.Result r = runner.run(argv, "");
            if (r.ok()) documents.add(r.stdout());
            else if (!r.stderr().contains("No such file or directory")) {
                throw new IllegalStateException(String.join(" ", argv) + " exited " + r.exitCode() + ": " + r.stderr().strip());
            }
        }
        return NftState.parse(documents);
    }

    /** Forgets what was realised, so the next {@link #update} reads the kernel back first. */
    public synchronized void forget() { realised = null; }

    private String apply(List<NftCommand> commands) {
        if (commands.isEmpty()) return null;
        StringBuilder batch = new StringBuilder();
        for (NftCommand c : commands) batch.append(c.line()).append('\n');
        CommandRunner.Result r = runner.run(nft.transaction(), batch.toString());
        return r.ok() ? null : "nft -f exited " + r.exitCode() + ": " + r.stderr().strip();
    }

    /**
     * Conntrack sees bridged traffic only while br_netfilter passes it to the inet hooks; without that, replies
     * to a VM's own connections would never be recognised as established and would be dropped.
     */
    private void bridgeConntrack(List<String> notes, List<String> errors) {
        for (String key : BRIDGE_SYSCTLS) {
            CommandRunner.Result r = runner.run(nft.sysctl("-n", key), "");
            if (!r.ok()) {
                errors.add("cannot read " + key + " (is br_netfilter available?): " + r.stderr().strip());
            } else if (!r.stdout().strip().equals("1")) {
                CommandRunner.Result set = runner.run(nft.sysctl("-q", "-w", key + "=1"), "");
                if (set.ok()) notes.add(key + " was " + r.stdout().strip() + "; set to 1 so bridged traffic is tracked");
                else errors.add("cannot set " + key + "=1: " + set.stderr().strip());
            }
        }
    }

    private static List<String> planNotes(FirewallPlan plan) {
        return new ArrayList<>(plan.problems().stream().map(p -> "plan: " + p).toList());
    }
}
