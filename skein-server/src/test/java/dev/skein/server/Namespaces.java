package dev.skein.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces standing in for hypervisor hosts and VMs, named with one random prefix per test so that
 * nothing else on the machine is touched. Closing deletes every namespace made here; that removes the veths,
 * bridges and VXLAN devices inside them too.
 */
final class Namespaces implements AutoCloseable {
    final String prefix = String.format("ske%05x-", ThreadLocalRandom.current().nextInt(1 << 20));
    private final List<String> made = new ArrayList<>();

    record Result(int exit, String out) {
        boolean ok() { return exit == 0; }
    }

    /** What the data-plane tests need and this machine lacks (root, ip, ping), or null when nothing is missing. */
    static String missingTools() {
        if (!run("id", "-u").out().strip().equals("0")) return "root (CI runs the data-plane tests as root)";
        if (!run("ip", "-V").ok()) return "iproute2";
        if (!run("ping", "-V").ok()) return "ping (Debian package iputils-ping)";
        return null;
    }

    String add(String name) {
        String ns = prefix + name;
        must("ip", "netns", "add", ns);
        made.add(ns);
        must("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /** A veth "cable" named dev at both ends between two hosts, each end with an address; MTU 1550 leaves room for VXLAN. */
    void underlay(String hostA, String cidrA, String hostB, String cidrB, String dev) {
        must("ip", "-n", hostA, "link", "add", dev, "type", "veth", "peer", "name", dev, "netns", hostB);
        for (String[] end : new String[][] {{hostA, cidrA}, {hostB, cidrB}}) {
            must("ip", "-n", end[0], "link", "set", dev, "mtu", "1550", "up");
            must("ip", "-n", end[0], "addr", "add", end[1], "dev", dev);
        }
    }

    /**
     * Starts a VM as a hypervisor would for a port: a namespace with eth0 carrying the port's MAC and address, and
     * the host end of its veth, named tap, left down and unattached in the host for the agent to plug.
     */
    String vm(String name, String host, String tap, String mac, String cidr, int mtu) {
        String ns = add(name);
        must("ip", "-n", host, "link", "add", tap, "type", "veth", "peer", "name", "eth0", "netns", ns);
        must("ip", "-n", ns, "link", "set", "eth0", "address", mac, "mtu", String.valueOf(mtu), "up");
        must("ip", "-n", ns, "addr", "add", cidr, "dev", "eth0");
        return ns;
    }

    /** One echo request, a second to answer; retried a few times because the first also waits for ARP. */
    boolean reaches(String fromNs, String address) {
        for (int i = 0; i < 4; i++) {
            if (run("ip", "netns", "exec", fromNs, "ping", "-n", "-q", "-c", "1", "-W", "1", address).ok()) return true;
        }
        return false;
    }

    static Result run(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out + "\n(timed out)");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String must(String... argv) {
        Result r = run(argv);
        if (!r.ok()) throw new IllegalStateException(String.join(" ", argv) + " failed: " + r.out().strip());
        return r.out();
    }

    /**
     * Deletes every namespace named with this prefix, those the agents under test made for DHCP servers and routers
     * included, after killing by PID what runs inside them (dnsmasq, haproxy, listeners): a process left running
     * would outlive its namespace.
     */
    @Override
    public void close() {
        List<String> all = new ArrayList<>(made.reversed());
        for (String line : run("ip", "netns", "list").out().split("\n")) {
            String ns = line.strip().split("\\s+")[0];
            if (ns.startsWith(prefix) && !all.contains(ns)) all.addFirst(ns);
        }
        for (String ns : all) {
            for (String pid : run("ip", "netns", "pids", ns).out().split("\\s+")) {
                if (!pid.isBlank()) run("kill", "-9", pid.strip());
            }
            run("ip", "netns", "del", ns);
        }
        made.clear();
    }
}
