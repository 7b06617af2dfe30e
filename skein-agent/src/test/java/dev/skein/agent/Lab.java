package dev.skein.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Simulated hosts and VMs as network namespaces, all named with one random prefix so that parallel runs and
 * other users of the machine are never touched. Closing it deletes every namespace it created, which takes the
 * veths, bridges, VXLAN devices and nft tables inside them along. The L2 and firewall data-plane tests share it.
 */
public class Lab implements AutoCloseable {
    public static final CommandRunner SHELL = new ProcessRunner();

    public final String prefix = String.format("skt%06x-", ThreadLocalRandom.current().nextInt(1 << 24));
    private final List<String> namespaces = new ArrayList<>();

    /** True when this process may create namespaces (root) and iproute2 is installed. */
    public static boolean available() {
        try {
            return SHELL.run(List.of("id", "-u"), "").stdout().strip().equals("0")
                    && SHELL.run(List.of("ip", "-V"), "").ok();
        } catch (RuntimeException e) {
            return false;
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

    public String run(String... argv) {
        CommandRunner.Result r = SHELL.run(List.of(argv), "");
        if (!r.ok()) throw new IllegalStateException(String.join(" ", argv) + " failed: " + r.stderr().strip());
        return r.stdout();
    }

    /**
     * Deletes every namespace named with this lab's prefix, also those an agent under test created, after killing
     * (by PID) the processes running in them: a dnsmasq or haproxy left running would keep its namespace alive.
     */
    @Override
    public void close() {
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
