package dev.skein.agent.fw;

import dev.skein.plan.fw.FirewallCompiler;
import dev.skein.plan.fw.FirewallIntent;
import dev.skein.plan.fw.FirewallIntent.Direction;
import dev.skein.plan.fw.FirewallPlan;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How long realising a firewall takes with 1, 100 and 1000 ports on a host, each port in a security group of 20
 * rules (one of them a remote-group rule). Not part of the test suite (the class name does not end in Test);
 * run it with bench/fw/run.sh. Needs root. Prints one line per measurement.
 */
class FirewallBenchmark {
    static final int RULES = 20;
    static final int REPEAT = 5;
    static final String NET = "be4c0000-0000-4000-8000-000000000001";
    static final String GROUP = "5e900000-0000-4000-8000-000000000001";
    static final String OTHER = "5e900000-0000-4000-8000-000000000002";

    @Test
    void oneChangeStaysSmallAsPortsGrow() {
        assertNull(FwLab.missing(), "the benchmark needs root, iproute2, nftables, ping and python3");
        String sizes = System.getProperty("fw.bench.ports", "1,100,1000");
        System.out.println("ports  rules-in-table  operation                                   median ms  max ms");
        for (String n : sizes.split(",")) {
            try (FwLab lab = new FwLab()) {
                run(lab, Integer.parseInt(n.strip()));
            }
        }
    }

    private static void run(FwLab lab, int ports) {
        String host = lab.netns("bench");
        FirewallRealiser realiser = new FirewallRealiser(FwLab.SHELL, new Nft(host));
        FirewallPlan base = plan(ports, 0, ports);
        int rules = base.tables().stream().flatMap(t -> t.chains().stream()).mapToInt(c -> c.rules().size()).sum();

        long start = System.nanoTime();
        assertTrue(realiser.reconcile(base).succeeded());
        report(ports, rules, "full apply into an empty host", new long[] {System.nanoTime() - start});

        report(ports, rules, "full reconcile, nothing to change", time(() -> realiser.reconcile(base), r -> !r.changed()));

        FirewallPlan plusOne = plan(ports + 1, 0, ports);
        report(ports, rules, "update: add one port", alternate(realiser, plusOne, base, base));
        report(ports, rules, "update: remove one port", alternate(realiser, base, plusOne, base));
        report(ports, rules, "update: change one port's groups", alternate(realiser, plan(ports, 1, ports), base, base));
        report(ports, rules, "update: add one remote-group member", alternate(realiser, plan(ports, 0, ports + 1), base, base));
        long[] full = new long[REPEAT];
        for (int i = 0; i < REPEAT; i++) {
            realiser.forget();
            long t = System.nanoTime();
            FirewallReport r = realiser.reconcile(i % 2 == 0 ? plusOne : base);
            full[i] = System.nanoTime() - t;
            assertTrue(r.succeeded() && r.changed(), r.errors().toString());
        }
        report(ports, rules, "full reconcile: add or remove one port", full);
    }

    /** Steps from {@code from} to {@code to} REPEAT times, timing only those steps; ends with the base plan realised. */
    private static long[] alternate(FirewallRealiser realiser, FirewallPlan to, FirewallPlan from, FirewallPlan base) {
        long[] out = new long[REPEAT];
        for (int i = 0; i < REPEAT; i++) {
            assertTrue(realiser.update(from).succeeded());
            long t = System.nanoTime();
            FirewallReport r = realiser.update(to);
            out[i] = System.nanoTime() - t;
            assertTrue(r.succeeded() && r.mode() == FirewallReport.Mode.INCREMENTAL && r.changed(), r.toString());
        }
        assertTrue(realiser.update(base).succeeded());
        return out;
    }

    private static long[] time(Supplier<FirewallReport> op, java.util.function.Predicate<FirewallReport> expect) {
        long[] out = new long[REPEAT];
        for (int i = 0; i < REPEAT; i++) {
            long t = System.nanoTime();
            FirewallReport r = op.get();
            out[i] = System.nanoTime() - t;
            assertTrue(r.succeeded() && expect.test(r), r.toString());
        }
        return out;
    }

    private static void report(int ports, int rules, String what, long[] nanos) {
        long[] ms = Arrays.stream(nanos).map(n -> n / 1_000_000).sorted().toArray();
        System.out.printf("%5d  %14d  %-42s  %9d  %6d%n", ports, rules, what, ms[ms.length / 2], ms[ms.length - 1]);
    }

    /**
     * ports ports in one group of 20 rules; the first {@code moved} of them are in a second, smaller group instead;
     * the remote group has {@code members} addresses.
     */
    static FirewallPlan plan(int ports, int moved, int members) {
        List<FirewallIntent.Port> list = new ArrayList<>();
        for (int i = 0; i < ports; i++) {
            String id = String.format("%08x-0000-4000-8000-000000000000", i);
            list.add(new FirewallIntent.Port(id, NET, String.format("tap%08x-00", i), mac(i), List.of(ip(i), String.format("2001:db8::%x", i + 16)),
                    List.of(), true, List.of(i < moved ? OTHER : GROUP)));
        }
        List<String> memberIps = new ArrayList<>();
        for (int i = 0; i < members; i++) memberIps.add(ip(i));
        return FirewallCompiler.compile(new FirewallIntent(list, List.of(
                new FirewallIntent.SecurityGroup(GROUP, rules(RULES)), new FirewallIntent.SecurityGroup(OTHER, rules(RULES / 2))),
                Map.of(GROUP, memberIps)));
    }

    static List<FirewallIntent.Rule> rules(int n) {
        List<FirewallIntent.Rule> out = new ArrayList<>();
        out.add(new FirewallIntent.Rule(Direction.INGRESS, "IPv4", "icmp", null, null, null, GROUP));
        out.add(new FirewallIntent.Rule(Direction.EGRESS, "IPv4", null, null, null, null, null));
        out.add(new FirewallIntent.Rule(Direction.EGRESS, "IPv6", null, null, null, null, null));
        for (int k = 0; out.size() < n; k++) {
            out.add(new FirewallIntent.Rule(Direction.INGRESS, k % 3 == 0 ? "IPv6" : "IPv4", k % 2 == 0 ? "tcp" : "udp", 1000 + k, 1000 + k + k % 4,
                    k % 3 == 0 ? "2001:db8:" + k + "::/48" : "10." + k + ".0.0/16", null));
        }
        return out;
    }

    static String ip(int i) { return "10." + (100 + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256); }

    static String mac(int i) { return String.format("fa:16:3e:%02x:%02x:%02x", (i >> 16) & 255, (i >> 8) & 255, i & 255); }
}
