package dev.skein.agent.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skein.agent.CommandRunner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A kernel that understands exactly the ip and bridge batch lines the L2 realiser sends and answers its JSON
 * reads, so the agent's whole loop can run without root. Taps appear and vanish as a hypervisor would make them.
 */
final class FakeKernel implements CommandRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Link(String kind, String master, int mtu, boolean up, Integer vni, String local) {
        Link with(String newMaster, int newMtu, boolean newUp) { return new Link(kind, newMaster, newMtu, newUp, vni, local); }
    }

    private final Map<String, Link> links = new LinkedHashMap<>();
    private final Set<List<String>> fdb = new LinkedHashSet<>();
    final List<String> batchLines = new ArrayList<>();
    volatile boolean nftRefuses;
    final AtomicInteger nftTransactions = new AtomicInteger();
    /** Reads of every link, and reads of one device. */
    final AtomicInteger fullLinkReads = new AtomicInteger();
    final List<String> deviceReads = new CopyOnWriteArrayList<>();

    synchronized void addTap(String name) { links.put(name, new Link("veth", null, 1500, false, null, null)); }

    synchronized void removeTap(String name) { links.remove(name); }

    /** Takes the device out of its bridge, as someone might by hand. */
    synchronized void unplug(String name) { links.computeIfPresent(name, (n, l) -> l.with(null, l.mtu(), l.up())); }

    synchronized String masterOf(String name) { return links.containsKey(name) ? links.get(name).master() : null; }

    synchronized boolean has(String name) { return links.containsKey(name); }

    synchronized List<List<String>> fdbOf(String device) {
        return fdb.stream().filter(e -> e.get(0).equals(device)).toList();
    }

    synchronized int batchCount() { return batchLines.size(); }

    @Override
    public synchronized Result run(List<String> argv, String stdin) {
        if (argv.contains("-batch")) {
            stdin.lines().forEach(line -> {
                batchLines.add(argv.get(0) + " " + line);
                if (argv.get(0).equals("ip")) ip(line.split(" ")); else bridge(line.split(" "));
            });
            return new Result(0, "", "");
        }
        // The firewall is exercised on real namespaces elsewhere; here it only has to succeed, with no table yet.
        if (argv.contains("sysctl")) return new Result(0, "1\n", "");
        if (argv.contains("nft") && argv.contains("list")) return new Result(1, "", "Error: No such file or directory");
        if (argv.contains("nft")) {
            nftTransactions.incrementAndGet();
            return nftRefuses ? new Result(1, "", "Error: Could not process rule") : new Result(0, "", "");
        }
        // No DHCP server runs here, so there is no service namespace to find.
        if (argv.equals(List.of("ip", "-j", "netns", "list"))) return new Result(0, "[]", "");
        int dev = argv.indexOf("dev");
        String device = dev < 0 ? null : argv.get(dev + 1);
        if (argv.get(0).equals("ip") && argv.contains("link")) {
            if (device == null) {
                fullLinkReads.incrementAndGet();
                return new Result(0, linksJson(null), "");
            }
            deviceReads.add(device);
            return links.containsKey(device) ? new Result(0, linksJson(device), "") : new Result(1, "", "Device \"" + device + "\" does not exist.");
        }
        if (argv.get(0).equals("bridge") && argv.contains("fdb")) return new Result(0, fdbJson(device), "");
        throw new AssertionError("unexpected command " + argv);
    }

    private void ip(String[] w) {
        String name = w[2];
        switch (w[1]) {
            case "add" -> {
                int mtu = Integer.parseInt(w[4]);
                if (w[6].equals("bridge")) links.put(name, new Link("bridge", null, mtu, false, null, null));
                else links.put(name, new Link("vxlan", null, mtu, false, Integer.parseInt(w[8]), w[10]));
            }
            case "del" -> {
                links.remove(name);
                links.replaceAll((n, l) -> name.equals(l.master()) ? l.with(null, l.mtu(), l.up()) : l);
                fdb.removeIf(e -> e.get(0).equals(name));
            }
            case "set" -> {
                Link l = links.get(name);
                if (l == null) return;
                String master = l.master();
                int mtu = l.mtu();
                boolean up = l.up();
                for (int i = 3; i < w.length; i++) {
                    switch (w[i]) {
                        case "master" -> master = w[++i];
                        case "nomaster" -> master = null;
                        case "mtu" -> mtu = Integer.parseInt(w[++i]);
                        case "up" -> up = true;
                        case "down" -> up = false;
                        default -> throw new AssertionError("unexpected ip line " + String.join(" ", w));
                    }
                }
                links.put(name, l.with(master, mtu, up));
            }
            default -> throw new AssertionError("unexpected ip line " + String.join(" ", w));
        }
    }

    private void bridge(String[] w) {
        List<String> entry = List.of(w[4], w[2], w[6]);
        switch (w[1]) {
            case "append", "replace" -> {
                if (w[1].equals("replace")) fdb.removeIf(e -> e.get(0).equals(w[4]) && e.get(1).equals(w[2]));
                fdb.add(entry);
            }
            case "del" -> fdb.remove(entry);
            default -> throw new AssertionError("unexpected bridge line " + String.join(" ", w));
        }
    }

    private String linksJson(String only) {
        ArrayNode out = JSON.createArrayNode();
        links.forEach((name, l) -> {
            if (only != null && !only.equals(name)) return;
            ObjectNode o = out.addObject();
            o.put("ifname", name);
            ArrayNode flags = o.putArray("flags");
            flags.add("BROADCAST");
            if (l.up()) flags.add("UP");
            o.put("mtu", l.mtu());
            if (l.master() != null) o.put("master", l.master());
            ObjectNode info = o.putObject("linkinfo");
            info.put("info_kind", l.kind());
            if (l.vni() != null) {
                ObjectNode data = info.putObject("info_data");
                data.put("id", l.vni());
                data.put("local", l.local());
                data.put("port", 4789);
                data.put("learning", false);
            }
        });
        return out.toString();
    }

    private String fdbJson(String only) {
        ArrayNode out = JSON.createArrayNode();
        for (List<String> e : fdb) {
            if (only != null && !only.equals(e.get(0))) continue;
            ObjectNode o = out.addObject();
            o.put("mac", e.get(1));
            o.put("ifname", e.get(0));
            o.put("dst", e.get(2));
            o.putArray("flags").add("self");
        }
        return out.toString();
    }
}
