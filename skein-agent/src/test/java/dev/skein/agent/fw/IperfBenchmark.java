package dev.skein.agent.fw;

import dev.skein.plan.DeviceNames;
import dev.skein.plan.fw.FirewallCompiler;
import dev.skein.plan.fw.FirewallIntent;
import dev.skein.plan.fw.FirewallIntent.Direction;
import dev.skein.plan.fw.FirewallPlan;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCP throughput between two VMs on one simulated host (a namespace with a bridge), first with no nftables
 * ruleset at all, then with Skein's firewall for 1000 ports of 20 security-group rules each loaded on that host,
 * the two VMs among those ports. The iperf3 traffic is admitted by the group's last rule (a remote-group rule), so
 * new connections walk every rule and the stream itself rides the established fast path, as real traffic would.
 * Not part of the test suite (the class name does not end in Test); run it with bench/fw/iperf.sh. Needs root
 * and iperf3.
 */
class IperfBenchmark {
    static final int PORTS = 1000;
    static final int IPERF_PORT = 5201;
    static final Pattern RECEIVED = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)");

    @Test
    void throughputWithAndWithoutTheRuleset() throws IOException {
        assertNull(FwLab.missing(), "the benchmark needs root, iproute2, nftables, ping and python3");
        assertTrue(FwLab.SHELL.run(List.of("iperf3", "--version"), "").ok(), "the benchmark needs iperf3 (Debian package iperf3)");
        int seconds = Integer.getInteger("fw.iperf.seconds", 4);
        try (FwLab lab = new FwLab()) {
            String host = lab.netns("host");
            // The ruleset tracks connections only on the bridges its networks own, so the lab bridge must bear that name.
            String bridge = DeviceNames.bridge(FirewallBenchmark.NET);
            lab.bridge(host, bridge);
            FirewallPlan plan = plan();
            List<FirewallIntent.Port> vms = List.of(port(1), port(2));
            String client = lab.pluggedVm("vma", host, bridge, vms.get(0).tap(), vms.get(0).mac(), FirewallBenchmark.ip(1) + "/16");
            String server = lab.pluggedVm("vmb", host, bridge, vms.get(1).tap(), vms.get(1).mac(), FirewallBenchmark.ip(2) + "/16");
            Process iperfServer = lab.start(List.of("ip", "netns", "exec", server, "iperf3", "-s", "--forceflush", "-p", String.valueOf(IPERF_PORT)));
            awaitListening(iperfServer);
            String target = FirewallBenchmark.ip(2);
            assertTrue(lab.reaches(client, target), "the VMs reach each other");

            double[] bare = {bitsPerSecond(lab, client, target, seconds, false), bitsPerSecond(lab, client, target, seconds, true)};
            FirewallReport loaded = new FirewallRealiser(FwLab.SHELL, new Nft(host)).reconcile(plan);
            assertTrue(loaded.succeeded(), loaded.errors().toString());
            int rules = plan.tables().stream().flatMap(t -> t.chains().stream()).mapToInt(c -> c.rules().size()).sum();
            assertTrue(lab.reaches(client, target), "the loaded ruleset still lets the VMs ping each other");
            double[] filtered = {bitsPerSecond(lab, client, target, seconds, false), bitsPerSecond(lab, client, target, seconds, true)};

            System.out.printf("iperf3 TCP, %d s per run, two VMs on one bridge%n", seconds);
            System.out.printf("%-10s  %-44s  %10s  %10s%n", "direction", "ruleset", "Gbit/s", "ratio");
            String[] way = {"a -> b", "b -> a"};
            for (int i = 0; i < 2; i++) {
                System.out.printf("%-10s  %-44s  %10.2f  %10s%n", way[i], "none", bare[i] / 1e9, "");
                System.out.printf("%-10s  %-44s  %10.2f  %10.3f%n", way[i], PORTS + " ports x 20 rules (" + rules + " nft rules)",
                        filtered[i] / 1e9, filtered[i] / bare[i]);
            }
        }
    }

    private static void awaitListening(Process server) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.contains("Server listening")) return;
        }
        throw new IllegalStateException("iperf3 server did not start");
    }

    private static double bitsPerSecond(FwLab lab, String client, String target, int seconds, boolean reverse) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", client, "iperf3", "-J", "-c", target,
                "-p", String.valueOf(IPERF_PORT), "-t", String.valueOf(seconds)));
        if (reverse) argv.add("-R");
        String json = FwLab.SHELL.run(argv, "").stdout();
        Matcher m = RECEIVED.matcher(json);
        if (!m.find()) throw new IllegalStateException("no throughput in iperf3 output: " + json);
        return Double.parseDouble(m.group(1));
    }

    /** The benchmark's 1000 ports in one group; port i is the VM 10.100.0.i, and the group admits iperf3 from its members. */
    static FirewallPlan plan() {
        List<FirewallIntent.Port> ports = new ArrayList<>();
        List<String> members = new ArrayList<>();
        for (int i = 1; i <= PORTS; i++) {
            ports.add(port(i));
            members.add(FirewallBenchmark.ip(i));
        }
        List<FirewallIntent.Rule> rules = new ArrayList<>(FirewallBenchmark.rules(19));
        rules.add(new FirewallIntent.Rule(Direction.INGRESS, "IPv4", "tcp", IPERF_PORT, IPERF_PORT, null, FirewallBenchmark.GROUP));
        return FirewallCompiler.compile(new FirewallIntent(ports, List.of(new FirewallIntent.SecurityGroup(FirewallBenchmark.GROUP, rules)),
                Map.of(FirewallBenchmark.GROUP, members)));
    }

    static FirewallIntent.Port port(int i) {
        return new FirewallIntent.Port(String.format("%08x-0000-4000-8000-000000000000", i), FirewallBenchmark.NET,
                String.format("tap%08x-00", i), FirewallBenchmark.mac(i), List.of(FirewallBenchmark.ip(i)), List.of(), true,
                List.of(FirewallBenchmark.GROUP));
    }
}
