package dev.skein.agent.dhcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skein.agent.CommandRunner;
import dev.skein.agent.Iproute2;
import dev.skein.agent.host.AgentSettings;
import dev.skein.agent.metadata.MetadataProxies;
import dev.skein.ipam.IpAddresses;
import dev.skein.plan.DeviceNames;
import dev.skein.plan.dhcp.DhcpPlan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Makes a network node's DHCP servers match its {@link DhcpPlan}: per server a namespace ("qdhcp-" + network id),
 * a veth whose host end is the DHCP port's tap (which the L2 realiser plugs into the network's bridge) and whose
 * other end ("ns-" + the start of the port id) carries the port's MAC and addresses, and a dnsmasq configured by
 * {@link DnsmasqConfig}.
 *
 * <p>dnsmasq runs detached from the agent and is found again from its pid file and /proc, so an agent restart
 * leaves every lease and every server alone. It is restarted only when its command line (subnets, lease time,
 * interface) or its interface changed; reservations and options are rewritten and re-read on SIGHUP. A process is
 * only ever signalled when its command line names this server's pid file: nothing the agent did not start is
 * touched.
 *
 * <p>Like the firewall, two ways in: {@link #reconcile} reads everything back (namespaces, devices, processes) and
 * also removes the servers of this agent the plan no longer holds, for start-up and resyncs; {@link #update} diffs
 * against the plan realised last and touches only the servers that changed, so an unchanged plan costs a few file
 * reads per server and no command at all. Not thread-safe by design: calls are serialised.
 */
public final class DhcpRealiser {
    public static final String NAMESPACE_KIND = "qdhcp-";
    static final String DEVICE_PREFIX = "ns-";
    private static final int PORT_ID_CHARS = 11;
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);
    private static final Duration START_WAIT = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A namespace of its own needs neither: addresses are allocated by IPAM, and router advertisements are not for it. */
    private static final List<String> NAMESPACE_SYSCTLS = List.of("net.ipv6.conf.default.accept_dad=0",
            "net.ipv6.conf.default.accept_ra=0", "net.ipv6.conf.all.accept_ra=0");

    private final CommandRunner runner;
    private final AgentSettings settings;
    private final MetadataProxies metadata;
    private final ProcessTable processes;
    private final Iproute2 host;
    /** The servers realised last, by network id; null when nothing is known and the next call must read back. */
    private Map<String, DhcpPlan.Server> realised;

    public DhcpRealiser(CommandRunner runner, AgentSettings settings, MetadataProxies metadata) {
        this(runner, settings, metadata, ProcessTable.LINUX);
    }

    DhcpRealiser(CommandRunner runner, AgentSettings settings, MetadataProxies metadata, ProcessTable processes) {
        this.runner = runner;
        this.settings = settings;
        this.metadata = metadata;
        this.processes = processes;
        this.host = new Iproute2(settings.netns());
    }

    /** The "ns-" end of a DHCP port's veth, named like its tap so that one gives the other. */
    public static String device(String portId) {
        return DEVICE_PREFIX + DeviceNames.tap(portId).substring(DeviceNames.TAP_PREFIX.length());
    }

    public String namespace(String networkId) { return settings.serviceNamespace(NAMESPACE_KIND, networkId); }

    public DhcpFiles files(String networkId) { return DhcpFiles.of(settings.stateDir(), networkId); }

    /** What one call did, collected as it goes. */
    private static final class Work {
        final List<String> changes = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        final List<String> errors = new ArrayList<>();

        DhcpReport report(DhcpReport.Mode mode) { return new DhcpReport(mode, changes, notes, errors); }
    }

    public synchronized DhcpReport reconcile(DhcpPlan plan) {
        Work w = new Work();
        realised = null;
        Map<String, DhcpPlan.Server> done = new LinkedHashMap<>();
        try {
            Set<String> hostLinks = plan.servers().isEmpty() ? Set.of() : hostLinks();
            for (DhcpPlan.Server s : plan.servers()) {
                if (realise(s, null, hostLinks::contains, w)) done.put(s.networkId(), s);
            }
            Set<String> wanted = new TreeSet<>(plan.servers().stream().map(DhcpPlan.Server::networkId).toList());
            for (String stale : ours()) {
                if (wanted.contains(stale)) continue;
                try {
                    remove(stale, null, w);
                } catch (RuntimeException e) {
                    w.errors.add("stale network " + stale + ": " + e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            w.errors.add(e.getMessage());
        }
        if (w.errors.isEmpty()) realised = done;
        return w.report(DhcpReport.Mode.FULL);
    }

    public synchronized DhcpReport update(DhcpPlan plan) {
        if (realised == null) return reconcile(plan);
        Work w = new Work();
        Map<String, DhcpPlan.Server> next = new LinkedHashMap<>();
        Set<String> wanted = new TreeSet<>(plan.servers().stream().map(DhcpPlan.Server::networkId).toList());
        for (DhcpPlan.Server old : realised.values()) {
            if (wanted.contains(old.networkId())) continue;
            try {
                remove(old.networkId(), old.portId(), w);
            } catch (RuntimeException e) {
                w.errors.add("network " + old.networkId() + ": " + e.getMessage());
            }
        }
        for (DhcpPlan.Server s : plan.servers()) {
            DhcpPlan.Server before = realised.get(s.networkId());
            // The one check an unchanged server gets: a dnsmasq that died is started again.
            if (s.equals(before) && serving(s)) next.put(s.networkId(), s);
            else if (realise(s, before, this::hostLinkExists, w)) next.put(s.networkId(), s);
        }
        realised = w.errors.isEmpty() ? next : null;
        return w.report(DhcpReport.Mode.INCREMENTAL);
    }

    /** The pid of the dnsmasq serving a network, if this agent runs one for it. */
    public synchronized Long pid(String networkId) {
        Running r = running(files(networkId));
        return r == null ? null : r.pid();
    }

    /** Realises one server; before is what was realised for it last (null: nothing known). True when it is served. */
    private boolean realise(DhcpPlan.Server s, DhcpPlan.Server before, Predicate<String> tapExists, Work w) {
        String ns = namespace(s.networkId());
        String dev = device(s.portId());
        DhcpFiles files = files(s.networkId());
        DnsmasqConfig config = DnsmasqConfig.of(s, files, dev);
        config.notes().forEach(n -> w.notes.add("network " + s.networkId() + ": " + n));
        try {
            boolean interfaceChanged = false;
            if (before == null || !samePlumbing(before, s) || processes.netnsId(ns) == null) {
                interfaceChanged = plumb(s, ns, dev, tapExists, w);
            }
            boolean filesChanged = write(files.hosts(), config.hosts()) | write(files.opts(), config.opts());
            Running r = running(files);
            String nsId = processes.netnsId(ns);
            if (r != null && r.argv().equals(config.argv()) && Objects.equals(r.netns(), nsId) && !interfaceChanged) {
                if (filesChanged) {
                    signal("HUP", r.pid());
                    w.changes.add(ns + ": reservations and options re-read (SIGHUP to dnsmasq " + r.pid() + ")");
                }
            } else {
                if (r != null) {
                    stop(r.pid(), files);
                    w.changes.add(ns + ": dnsmasq " + r.pid() + " stopped (" + (r.argv().equals(config.argv()) ? "its interface or namespace changed" : "its command line changed") + ")");
                }
                long pid = start(ns, files, config);
                w.changes.add(ns + ": dnsmasq " + pid + " started");
            }
            if (s.metadata()) metadata.ensure(ns, DnsmasqConfig.METADATA_ADDRESS, 80, MetadataProxies.Origin.network(s.networkId()));
            else if (before == null || before.metadata()) metadata.remove(ns);
            return true;
        } catch (RuntimeException e) {
            w.errors.add("network " + s.networkId() + ": " + e.getMessage());
            return false;
        }
    }

    private static boolean samePlumbing(DhcpPlan.Server a, DhcpPlan.Server b) {
        return a.portId().equals(b.portId()) && a.mac().equals(b.mac()) && a.mtu() == b.mtu()
                && a.addresses().equals(b.addresses()) && a.metadata() == b.metadata();
    }

    /** True when this server's dnsmasq runs with the command line the plan asks for, in the server's namespace. */
    private boolean serving(DhcpPlan.Server s) {
        Running r = running(files(s.networkId()));
        if (r == null) return false;
        String ns = processes.netnsId(namespace(s.networkId()));
        return ns != null && ns.equals(r.netns()) && r.argv().equals(DnsmasqConfig.of(s, files(s.networkId()), device(s.portId())).argv());
    }

    /**
     * Makes the namespace, the veth pair and the service end's MAC, MTU and addresses match the plan. True when
     * the interface dnsmasq serves was created or readdressed, which a running dnsmasq must be restarted for.
     */
    private boolean plumb(DhcpPlan.Server s, String ns, String dev, Predicate<String> tapExists, Work w) {
        String tap = DeviceNames.tap(s.portId());
        if (processes.netnsId(ns) == null) {
            run(List.of("ip", "netns", "add", ns));
            List<String> sysctl = new ArrayList<>(List.of("ip", "netns", "exec", ns, "sysctl", "-q", "-w"));
            sysctl.addAll(NAMESPACE_SYSCTLS);
            run(sysctl);
            w.changes.add(ns + ": namespace created");
        }
        Iproute2 inside = new Iproute2(ns);
        NamespaceLinks links = NamespaceLinks.parse(query(inside.ip("-j", "-d", "addr", "show")));
        NamespaceLinks.Link link = links.links().get(dev);
        boolean created = false;
        if (link == null || !"veth".equals(link.kind()) || !tapExists.test(tap)) {
            if (link != null) run(inside.ip("link", "del", dev));
            if (tapExists.test(tap)) run(host.ip("link", "del", tap));
            run(host.ip("link", "add", tap, "mtu", String.valueOf(s.mtu()), "type", "veth", "peer", "name", dev,
                    "mtu", String.valueOf(s.mtu()), "address", s.mac(), "netns", ns));
            run(host.ip("link", "set", tap, "up"));
            w.changes.add(ns + ": veth " + tap + " / " + dev + " created");
            link = new NamespaceLinks.Link(dev, "veth", s.mac(), s.mtu(), false, List.of());
            created = true;
        }
        List<String> batch = new ArrayList<>();
        for (NamespaceLinks.Link other : links.links().values()) {
            if (other.name().equals("lo") && !other.up()) batch.add("link set lo up");
            // Nothing else belongs in this namespace: a device left from an earlier DHCP port goes.
            if (!other.name().equals("lo") && !other.name().equals(dev)) batch.add("link del " + other.name());
        }
        if (!link.mac().equals(s.mac())) batch.add("link set " + dev + " address " + s.mac());
        if (link.mtu() != s.mtu()) batch.add("link set " + dev + " mtu " + s.mtu());
        Set<String> want = new LinkedHashSet<>();
        for (String a : s.addresses()) want.add(normalised(a));
        if (s.metadata()) want.add(DnsmasqConfig.METADATA_ADDRESS + "/32");
        Set<String> have = new LinkedHashSet<>();
        for (String a : link.addresses()) have.add(normalised(a));
        boolean readdressed = false;
        for (String a : have) {
            if (!want.contains(a)) {
                batch.add("addr del " + a + " dev " + dev);
                readdressed = true;
            }
        }
        for (String a : want) {
            if (!have.contains(a)) {
                batch.add("addr add " + a + " dev " + dev + (a.contains(":") ? " nodad" : ""));
                readdressed = true;
            }
        }
        if (!link.up()) batch.add("link set " + dev + " up");
        if (!batch.isEmpty()) {
            CommandRunner.Result r = runner.run(inside.batch("ip"), String.join("\n", batch) + "\n");
            if (!r.ok()) throw new IllegalStateException("ip batch in " + ns + " exited " + r.exitCode() + ": " + r.stderr().strip());
            w.changes.add(ns + ": " + String.join("; ", batch));
        }
        return created || readdressed;
    }

    private static String normalised(String cidr) {
        IpAddresses.Prefix p = IpAddresses.parsePrefix(cidr);
        if (p == null) throw new IllegalArgumentException("bad address '" + cidr + "'");
        return IpAddresses.format(p.version(), p.address()) + "/" + p.length();
    }

    /** Stops a network's server and removes its namespace, veth and files; portId may be null (then read from the namespace). */
    private void remove(String networkId, String portId, Work w) {
        String ns = namespace(networkId);
        DhcpFiles files = files(networkId);
        Running r = running(files);
        if (r != null) {
            stop(r.pid(), files);
            w.changes.add(ns + ": dnsmasq " + r.pid() + " stopped");
        }
        metadata.remove(ns);
        boolean exists = processes.netnsId(ns) != null;
        String tap = portId == null ? null : DeviceNames.tap(portId);
        if (tap == null && exists) {
            for (String name : NamespaceLinks.parse(query(new Iproute2(ns).ip("-j", "-d", "addr", "show"))).links().keySet()) {
                if (name.startsWith(DEVICE_PREFIX)) tap = DeviceNames.TAP_PREFIX + name.substring(DEVICE_PREFIX.length());
            }
        }
        // The tap goes first: a namespace's devices die only once nothing holds the namespace any more.
        if (tap != null && hostLinkExists(tap)) {
            run(host.ip("link", "del", tap));
            w.changes.add(ns + ": veth " + tap + " deleted");
        }
        if (exists) {
            run(List.of("ip", "netns", "del", ns));
            w.changes.add(ns + ": namespace deleted");
        }
        deleteTree(files.dir());
    }

    /** Network ids this agent serves according to the kernel and the state directory. */
    private Set<String> ours() {
        Set<String> ids = new TreeSet<>();
        String prefix = namespace("");
        for (JsonNode n : json(query(List.of("ip", "-j", "netns", "list")))) {
            String name = n.path("name").asText();
            if (name.startsWith(prefix) && name.length() > prefix.length()) ids.add(name.substring(prefix.length()));
        }
        Path root = DhcpFiles.root(settings.stateDir());
        if (Files.isDirectory(root)) {
            try (Stream<Path> dirs = Files.list(root)) {
                dirs.filter(Files::isDirectory).forEach(d -> ids.add(d.getFileName().toString()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
        }
        return ids;
    }

    private Set<String> hostLinks() {
        Set<String> names = new TreeSet<>();
        for (JsonNode l : json(query(host.ip("-j", "link", "show")))) names.add(l.path("ifname").asText());
        return names;
    }

    private boolean hostLinkExists(String name) {
        return runner.run(host.ip("-j", "link", "show", "dev", name), "").ok();
    }

    private record Running(long pid, List<String> argv, String netns) {}

    /** The dnsmasq this agent started for these files, if it still runs. */
    private Running running(DhcpFiles files) {
        Long pid = readPid(files.pid());
        if (pid == null) return null;
        List<String> argv = processes.cmdline(pid);
        if (argv.isEmpty() || !Path.of(argv.getFirst()).getFileName().toString().equals("dnsmasq")
                || !argv.contains("--pid-file=" + files.pid())) return null;
        return new Running(pid, argv, processes.netnsOf(pid));
    }

    private static Long readPid(Path file) {
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** Starts dnsmasq in ns; it daemonises, so it outlives the agent, and writes its pid once it serves. */
    private long start(String ns, DhcpFiles files, DnsmasqConfig config) {
        try {
            Files.deleteIfExists(files.pid());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(config.argv());
        CommandRunner.Result r = runner.run(argv, "");
        if (!r.ok()) throw new IllegalStateException("dnsmasq did not start (exit " + r.exitCode() + "): " + r.stderr().strip());
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (true) {
            Running started = running(files);
            if (started != null) return started.pid();
            if (System.nanoTime() > deadline) throw new IllegalStateException("dnsmasq started but wrote no pid file " + files.pid());
            pause();
        }
    }

    /** SIGTERM, then SIGKILL if it lingers; the caller has checked that the process is this agent's dnsmasq. */
    private void stop(long pid, DhcpFiles files) {
        signal("TERM", pid);
        if (!exited(pid)) {
            signal("KILL", pid);
            if (!exited(pid)) throw new IllegalStateException("dnsmasq " + pid + " does not exit");
        }
        try {
            Files.deleteIfExists(files.pid());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean exited(long pid) {
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        while (!processes.cmdline(pid).isEmpty()) {
            if (System.nanoTime() > deadline) return false;
            pause();
        }
        return true;
    }

    private void signal(String signal, long pid) {
        CommandRunner.Result r = runner.run(List.of("kill", "-" + signal, Long.toString(pid)), "");
        if (!r.ok() && !processes.cmdline(pid).isEmpty()) throw new IllegalStateException("kill -" + signal + " " + pid + ": " + r.stderr().strip());
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for dnsmasq", e);
        }
    }

    /** Writes file (atomically, so dnsmasq never reads half of it) unless it already holds content; true if written. */
    private static boolean write(Path file, String content) {
        try {
            if (Files.exists(file) && Files.readString(file).equals(content)) return false;
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".new");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    private void run(List<String> argv) {
        CommandRunner.Result r = runner.run(argv, "");
        if (!r.ok()) throw new IllegalStateException(String.join(" ", argv) + " exited " + r.exitCode() + ": " + r.stderr().strip());
    }

    private String query(List<String> argv) {
        CommandRunner.Result r = runner.run(argv, "");
        if (!r.ok()) throw new IllegalStateException(String.join(" ", argv) + " exited " + r.exitCode() + ": " + r.stderr().strip());
        return r.stdout();
    }

    private static JsonNode json(String text) {
        try {
            JsonNode node = JSON.readTree(text.isBlank() ? "[]" : text);
            if (!node.isArray()) throw new IllegalArgumentException("expected a JSON array from iproute2");
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable iproute2 JSON: " + e.getOriginalMessage(), e);
        }
    }
}
