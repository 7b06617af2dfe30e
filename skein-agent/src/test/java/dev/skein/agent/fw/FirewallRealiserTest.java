package dev.skein.agent.fw;

import dev.skein.agent.CommandRunner;
import dev.skein.plan.DeviceNames;
import dev.skein.plan.fw.FirewallCompiler;
import dev.skein.plan.fw.FirewallIntent;
import dev.skein.plan.fw.FirewallIntent.Direction;
import dev.skein.plan.fw.FirewallPlan;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The firewall diff and the transaction it becomes, against {@code nft -j list table} output recorded from a
 * real kernel (src/test/resources/fw): "converged" is {@link #plan()} as realised; "drifted" is the same after
 * hand edits (a rule deleted, a rule inserted without Skein's comment, elements added and removed, a stray chain,
 * a set recreated with another type).
 */
class FirewallRealiserTest {
    static final String NET = "0a1b2c3d-4e5f-4a6b-8c7d-0123456789ab";
    static final String P1 = "11111111-1111-4111-8111-111111111111";
    static final String P2 = "22222222-2222-4222-8222-222222222222";
    static final String P3 = "33333333-3333-4333-8333-333333333333";
    static final String WEB = "5a5a5a5a-0000-4000-8000-000000000001";
    static final String OPEN = "6b6b6b6b-0000-4000-8000-000000000002";
    static final String MEMBERS = "7c7c7c7c-0000-4000-8000-000000000003";
    static final String RG = "rg4-" + MEMBERS;
    static final String TAP1 = DeviceNames.tap(P1), TAP2 = DeviceNames.tap(P2), TAP3 = DeviceNames.tap(P3);

    static FirewallIntent.Port port(String id, String mac, String ip, String group) {
        return new FirewallIntent.Port(id, NET, DeviceNames.tap(id), mac, List.of(ip), List.of(), true, List.of(group));
    }

    static FirewallPlan plan(List<String> members, FirewallIntent.Port... ports) {
        return FirewallCompiler.compile(new FirewallIntent(List.of(ports), List.of(
                new FirewallIntent.SecurityGroup(WEB, List.of(
                        new FirewallIntent.Rule(Direction.INGRESS, "IPv4", "tcp", 22, 22, "192.0.2.0/28", null),
                        new FirewallIntent.Rule(Direction.INGRESS, "IPv4", "icmp", null, null, null, MEMBERS),
                        new FirewallIntent.Rule(Direction.EGRESS, "IPv4", null, null, null, null, null))),
                new FirewallIntent.SecurityGroup(OPEN, List.of(
                        new FirewallIntent.Rule(Direction.INGRESS, "IPv4", null, null, null, null, null)))),
                Map.of(MEMBERS, members)));
    }

    static final FirewallIntent.Port PORT1 = port(P1, "fa:16:3e:00:00:01", "192.0.2.10", WEB);
    static final FirewallIntent.Port PORT2 = port(P2, "fa:16:3e:00:00:02", "192.0.2.11", OPEN);
    static final FirewallIntent.Port PORT3 = port(P3, "fa:16:3e:00:00:03", "192.0.2.12", OPEN);

    /** The plan the "converged" recording realises. */
    static FirewallPlan plan() { return plan(List.of("192.0.2.11", "192.0.2.12"), PORT1, PORT2); }

    static List<String> lines(FirewallReport report) { return report.commands().stream().map(NftCommand::line).toList(); }

    @Test
    void convergedHostGetsNoTransaction() {
        RecordedNft nft = RecordedNft.of("converged");
        FirewallReport report = new FirewallRealiser(nft, Nft.host()).reconcile(plan());
        assertEquals(List.of(), report.commands());
        assertFalse(report.changed());
        assertTrue(report.succeeded(), report.errors().toString());
        assertEquals(List.of(), nft.transactions());
        assertEquals(FirewallReport.Mode.FULL, report.mode());
    }

    @Test
    void recordedStateIsParsed() {
        NftState state = new FirewallRealiser(RecordedNft.of("converged"), Nft.host()).read(plan());
        NftState.TableState bridge = state.tables().get("bridge skein");
        assertEquals(new FirewallPlan.Hook("filter", "forward", -200, "accept"), bridge.chains().get(FirewallCompiler.FORWARD).hook());
        assertEquals(null, bridge.chains().get(FirewallCompiler.ingressChain(P1)).hook());
        assertTrue(bridge.chains().get(FirewallCompiler.ingressChain(P1)).uses(java.util.Set.of(RG)));
        assertEquals(java.util.Set.of("192.0.2.11", "192.0.2.12"), bridge.sets().get(RG).elements());
        assertEquals(java.util.Set.of("\"" + TAP1 + "\" : jump as-" + P1, "\"" + TAP2 + "\" : jump as-" + P2),
                bridge.sets().get(FirewallCompiler.SPOOF_MAP).elements());
        NftState.TableState inet = state.tables().get("inet skein");
        assertEquals(java.util.Set.of("\"" + DeviceNames.bridge(NET) + "\" : " + FirewallCompiler.conntrackZone(NET)),
                inet.sets().get(FirewallCompiler.ZONE_MAP).elements());
        assertEquals(NftState.Signature.of(FirewallPlan.SetKind.IFNAME_CT_ZONE), inet.sets().get(FirewallCompiler.ZONE_MAP).signature());
    }

    @Test
    void handMadeDriftIsRepairedInOneOrderedTransaction() {
        RecordedNft nft = RecordedNft.of("drifted");
        FirewallReport report = new FirewallRealiser(nft, Nft.host()).reconcile(plan());
        assertTrue(report.succeeded(), report.errors().toString());
        assertEquals(1, nft.transactions().size());
        List<String> lines = lines(report);
        assertEquals(nft.lines(), lines);
        String ig1 = FirewallCompiler.ingressChain(P1), eg2 = FirewallCompiler.egressChain(P2);
        assertEquals(List.of(
                "delete element bridge skein port-ingress { \"bogus0\" }",
                "delete element bridge skein " + RG + " { 198.51.100.99 }",
                "flush chain bridge skein " + ig1,
                "flush chain bridge skein " + eg2,
                "flush chain bridge skein stray-chain",
                "flush chain inet skein ct-mark",
                "delete chain bridge skein stray-chain",
                "delete set inet skein ct-bridges",
                "add set inet skein ct-bridges { type ifname; }"), lines.stream().filter(l -> !l.startsWith("add rule") && !l.startsWith("add element")).toList());
        assertEquals(List.of(
                "add element bridge skein port-spoof { \"" + TAP2 + "\" : jump as-" + P2 + " }",
                "add element bridge skein " + RG + " { 192.0.2.12 }",
                "add element inet skein ct-bridges { \"" + DeviceNames.bridge(NET) + "\" }"),
                lines.stream().filter(l -> l.startsWith("add element")).toList());
        FirewallPlan plan = plan();
        int expectedRules = rulesOf(plan, ig1) + rulesOf(plan, eg2) + rulesOf(plan, FirewallCompiler.CT_MARK_CHAIN);
        assertEquals(expectedRules, lines.stream().filter(l -> l.startsWith("add rule")).count());
        assertTrue(lines.stream().filter(l -> l.startsWith("add rule")).allMatch(l -> l.matches(".* comment \"sk:[0-9a-f]{16}\"")));
        assertTrue(lines.stream().noneMatch(l -> l.contains("flush table") || l.contains("flush ruleset") || l.contains("delete table")));
        assertTrue(report.commands().stream().allMatch(c -> !c.reason().isBlank()));
    }

    static int rulesOf(FirewallPlan plan, String chain) {
        return plan.tables().stream().flatMap(t -> t.chains().stream()).filter(c -> c.name().equals(chain)).findFirst().orElseThrow().rules().size();
    }

    @Test
    void missingTablesAreBuiltFromScratchWithSetsAndChainsBeforeTheirUsers() {
        RecordedNft nft = new RecordedNft();
        FirewallReport report = new FirewallRealiser(nft, Nft.host()).reconcile(plan());
        List<String> lines = lines(report);
        assertEquals("add table bridge skein", lines.getFirst());
        assertTrue(lines.contains("add table inet skein"));
        assertTrue(lines.contains("add map inet skein ct-zones { typeof iifname : ct zone; }"));
        assertTrue(lines.contains("add chain bridge skein port-forward { type filter hook forward priority -200; policy accept; }"));
        int lastSetOrChain = Math.max(lastIndex(lines, "add set"), Math.max(lastIndex(lines, "add map"), lastIndex(lines, "add chain")));
        assertTrue(lastSetOrChain < firstIndex(lines, "add rule"), "rules come after every set and chain they may use");
        assertTrue(lastIndex(lines, "add rule") < firstIndex(lines, "add element"), "map elements jump to chains that exist");
    }

    @Test
    void wrongHookRecreatesTheBaseChainAndItsRules() {
        RecordedNft nft = RecordedNft.of("converged");
        RecordedNft rehooked = new RecordedNft();
        for (String family : List.of("bridge", "inet")) {
            String json = nft.run(List.of("nft", "-j", "list", "table", family, "skein"), "").stdout();
            rehooked.put(family, json.replace("\"hook\": \"forward\", \"prio\": -200", "\"hook\": \"forward\", \"prio\": 0"));
        }
        List<String> lines = lines(new FirewallRealiser(rehooked, Nft.host()).reconcile(plan()));
        assertEquals(List.of(
                "flush chain bridge skein port-forward",
                "delete chain bridge skein port-forward",
                "add chain bridge skein port-forward { type filter hook forward priority -200; policy accept; }"),
                lines.subList(0, 3));
        assertEquals(3, lines.stream().filter(l -> l.startsWith("add rule bridge skein port-forward ")).count());
        assertEquals(6, lines.size());
    }

    @Test
    void updateSendsOnlyTheDeltaFromTheLastRealisedPlanWithoutReading() {
        RecordedNft nft = RecordedNft.of("converged");
        FirewallRealiser realiser = new FirewallRealiser(nft, Nft.host());
        realiser.reconcile(plan());
        nft.calls.clear();

        FirewallReport added = realiser.update(plan(List.of("192.0.2.11", "192.0.2.12"), PORT1, PORT2, PORT3));
        assertEquals(FirewallReport.Mode.INCREMENTAL, added.mode());
        assertEquals(1, nft.calls.size(), "one transaction and no read: " + nft.calls);
        List<String> lines = lines(added);
        assertEquals(List.of(
                "add chain bridge skein as-" + P3,
                "add chain bridge skein nd-" + P3,
                "add chain bridge skein eg-" + P3,
                "add chain bridge skein ig-" + P3), lines.stream().filter(l -> l.startsWith("add chain")).toList());
        assertEquals(List.of(
                "add element bridge skein port-spoof { \"" + TAP3 + "\" : jump as-" + P3 + " }",
                "add element bridge skein port-egress { \"" + TAP3 + "\" : jump eg-" + P3 + " }",
                "add element bridge skein port-ingress { \"" + TAP3 + "\" : jump ig-" + P3 + " }"),
                lines.stream().filter(l -> l.startsWith("add element")).toList());
        assertEquals(List.of(
                "flush chain bridge skein as-" + P3,
                "flush chain bridge skein nd-" + P3,
                "flush chain bridge skein eg-" + P3,
                "flush chain bridge skein ig-" + P3), lines.stream().filter(l -> l.startsWith("flush chain")).toList(),
                "a chain that appeared meanwhile does not keep old rules");
        assertTrue(lines.stream().allMatch(l -> l.startsWith("add chain") || l.startsWith("flush chain") || l.startsWith("add element")
                || l.matches("add rule bridge skein (as|nd|eg|ig)-" + P3 + " .*")), lines.toString());

        nft.calls.clear();
        FirewallReport same = realiser.update(plan(List.of("192.0.2.11", "192.0.2.12"), PORT1, PORT2, PORT3));
        assertEquals(List.of(), same.commands());
        assertEquals(List.of(), nft.calls, "nothing changed, nothing run");

        FirewallReport removed = realiser.update(plan(List.of("192.0.2.12"), PORT1, PORT2));
        assertEquals(List.of(
                "delete element bridge skein port-spoof { \"" + TAP3 + "\" }",
                "delete element bridge skein port-egress { \"" + TAP3 + "\" }",
                "delete element bridge skein port-ingress { \"" + TAP3 + "\" }",
                "delete element bridge skein " + RG + " { 192.0.2.11 }",
                "flush chain bridge skein as-" + P3,
                "flush chain bridge skein nd-" + P3,
                "flush chain bridge skein eg-" + P3,
                "flush chain bridge skein ig-" + P3,
                "delete chain bridge skein as-" + P3,
                "delete chain bridge skein eg-" + P3,
                "delete chain bridge skein ig-" + P3,
                "delete chain bridge skein nd-" + P3), lines(removed));
    }

    @Test
    void updatingToThePlanJustRealisedRunsNothing() {
        RecordedNft nft = RecordedNft.of("converged");
        FirewallRealiser realiser = new FirewallRealiser(nft, Nft.host());
        FirewallPlan current = plan(List.of("192.0.2.11", "192.0.2.12"), PORT1, PORT2, PORT3);
        assertTrue(realiser.update(current).succeeded());
        nft.calls.clear();

        FirewallReport again = realiser.update(current);
        assertEquals(FirewallReport.Mode.INCREMENTAL, again.mode());
        assertTrue(again.succeeded());
        assertEquals(List.of(), again.commands());
        assertEquals(List.of(), nft.calls);
    }

    @Test
    void aRefusedDeltaFallsBackToAFullReconcile() {
        RecordedNft nft = RecordedNft.of("converged");
        FirewallRealiser realiser = new FirewallRealiser(nft, Nft.host());
        realiser.reconcile(plan());
        nft.calls.clear();
        nft.transactionResult = new CommandRunner.Result(1, "", "Error: Could not process rule: No such file or directory");
        FirewallReport report = realiser.update(plan(List.of("192.0.2.12"), PORT1, PORT2));
        assertEquals(FirewallReport.Mode.FULL, report.mode());
        assertTrue(report.notes().getLast().contains("incremental change was refused"), report.notes().toString());
        assertTrue(nft.calls.stream().anyMatch(c -> c.argv().contains("list")), "the kernel was read back");
        assertFalse(report.succeeded(), "the recorded kernel refuses the repair too");

        nft.transactionResult = new CommandRunner.Result(0, "", "");
        nft.calls.clear();
        realiser.update(plan());
        assertTrue(nft.calls.stream().anyMatch(c -> c.argv().contains("list")), "after a failure the next update reads the kernel first");
    }

    @Test
    void bridgedTrafficIsMadeVisibleToConntrack() {
        RecordedNft nft = RecordedNft.of("converged");
        nft.sysctlValue = "0";
        FirewallReport report = new FirewallRealiser(nft, new Nft("skt-h1")).reconcile(plan());
        assertEquals(2, report.notes().stream().filter(n -> n.contains("set to 1")).count(), report.notes().toString());
        assertTrue(nft.calls.stream().anyMatch(c -> c.argv().equals(List.of("ip", "netns", "exec", "skt-h1", "sysctl", "-q", "-w",
                "net.bridge.bridge-nf-call-iptables=1"))));
        assertTrue(nft.calls.stream().allMatch(c -> c.argv().subList(0, 4).equals(List.of("ip", "netns", "exec", "skt-h1"))));
    }

    @Test
    void toolFailuresBecomeErrorsInTheReport() {
        CommandRunner noNft = (argv, stdin) -> {
            if (argv.contains("sysctl")) return new CommandRunner.Result(0, "1\n", "");
            throw new java.io.UncheckedIOException("cannot start nft", new java.io.IOException("No such file"));
        };
        FirewallReport missing = new FirewallRealiser(noNft, Nft.host()).update(plan());
        assertFalse(missing.succeeded());
        assertEquals(List.of("cannot start nft"), missing.errors());

        CommandRunner refusing = (argv, stdin) -> argv.contains("sysctl") ? new CommandRunner.Result(0, "1\n", "")
                : new CommandRunner.Result(1, "", "Error: Operation not permitted");
        FirewallReport denied = new FirewallRealiser(refusing, Nft.host()).reconcile(plan());
        assertTrue(denied.errors().getFirst().contains("Operation not permitted"), denied.errors().toString());
    }

    @Test
    void textThatCouldInjectACommandIsRefused() {
        FirewallPlan evil = new FirewallPlan(List.of(new FirewallPlan.Table(FirewallPlan.Family.BRIDGE, "skein", List.of(),
                List.of(new FirewallPlan.Chain("c-1", null, List.of("accept; flush ruleset"))))), List.of());
        assertThrows(IllegalArgumentException.class, () -> FirewallDiff.compute(evil, new NftState(Map.of())));
        FirewallPlan braces = new FirewallPlan(List.of(new FirewallPlan.Table(FirewallPlan.Family.BRIDGE, "skein", List.of(),
                List.of(new FirewallPlan.Chain("c-1", null, List.of("tcp dport { 22, 80 } accept"))))), List.of());
        assertThrows(IllegalArgumentException.class, () -> FirewallDiff.compute(braces, new NftState(Map.of())),
                "anonymous sets would make every element change fetch them all");
    }

    static int firstIndex(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith(prefix)) return i;
        return -1;
    }

    static int lastIndex(List<String> lines, String prefix) {
        for (int i = lines.size() - 1; i >= 0; i--) if (lines.get(i).startsWith(prefix)) return i;
        return -1;
    }
}
