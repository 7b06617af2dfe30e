package dev.skein.agent.l3;

import dev.skein.agent.Lab;
import dev.skein.agent.host.AgentSettings;
import dev.skein.agent.metadata.UnservedMetadata;
import dev.skein.plan.l3.RouterPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How long realising one router takes with 50 interfaces and 500 floating IPs: from scratch, by a restarted agent
 * (a second realiser reading everything back and finding nothing to change), and single floating-IP changes. Not
 * part of the test suite (the class name does not end in Test); run it with bench/l3/run.sh. Needs root. Prints
 * one line per measurement.
 */
class RouterBenchmark {
    static final int REPEAT = 5;
    static final String ROUTER = "be000000-0000-4000-8000-000000000001";
    static final String EXT_NET = "e0000000-0000-4000-8000-000000000001";

    @TempDir
    Path state;

    @Test
    void oneLargeRouter() {
        assertNull(L3Lab.missing(), "the benchmark needs root, iproute2, nftables, ping, python3 and arping");
        int interfaces = Integer.getInteger("l3.bench.interfaces", 50);
        int fips = Integer.getInteger("l3.bench.fips", 500);
        System.out.println("interfaces  floating-ips  operation                                     median ms  max ms");
        try (Lab lab = new Lab()) {
            String host = lab.netns("bench");
            AgentSettings settings = new AgentSettings("bench", "198.51.100.1", Map.of(), host, Duration.ofSeconds(10),
                    Duration.ofSeconds(45), Duration.ofMillis(30), null, state);
            RouterPlan plan = plan(interfaces, fips);
            RouterRealiser first = new RouterRealiser(Lab.SHELL, settings, new UnservedMetadata());

            long start = System.nanoTime();
            RouterReport created = first.reconcile(plan);
            long realised = System.nanoTime() - start;
            assertTrue(created.succeeded() && created.changed(), created.errors().toString());
            report(interfaces, fips, "realise from scratch", new long[] {realised});
            first.awaitAnnouncements(Duration.ofMinutes(2));
            report(interfaces, fips, "... until every gratuitous ARP is sent", new long[] {System.nanoTime() - start});

            report(interfaces, fips, "agent restart: new realiser, full read-back", time(() -> {
                RouterReport r = new RouterRealiser(Lab.SHELL, settings, new UnservedMetadata()).reconcile(plan);
                assertEquals(List.of(), r.changes());
                return r;
            }));
            report(interfaces, fips, "full read-back, nothing to change", time(() -> first.reconcile(plan)));
            report(interfaces, fips, "update, nothing changed", time(() -> first.update(plan)));

            RouterPlan plusOne = plan(interfaces, fips + 1);
            report(interfaces, fips, "update: add one floating IP", alternate(first, plusOne, plan));
            report(interfaces, fips, "update: remove one floating IP", alternate(first, plan, plusOne));
            first.awaitAnnouncements(Duration.ofMinutes(1));
        }
    }

    /** Steps from {@code from} to {@code to} REPEAT times, timing only those steps; ends with {@code from} realised. */
    private static long[] alternate(RouterRealiser realiser, RouterPlan to, RouterPlan from) {
        long[] out = new long[REPEAT];
        for (int i = 0; i < REPEAT; i++) {
            assertTrue(realiser.update(from).succeeded());
            long t = System.nanoTime();
            RouterReport r = realiser.update(to);
            out[i] = System.nanoTime() - t;
            assertTrue(r.succeeded() && r.changed(), r.toString());
        }
        assertTrue(realiser.update(from).succeeded());
        return out;
    }

    private static long[] time(Supplier<RouterReport> op) {
        long[] out = new long[REPEAT];
        for (int i = 0; i < REPEAT; i++) {
            long t = System.nanoTime();
            RouterReport r = op.get();
            out[i] = System.nanoTime() - t;
            assertTrue(r.succeeded() && !r.changed(), r.toString());
        }
        return out;
    }

    private static void report(int interfaces, int fips, String what, long[] nanos) {
        long[] ms = Arrays.stream(nanos).map(n -> n / 1_000_000).sorted().toArray();
        System.out.printf("%10d  %12d  %-44s  %9d  %6d%n", interfaces, fips, what, ms[ms.length / 2], ms[ms.length - 1]);
    }

    /**
     * A router on the benchmarking range 198.18.0.0/15: interface k holds 10.k.0.1/24 on network k, and the floating
     * IPs 198.18.1.0 onwards lead to fixed addresses spread over the interfaces' subnets.
     */
    static RouterPlan plan(int interfaces, int fips) {
        List<RouterPlan.Interface> ifs = new ArrayList<>();
        for (int k = 0; k < interfaces; k++) {
            ifs.add(new RouterPlan.Interface(String.format("1f%06x-0000-4000-8000-000000000000", k), String.format("a0%06x-0000-4000-8000-000000000000", k),
                    String.format("fa:16:3e:01:%02x:%02x", k >> 8, k & 255), 1450, List.of("10." + k + ".0.1/24")));
        }
        List<RouterPlan.FloatingIp> floating = new ArrayList<>();
        for (int i = 0; i < fips; i++) {
            int k = i % interfaces;
            floating.add(new RouterPlan.FloatingIp(String.format("f0%06x-0000-4000-8000-000000000000", i),
                    "198.18." + (1 + i / 256) + "." + (i % 256), "10." + k + "." + (i / interfaces / 250) + "." + (10 + i / interfaces % 250)));
        }
        return new RouterPlan(List.of(new RouterPlan.Router(ROUTER, "bench",
                new RouterPlan.Gateway("9e000000-0000-4000-8000-000000000001", EXT_NET, "fa:16:3e:02:00:01", 1500, List.of("198.18.0.1/15"),
                        List.of("198.18.0.254"), true),
                ifs, List.of(), floating, true)));
    }
}
