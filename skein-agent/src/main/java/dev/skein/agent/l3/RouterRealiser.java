package dev.skein.agent.l3;

import dev.skein.agent.CommandRunner;
import dev.skein.agent.Iproute2;
import dev.skein.agent.fw.Nft;
import dev.skein.agent.fw.NftState;
import dev.skein.agent.host.AgentSettings;
import dev.skein.agent.metadata.MetadataProxies;
import dev.skein.plan.l3.RouterPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Makes a network node's routers match its {@link RouterPlan}: one namespace per router, joined to the host's
 * bridges by veth pairs whose host end carries the port's tap name (the L2 realiser then enslaves it, as it does
 * a VM's), with the ports' addresses, the default and extra routes, forwarding, and the NAT table of
 * {@link RouterNat}.
 *
 * <p>Two ways in, as for the firewall:
 * <ul>
 *   <li>{@link #reconcile} reads every router back from the kernel (links, addresses, routes, sysctls, the NAT
 *       table) and repairs whatever differs, including changes made by hand. For start-up and after every fetch.</li>
 *   <li>{@link #update} goes through a router only when its plan differs from the one realised last or one of its
 *       taps has gone from the host; it then reads that router's links and routes back, but compares the NAT table
 *       with the text it sent last instead of listing it. A reconcile of unchanged routers costs one
 *       {@code ip link show}.</li>
 * </ul>
 * Nothing is flushed; a router that already matches gets no command, so an agent restarted with the same plan
 * changes nothing and drops no packet.
 *
 * <p>A router namespace is this agent's when the state directory holds its marker (written before the namespace
 * is created), so stale routers are found without listing the host's namespaces, and a namespace of the same
 * name that another program made is never deleted.
 *
 * <p>Gratuitous ARP for floating IPs that appeared or moved, and dropping the conntrack entries of those that
 * moved or went, happen in the background: arping needs a second per announcement, which the reconcile loop must
 * not wait for. Each change's announcement runs on its own virtual thread, so a floating IP associated just after
 * another is announced at once rather than behind the other's arping.
 */
public final class RouterRealiser {
    private static final Logger LOG = LoggerFactory.getLogger(RouterRealiser.class);
    public static final String NAMESPACE_KIND = "qrouter-";
    /** The metadata proxy listens on every IPv4 address of the router's namespace; the NAT table keeps outsiders away. */
    public static final String METADATA_LISTEN = "0.0.0.0";
    private static final Pattern ID = Pattern.compile("[0-9A-Za-z][0-9A-Za-z-]*");
    private static final String ANNOUNCE = "dev=$1; shift; for a; do arping -q -U -c 2 -I \"$dev\" \"$a\" || echo \"$a\" & done; wait";
    private static final String FORGET = "command -v conntrack >/dev/null || { echo conntrack is not installed >&2; exit 1; }; "
            + "for a; do conntrack -D -d \"$a\"; conntrack -D -q \"$a\"; done >/dev/null 2>&1; exit 0";

    private final CommandRunner runner;
    private final AgentSettings settings;
    private final Iproute2 host;
    private final MetadataProxies metadata;
    private final Executor background;
    private final Path markers;
    private final Map<String, Realised> realised = new HashMap<>();
    private final Set<CompletableFuture<Void>> announcing = ConcurrentHashMap.newKeySet();

    /** A router as last realised: its plan, the NAT table text sent, and what could not be realised. */
    private record Realised(RouterPlan.Router router, String nat, List<String> notes) {}

