package dev.skein.agent;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Simulated hosts and VMs as network namespaces, all named with one random prefix so that parallel runs and
 * other users of the machine are never touched. Closing it deletes every namespace it created, which takes the
 * veths, bridges, VXLAN devices and nft tables inside them along, after stopping the processes it started. The
 * L2, firewall, DHCP, router and metadata data-plane tests share it.
 */
public class Lab implements AutoCloseable {
    public static final CommandRunner SHELL = new ProcessRunner();
    public static final String PYTHON = new File("/usr/bin/python3").canExecute() ? "/usr/bin/python3" : "python3";

    public final String prefix = String.format("skt%06x-", ThreadLocalRandom.current().nextInt(1 << 24));
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    /** True when this process may create namespaces (root) and iproute2 is installed. */
    public static boolean available() {
        try {
            return SHELL.run(List.of("id", "-u"), "").stdout().strip().equals("0")
                    && SHELL.run(List.of("ip", "-V"), "").ok();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Why the firewall and router data-plane tests cannot run here, or null if they can: they need root, iproute2,
     * nftables, ping and python3, and whatever the extra probe commands (e.g. arping -V) check.
     */
    @SafeVarargs
    public static String missing(List<String>... extraProbes) {
        try {
            if (!SHELL.run(List.of("id", "-u"), "").stdout().strip().equals("0")) return "root";
            List<List<String>> probes = new ArrayList<>(List.of(List.of("ip", "-V"), List.of("nft", "--version"), List.of("ping", "-V"),
                    List.of(PYTHON, "--version")));
            probes.addAll(List.of(extraProbes));
            for (List<String> probe : probes) {
                if (!SHELL.run(probe, "").ok()) return probe.get(0);
            }
            return null;
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    public static boolean hasPing() {
        try {
            return SHELL.run(List.of("ping", "-V"), "").ok();
        } catch (RuntimeException e) {
            return false;
        }
    }

    public String netns(String name) {
        String ns = prefix + name;
        run("ip", "netns", "add", ns);
        namespaces.add(ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /** Two hosts joined by a veth "cable" named dev on both ends, with an address on each; MTU 1550 fits VXLAN's 50 bytes. */
    public void cable(String hostA, String addressA, String hostB, String addressB, String dev) {
        run("ip", "-n", hostA, "link", "add", dev, "type", "veth", "peer", "name", dev, "netns", hostB);
        for (String[] end : new String[][] {{hostA, addressA}, {hostB, addressB}}) {
            run("ip", "-n", end[0], "link", "set", dev, "mtu", "1550", "up");
            if (end[1] != null) run("ip", "-n", end[0], "addr", "add", end[1], "dev", dev);
        }
    }

    /** A VM as a hypervisor would start it: its own namespace, with the host end of its veth named tap and left alone. */
    public String vm(String name, String hostNs, String tap, String mac, String cidr) {
        String ns = netns(name);
        run("ip", "-n", hostNs, "link", "add", tap, "type", "veth", "peer", "name", "eth0", "netns", ns);
        run("ip", "-n", ns, "link", "set", "eth0", "address", mac, "up");
        run("ip", "-n", ns, "addr", "add", cidr, "dev", "eth0");
        return ns;
    }

    public boolean ping(String fromNs, String address, String... extra) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", fromNs, "ping", "-n", "-q", "-c", "1", "-W", "1"));
        argv.addAll(List.of(extra));
        argv.add(address);
        return SHELL.run(argv, "").ok();
    }

    /** Retries a few times because the first echo also has to wait for ARP across the overlay. */
    public boolean reaches(String fromNs, String address, String... extra) {
        for (int i = 0; i < 3; i++) if (ping(fromNs, address, extra)) return true;
        return false;
    }

    /**
     * True when a TCP connection from fromNs to address:port completes within seconds; the process gets a second
     * more, so that python's own start is not counted against the connection.
     */
    public boolean connects(String fromNs, String address, int port, int seconds) {
        return SHELL.run(List.of("ip", "netns", "exec", fromNs, "timeout", String.valueOf(seconds + 1), PYTHON, "-c",
                "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3])).close()",
                address, String.valueOf(port), String.valueOf(seconds)), "").ok();
    }

    /** Starts a process (its output and errors on one stream) that close() stops, with its children, by handle. */
    public Process start(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String run(String... argv) {
        CommandRunner.Result r = SHELL.run(List.of(argv), "");
        if (!r.ok()) throw new IllegalStateException(String.join(" ", argv) + " failed: " + r.stderr().strip());
        return r.stdout();
    }

    /**
     * Stops the processes start() started, then deletes every namespace named with this lab's prefix, also those an
     * agent under test created, after killing (by PID) the processes running in them: a dnsmasq or haproxy left
     * running would keep its namespace alive.
     */
    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        List<String> all = new ArrayList<>(namespaces.reversed());
        for (String line : SHELL.run(List.of("ip", "netns", "list"), "").stdout().split("\n")) {
            String ns = line.strip().split("\\s+")[0];
            if (ns.startsWith(prefix) && !all.contains(ns)) all.addFirst(ns);
        }
        for (String ns : all) {
            for (String pid : SHELL.run(List.of("ip", "netns", "pids", ns), "").stdout().split("\\s+")) {
                if (!pid.isBlank()) SHELL.run(List.of("kill", "-9", pid.strip()), "");
            }
            SHELL.run(List.of("ip", "netns", "del", ns), "");
        }
        namespaces.clear();
    }
}
