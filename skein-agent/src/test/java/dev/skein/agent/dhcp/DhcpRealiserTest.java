package dev.skein.agent.dhcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skein.agent.CommandRunner;
import dev.skein.agent.host.AgentSettings;
import dev.skein.agent.metadata.MetadataProxies;
import dev.skein.plan.DeviceNames;
import dev.skein.plan.dhcp.DhcpPlan;
import dev.skein.plan.dhcp.DhcpPlan.Reservation;
import dev.skein.plan.dhcp.DhcpPlan.Subnet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The realiser's decisions against a simulated host: what it runs, restarts, signals and leaves alone. */
class DhcpRealiserTest {
    static final String NET = "5e5e5e5e-0000-4000-8000-000000000001";
    static final String PORT = "d0d0d0d0-0000-4000-8000-000000000001";
    static final String HOST_NS = "node";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;
    SimulatedHost host;
    AgentSettings settings;

    @BeforeEach
    void setUp() {
        host = new SimulatedHost();
        settings = new AgentSettings("nn", "198.51.100.1", Map.of(), HOST_NS, AgentSettings.DEFAULT_HEARTBEAT, AgentSettings.DEFAULT_RESYNC,
                AgentSettings.DEFAULT_DEBOUNCE, Set.of(AgentSettings.Role.NETWORK), state);
    }

    DhcpRealiser realiser() { return new DhcpRealiser(host, settings, host, host); }

    static DhcpPlan plan(int leaseSeconds, String... reservedMacs) {
        Subnet subnet = new Subnet("s4", 4, "192.0.2.0/24", "192.0.2.1", List.of(), List.of(), null, null, true);
        List<Reservation> reservations = new ArrayList<>();
        for (int i = 0; i < reservedMacs.length; i++) reservations.add(new Reservation("p" + i, reservedMacs[i], List.of("192.0.2." + (10 + i)), null));
        return new DhcpPlan(List.of(new DhcpPlan.Server(NET, PORT, "fa:16:3e:00:00:02", 1450, List.of("192.0.2.2/24"), List.of(subnet),
                reservations, null, leaseSeconds, false)));
    }

    @Test
    void createsEverythingThenChangesOnlyWhatChanged() {
        DhcpRealiser r = realiser();
        DhcpReport created = r.reconcile(plan(600, "fa:16:3e:00:00:10"));
        assertTrue(created.succeeded(), created.errors().toString());
        String ns = HOST_NS + "-qdhcp-" + NET;
        assertTrue(host.namespaces.contains(ns));
        assertTrue(host.hostLinks.contains(DeviceNames.tap(PORT)));
        long pid = r.pid(NET);
        assertEquals(List.of("link set lo up", "addr add 192.0.2.2/24 dev ns-d0d0d0d0-00", "link set ns-d0d0d0d0-00 up"), host.batchLines);

        host.commands.clear();
        assertFalse(r.update(plan(600, "fa:16:3e:00:00:10")).changed());
        assertEquals(List.of(), host.commands, "nothing changed, nothing run");

        DhcpReport reserved = r.update(plan(600, "fa:16:3e:00:00:10", "fa:16:3e:00:00:11"));
        assertTrue(reserved.succeeded(), reserved.errors().toString());
        assertEquals(List.of("kill -HUP " + pid), host.commands);
        assertEquals(pid, r.pid(NET));

        host.commands.clear();
        assertTrue(r.update(plan(1200, "fa:16:3e:00:00:10", "fa:16:3e:00:00:11")).succeeded());
        assertEquals("kill -TERM " + pid, host.commands.getFirst(), "a new lease time restarts dnsmasq");
        assertNotEquals(pid, r.pid(NET));
    }

    @Test
    void aPidFileNamingSomeoneElsesProcessIsNeverSignalled() throws IOException {
        DhcpFiles files = DhcpFiles.of(state, NET);
        Files.createDirectories(files.dir());
        Files.writeString(files.pid(), "4242\n");
        host.processes.put(4242L, List.of("/usr/sbin/dnsmasq", "--pid-file=/var/run/someone-else.pid"));

        DhcpReport report = realiser().reconcile(plan(600));
        assertTrue(report.succeeded(), report.errors().toString());
        assertTrue(host.commands.stream().noneMatch(c -> c.startsWith("kill")), host.commands.toString());
        assertTrue(host.processes.containsKey(4242L));
        assertEquals(2, host.processes.size(), "ours was started beside it");

        DhcpReport removed = realiser().reconcile(DhcpPlan.EMPTY);
        assertTrue(removed.succeeded(), removed.errors().toString());
        assertEquals(List.of(4242L), List.copyOf(host.processes.keySet()), "only ours was stopped");
        assertFalse(host.namespaces.contains(HOST_NS + "-qdhcp-" + NET));
        assertEquals(List.of("remove " + HOST_NS + "-qdhcp-" + NET, "remove " + HOST_NS + "-qdhcp-" + NET), host.proxyCalls);
    }

    @Test
    void otherAgentsNamespacesAreNotStale() {
        host.namespaces.add("qdhcp-" + NET);
        host.namespaces.add("other-qdhcp-" + NET);
        DhcpReport report = realiser().reconcile(DhcpPlan.EMPTY);
        assertTrue(report.succeeded(), report.errors().toString());
        assertEquals(List.of(), report.changes());
        assertEquals(Set.of("qdhcp-" + NET, "other-qdhcp-" + NET), host.namespaces);
    }