    public RouterRealiser(CommandRunner runner, AgentSettings settings, MetadataProxies metadata) {
        this(runner, settings, metadata, Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("skein-router-announce").factory()));
    }

    /** background runs the announcements; a test passes one that runs them at once. */
    RouterRealiser(CommandRunner runner, AgentSettings settings, MetadataProxies metadata, Executor background) {
        this.runner = runner;
        this.settings = settings;
        this.host = new Iproute2(settings.netns());
        this.metadata = metadata;
        this.background = background;
        this.markers = settings.stateDir().resolve("routers");
    }

    public String namespace(String routerId) { return settings.serviceNamespace(NAMESPACE_KIND, routerId); }

    public synchronized RouterReport reconcile(RouterPlan plan) { return new Pass(true).run(plan); }

    public synchronized RouterReport update(RouterPlan plan) { return new Pass(false).run(plan); }

    /** Forgets what was realised, so the next {@link #update} reads every router back. */
    public synchronized void forget() { realised.clear(); }

    /** Waits until the announcements asked for so far have been sent; for tests and measurements. */
    public void awaitAnnouncements(Duration timeout) {
        try {
            CompletableFuture.allOf(announcing.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("announcements still running after " + timeout, e);
        }
    }

    /** One call's work: what it changed and found, and the kernel reads it shares between routers. */
    private final class Pass {
        private final boolean readBack;
        private final List<String> changes = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private final List<String> errors = new ArrayList<>();
        private Map<String, RouterState.HostLink> hostLinks;
        private Set<String> namespaces;

        Pass(boolean readBack) { this.readBack = readBack; }

        RouterReport run(RouterPlan plan) {
            Set<String> wanted = new TreeSet<>();
            plan.routers().forEach(r -> wanted.add(r.id()));
            Set<String> known = new TreeSet<>(realised.keySet());
            try {
                known.addAll(marked());
            } catch (UncheckedIOException e) {
                errors.add("cannot list the routers in " + markers + ": " + e.getMessage());
            }
            for (String id : known) {
                if (wanted.contains(id)) continue;
                try {
                    remove(id);
                } catch (RuntimeException e) {
                    errors.add("router " + id + ": cannot remove: " + e.getMessage());
                }
            }
            for (RouterPlan.Router r : plan.routers()) {
                try {
                    router(r);
                } catch (RuntimeException e) {
                    realised.remove(r.id());
                    errors.add("router " + r.id() + ": " + e.getMessage());
                }
            }
            return new RouterReport(changes, notes, errors);
        }

        private void router(RouterPlan.Router r) {
            requireId(r.id());
            String ns = namespace(r.id());
            Realised last = realised.get(r.id());
            if (!readBack && last != null && last.router().equals(r) && tapsPresent(r)) {
                notes.addAll(last.notes());
                return;
            }
            realised.remove(r.id());
            List<String> routerNotes = new ArrayList<>();
            RouterNat nat = RouterNat.of(r, routerNotes);
            String natText = nat.render();
            mark(r.id());
            if (!namespaces().contains(ns)) {
                check(runner.run(List.of("ip", "netns", "add", ns), ""), "ip netns add " + ns);
                namespaces.add(ns);
                change(r, "namespace " + ns + " created");
            }
            Iproute2 inside = new Iproute2(ns);
            Nft nft = new Nft(ns);
            RouterState state = read(r, inside, nft);

            String natDifference;
            Map<String, String> previousFips;
            if (readBack || last == null) {
                NftState.TableState table = readTable(nft);
                natDifference = nat.difference(table);
                previousFips = RouterNat.floatingIps(table);
            } else {
                natDifference = natText.equals(last.nat()) ? null : "plan changed";
                previousFips = RouterNat.of(last.router(), new ArrayList<>()).floatingIps();
            }
            RouterDiff.Result diff = RouterDiff.compute(r, ns, state, hostLinks(), previousFips, nat.floatingIps());
            routerNotes.addAll(diff.notes());
            routerNotes.replaceAll(n -> "router " + r.id() + ": " + n);
            int failures = errors.size();

            batch(r, inside, diff.before());
            batch(r, host, diff.host());
            if (!diff.host().isEmpty()) hostLinks = null;
            if (!diff.sysctls().isEmpty()) {
                List<String> args = new ArrayList<>(List.of("-q", "-w"));
                diff.sysctls().forEach((k, v) -> args.add(k + "=" + v));
                CommandRunner.Result res = runner.run(nft.sysctl(args.toArray(String[]::new)), "");
                if (res.ok()) change(r, "sysctl " + String.join(" ", args.subList(2, args.size())));
                else errors.add("router " + r.id() + ": sysctl exited " + res.exitCode() + ": " + res.stderr().strip());
            }
            // The translations go in before the addresses that attract the traffic, and leave after them.
            if (natDifference != null) {
                CommandRunner.Result res = runner.run(nft.transaction(), nat.transaction());
                if (res.ok()) change(r, "nft table " + RouterNat.SPEC + " replaced (" + natDifference + ")");
                else errors.add("router " + r.id() + ": nft -f exited " + res.exitCode() + ": " + res.stderr().strip());
            }
            batch(r, inside, diff.inside());
            try {
                if (r.metadata()) metadata.ensure(ns, METADATA_LISTEN, RouterNat.METADATA_PORT, MetadataProxies.Origin.router(r.id()));
                else metadata.remove(ns);
            } catch (RuntimeException e) {
                errors.add("router " + r.id() + ": metadata proxy: " + e.getMessage());
            }
            String qg = r.gateway() == null ? null : RouterDiff.gatewayDevice(r.gateway().portId());
            announce(ns, qg, diff.announce(), diff.forget());
            notes.addAll(routerNotes);
            if (errors.size() == failures) realised.put(r.id(), new Realised(r, natText, routerNotes));
        }

        /** Tears a router down: its proxy, its devices (and so their taps in the host), its namespace, its marker. */
        private void remove(String id) {
            requireId(id);
            String ns = namespace(id);
            metadata.remove(ns);
            if (namespaces().contains(ns)) {
                Iproute2 inside = new Iproute2(ns);
                StringBuilder batch = new StringBuilder();
                for (String name : RouterState.hostLinks(query(inside.ip("-j", "link", "show"))).keySet()) {
                    if (name.startsWith(RouterDiff.INTERFACE_PREFIX) || name.startsWith(RouterDiff.GATEWAY_PREFIX)) {
                        batch.append("link del ").append(name).append('\n');
                    }
                }
                // The devices go explicitly: a process someone left inside would keep the namespace, and so the
                // veths and their taps, alive after "ip netns del".
                if (!batch.isEmpty()) check(runner.run(inside.batch("ip"), batch.toString()), "ip batch in " + ns);
                check(runner.run(List.of("ip", "netns", "del", ns), ""), "ip netns del " + ns);
                namespaces.remove(ns);
                hostLinks = null;
                changes.add("router " + id + ": namespace " + ns + " deleted");
            }
            try {
                Files.deleteIfExists(markers.resolve(id));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            realised.remove(id);
        }

        private RouterState read(RouterPlan.Router r, Iproute2 inside, Nft nft) {
            CommandRunner.Result batch = runner.run(inside.ip("-d", "-j", "-batch", "-"), "addr show\nroute show\n");
            check(batch, "ip -d -j -batch - (addr show, route show) in " + inside.netns());
            RouterState read = RouterState.parse(batch.stdout());
            boolean ipv6 = RouterDiff.usesIpv6(r, read);
            if (ipv6) read = read.withIpv6Routes(query(inside.ip("-6", "-j", "route", "show")));
            List<String> keys = new ArrayList<>(RouterDiff.sysctls(ipv6).keySet());
            CommandRunner.Result sysctl = runner.run(nft.sysctl(keys.toArray(String[]::new)), "");
            check(sysctl, "sysctl in " + inside.netns());
            return read.withSysctls(sysctl.stdout());
        }

        private NftState.TableState readTable(Nft nft) {
            CommandRunner.Result res = runner.run(nft.nft("-j", "list", "table", RouterNat.FAMILY, RouterNat.TABLE), "");
            if (!res.ok()) {
                if (res.stderr().contains("No such file or directory")) return null;
                check(res, "nft -j list table " + RouterNat.SPEC + " in " + nft.netns());
            }
            return NftState.parse(List.of(res.stdout())).tables().get(NftState.key(RouterNat.FAMILY, RouterNat.TABLE));
        }

        private void batch(RouterPlan.Router r, Iproute2 where, List<RouterDiff.Step> steps) {
            if (steps.isEmpty()) return;
            StringBuilder text = new StringBuilder();
            for (RouterDiff.Step s : steps) {
                text.append(s.line()).append('\n');
                change(r, (where == host ? "host: ip " : "ip ") + s);
            }
            CommandRunner.Result res = runner.run(where.batch("ip"), text.toString());
            if (!res.ok()) errors.add("router " + r.id() + ": ip batch exited " + res.exitCode() + ": " + res.stderr().strip());
        }

        private boolean tapsPresent(RouterPlan.Router r) {
            Map<String, RouterState.HostLink> links = hostLinks();
            return RouterDiff.devices(r, Map.of()).stream().allMatch(d -> links.containsKey(d.tap()));
        }

        private Map<String, RouterState.HostLink> hostLinks() {
            if (hostLinks == null) hostLinks = RouterState.hostLinks(query(host.ip("-j", "link", "show")));
            return hostLinks;
        }

        private Set<String> namespaces() {
            if (namespaces == null) namespaces = new TreeSet<>(RouterState.namespaces(query(List.of("ip", "-j", "netns", "list"))));
            return namespaces;
        }

        private void change(RouterPlan.Router r, String what) { changes.add("router " + r.id() + ": " + what); }
    }

    /** Drops the conntrack entries of floating IPs that moved or went, then announces the addresses that appeared or moved. */
    private void announce(String ns, String gatewayDevice, List<String> announce, List<String> forget) {
        if (announce.isEmpty() && forget.isEmpty()) return;
        CompletableFuture<Void> task = CompletableFuture.runAsync(() -> {
            try {
                if (!forget.isEmpty()) {
                    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns, "sh", "-c", FORGET, "sh"));
                    argv.addAll(forget);
                    CommandRunner.Result r = runner.run(argv, "");
                    if (!r.ok()) LOG.warn("cannot drop the connections of floating IPs {} in {}: {}", forget, ns, r.stderr().strip());
                }
                if (!announce.isEmpty() && gatewayDevice != null) {
                    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns, "sh", "-c", ANNOUNCE, "sh", gatewayDevice));
                    argv.addAll(announce);
                    CommandRunner.Result r = runner.run(argv, "");
                    if (!r.ok() || !r.stdout().isBlank()) {
                        LOG.warn("gratuitous ARP from {} in {} failed for {}: {}", gatewayDevice, ns,
                                r.ok() ? r.stdout().strip().replace('\n', ' ') : announce, r.stderr().strip());
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("cannot announce floating IPs in {}: {}", ns, e.getMessage());
            }
        }, background);
        announcing.add(task);
        task.whenComplete((done, failure) -> announcing.remove(task));
    }

    private Set<String> marked() {
        if (!Files.isDirectory(markers)) return Set.of();
        try (Stream<Path> files = Files.list(markers)) {
            Set<String> out = new TreeSet<>();
            files.map(p -> p.getFileName().toString()).filter(n -> ID.matcher(n).matches()).forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void mark(String id) {
        Path marker = markers.resolve(id);
        if (Files.exists(marker)) return;
        try {
            Files.createDirectories(markers);
            Files.writeString(marker, namespace(id) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record router " + id + " in " + markers, e);
        }
    }

    private String query(List<String> argv) {
        return check(runner.run(argv, ""), String.join(" ", argv)).stdout();
    }

    private static CommandRunner.Result check(CommandRunner.Result r, String what) {
        if (!r.ok()) throw new IllegalStateException(what + " exited " + r.exitCode() + ": " + r.stderr().strip());
        return r;
    }

    private static void requireId(String id) {
        if (id == null || !ID.matcher(id).matches()) throw new IllegalArgumentException("'" + id + "' cannot name a router namespace");
    }
}