    /** Namespaces, links and processes as the realiser sees them through its commands, /proc and /run/netns. */
    static final class SimulatedHost implements CommandRunner, ProcessTable, MetadataProxies {
        final Set<String> namespaces = new LinkedHashSet<>();
        final Set<String> hostLinks = new LinkedHashSet<>();
        /** Per namespace, its service device with mac, mtu, up and addresses. */
        final Map<String, ObjectNode> devices = new HashMap<>();
        final Map<Long, List<String>> processes = new HashMap<>();
        final Map<Long, String> processNs = new HashMap<>();
        final List<String> commands = new ArrayList<>();
        final List<String> batchLines = new ArrayList<>();
        final List<String> proxyCalls = new ArrayList<>();
        boolean loUp;
        long nextPid = 100;

        @Override
        public Result run(List<String> argv, String stdin) {
            commands.add(String.join(" ", argv));
            List<String> a = argv;
            String ns = null;
            if (a.size() > 2 && a.get(1).equals("-n")) {
                ns = a.get(2);
                a = new ArrayList<>(a.subList(3, a.size()));
                a.addFirst("ip");
            }
            String line = String.join(" ", a);
            if (line.equals("ip -j netns list")) {
                ArrayNode out = JSON.createArrayNode();
                namespaces.forEach(n -> out.addObject().put("name", n));
                return ok(out.toString());
            }
            if (a.get(0).equals("kill")) {
                long pid = Long.parseLong(a.get(2));
                if (!processes.containsKey(pid)) return new Result(1, "", "no such process");
                if (!a.get(1).equals("-HUP")) processes.remove(pid);
                return ok("");
            }
            if (a.size() > 3 && a.subList(0, 3).equals(List.of("ip", "netns", "exec"))) {
                if (a.get(4).equals("dnsmasq")) startDnsmasq(a.get(3), a.subList(4, a.size()));
                return ok("");
            }
            if (a.size() == 4 && a.get(1).equals("netns")) {
                if (a.get(2).equals("add")) namespaces.add(a.get(3));
                else namespaces.remove(a.get(3));
                return ok("");
            }
            if (HOST_NS.equals(ns)) return hostCommand(a);
            if (ns != null && line.equals("ip -j -d addr show")) return ok(namespaceLinks(ns));
            if (ns != null && line.equals("ip -force -batch -")) {
                for (String l : stdin.strip().split("\n")) apply(ns, l.split(" "));
                return ok("");
            }
            throw new AssertionError("unexpected command " + argv);
        }

        private Result hostCommand(List<String> a) {
            if (a.equals(List.of("ip", "-j", "link", "show"))) {
                ArrayNode out = JSON.createArrayNode();
                hostLinks.forEach(n -> out.addObject().put("ifname", n));
                return ok(out.toString());
            }
            if (a.size() == 6 && a.subList(0, 5).equals(List.of("ip", "-j", "link", "show", "dev"))) {
                return hostLinks.contains(a.get(5)) ? ok("[]") : new Result(1, "", "Device does not exist.");
            }
            if (a.get(1).equals("link") && a.get(2).equals("add")) {
                hostLinks.add(a.get(3));
                ObjectNode dev = JSON.createObjectNode();
                dev.put("ifname", a.get(10)).put("mtu", Integer.parseInt(a.get(12))).put("address", a.get(14));
                dev.putArray("flags");
                dev.putArray("addr_info");
                dev.putObject("linkinfo").put("info_kind", "veth");
                devices.put(a.get(16), dev);
                return ok("");
            }
            if (a.get(1).equals("link") && a.get(2).equals("del")) {
                hostLinks.remove(a.get(3));
                devices.values().removeIf(d -> a.get(3).substring(3).equals(d.get("ifname").asText().substring(3)));
                return ok("");
            }
            if (a.get(1).equals("link") && a.get(2).equals("set")) return ok("");
            throw new AssertionError("unexpected host command " + a);
        }

        private void apply(String ns, String[] w) {
            batchLines.add(String.join(" ", w));
            ObjectNode dev = devices.get(ns);
            if (w[2].equals("lo")) loUp = true;
            else if (w[0].equals("link") && w[3].equals("up")) ((ArrayNode) dev.get("flags")).add("UP");
            else if (w[0].equals("addr") && w[1].equals("add")) {
                String[] cidr = w[2].split("/");
                ((ArrayNode) dev.get("addr_info")).addObject().put("local", cidr[0]).put("prefixlen", Integer.parseInt(cidr[1]));
            } else throw new AssertionError("unexpected batch line " + String.join(" ", w));
        }

        private String namespaceLinks(String ns) {
            ArrayNode out = JSON.createArrayNode();
            ObjectNode lo = out.addObject().put("ifname", "lo");
            ArrayNode flags = lo.putArray("flags");
            if (loUp) flags.add("UP");
            if (devices.containsKey(ns)) out.add(devices.get(ns));
            return out.toString();
        }

        private void startDnsmasq(String ns, List<String> argv) {
            long pid = nextPid++;
            processes.put(pid, List.copyOf(argv));
            processNs.put(pid, netnsId(ns));
            String pidFile = argv.stream().filter(s -> s.startsWith("--pid-file=")).findFirst().orElseThrow().substring("--pid-file=".length());
            try {
                Files.writeString(Path.of(pidFile), pid + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static Result ok(String out) { return new Result(0, out, ""); }

        @Override public List<String> cmdline(long pid) { return processes.getOrDefault(pid, List.of()); }

        @Override public String netnsOf(long pid) { return processNs.get(pid); }

        @Override public String netnsId(String name) { return namespaces.contains(name) ? "net:[" + name.hashCode() + "]" : null; }

        @Override public void ensure(String namespace, String address, int port, Origin origin) { proxyCalls.add("ensure " + namespace); }

        @Override public void remove(String namespace) { proxyCalls.add("remove " + namespace); }
    }
}
