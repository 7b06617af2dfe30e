package dev.skein.server;

import dev.skein.plan.DeviceNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.skein.server.DataplaneRig.PING_SUMMARY;
import static dev.skein.server.DataplaneRig.firstIp;
import static dev.skein.server.DataplaneRig.millisSince;
import static dev.skein.server.DataplaneRig.tail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole chain on real kernels: a controller with RabbitMQ, two `skein agent` processes each acting as one
 * host (a network namespace; the two joined by a veth underlay), and VMs as namespaces whose taps appear after
 * their ports are bound. Everything is driven and observed through the API: ports turn ACTIVE once plugged, VMs
 * on different hosts ping each other over VXLAN, an agent killed with SIGKILL under a continuous ping comes back
 * without losing a packet, a vanished tap turns its port DOWN, changes still reach the agents after the broker
 * restarts, and security groups and anti-spoofing are enforced as the API says (a prefix rule, a remote-group rule
 * following membership, a spoofed source, port security turned off); two projects with the same subnet and addresses
 * never reach each other, a forged ARP or source MAC from a VM is dropped, and a tap taken off its bridge by hand
 * is put back on the link event that change raises. Needs root; every namespace and process it
 * starts is removed, pass or fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentDataplaneIT {
    static final String UNDERLAY_1 = "198.51.100.1", UNDERLAY_2 = "198.51.100.2";
    static DataplaneRig rig;
    static TestCloud cloud;
    static Namespaces ns;
    static String admin;
    static String h1, h2;
    static final Map<String, Map<String, Object>> ports = new LinkedHashMap<>();
    static final Map<String, String> vms = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        rig = new DataplaneRig("AgentDataplaneIT", new SkeinConfig(), Duration.ofSeconds(20));
        cloud = rig.cloud;
        admin = rig.admin;
        ns = rig.ns;
        h1 = ns.add("h1");
        h2 = ns.add("h2");
        ns.underlay(h1, UNDERLAY_1 + "/24", h2, UNDERLAY_2 + "/24", "ul");
        rig.launch("h1", UNDERLAY_1, h1);
        rig.launch("h2", UNDERLAY_2, h2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (rig != null) rig.close();
    }

    /** True when the host's agent has realised the latest revision of its plan. */
    static boolean realised(String host) {
        return cloud.get("/v2.0/skein/host-plans", admin).list("host_plans").stream()
                .filter(h -> h.get("host").equals(host))
                .anyMatch(h -> h.get("realised_revision") != null
                        && ((Number) h.get("realised_revision")).longValue() >= ((Number) h.get("revision")).longValue());
    }

    static Map<String, Object> agentOf(String host) {
        return cloud.get("/v2.0/agents?host=" + host, admin).list("agents").stream().findFirst().orElse(null);
    }

    /** Creates a port bound to host and waits until that host's agent has realised it; returns the port. */
    static Map<String, Object> boundPort(String name, String network, String host) {
        long t0 = System.nanoTime();
        TestCloud.Response r = cloud.post("/v2.0/ports", admin, Map.of("port", Map.of("name", name, "network_id", network,
                "binding:host_id", host)));
        assertEquals(201, r.status(), r.body());
        Map<String, Object> port = r.json("port");
        assertEquals("DOWN", port.get("status"), "no tap yet");
        rig.await(host + " realises the plan with " + name, () -> realised(host));
        rig.figures.add("port create -> plan realised on its host (" + name + "): " + millisSince(t0) + " ms");
        ports.put(name, port);
        return port;
    }

    /** Starts the VM of a port on its host and waits for the API to show the port ACTIVE. */
    static void startVm(String name, String hostNs) {
        Map<String, Object> port = ports.get(name);
        String id = (String) port.get("id");
        long t0 = System.nanoTime();
        vms.put(name, ns.vm(name, hostNs, DeviceNames.tap(id), (String) port.get("mac_address"), firstIp(port) + "/24", 1450));
        rig.await(name + " ACTIVE once its tap is plugged", () -> "ACTIVE".equals(rig.status(id)));
        rig.figures.add("tap created -> port ACTIVE in the API (" + name + "): " + millisSince(t0) + " ms");
    }

    @Test
    @Order(1)
    void portsTurnActiveOncePluggedAndVmsReachEachOtherAcrossHosts() {
        rig.await("both agents registered and alive", () -> Stream.of("h1", "h2").allMatch(h -> {
            Map<String, Object> a = agentOf(h);
            return a != null && Boolean.TRUE.equals(a.get("alive"));
        }));
        assertEquals(Map.of("local_ip", UNDERLAY_1, "bridge_mappings", Map.of(), "tunnel_types", List.of("vxlan"), "netns", h1,
                "roles", List.of("compute", "network")), agentOf("h1").get("configurations"));

        TestCloud.Response net = cloud.post("/v2.0/networks", admin, Map.of("network", Map.of("name", "e2e")));
        assertEquals(201, net.status(), net.body());
        String network = (String) net.json("network").get("id");
        assertEquals(201, cloud.post("/v2.0/subnets", admin, Map.of("subnet", Map.of("network_id", network, "ip_version", 4,
                "cidr", "192.0.2.0/24"))).status());
        boundPort("vm1", network, "h1");
        boundPort("vm2", network, "h2");
        startVm("vm1", h1);
        startVm("vm2", h2);

        assertEquals(DeviceNames.bridge(network), Namespaces.must("ip", "-n", h1, "-o", "link", "show", DeviceNames.tap((String) ports.get("vm1").get("id")))
                .replaceAll(".* master (\\S+) .*\\s*", "$1"), "the tap is a port of the network's bridge");
        assertTrue(ns.reaches(vms.get("vm1"), firstIp(ports.get("vm2"))), "vm1 on h1 pings vm2 on h2 over VXLAN");
        assertTrue(ns.reaches(vms.get("vm2"), firstIp(ports.get("vm1"))), "and back");
    }

    @Test
    @Order(2)
    void anAgentKilledUnderTrafficComesBackWithoutLosingAPacket() throws Exception {
        Process ping = new ProcessBuilder("ip", "netns", "exec", vms.get("vm1"), "ping", "-n", "-i", "0.05", "-c", "200", "-W", "1",
                firstIp(ports.get("vm2"))).redirectErrorStream(true).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(ping.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) lines.add(line);
            } catch (IOException e) {
                lines.add("read failed: " + e);
            }
        });
        try {
            rig.await("the ping gets answers", () -> lines.stream().anyMatch(l -> l.contains("bytes from")));
            AgentProcess old = rig.agents.get("h1");
            old.kill();
            long t0 = System.nanoTime();
            AgentProcess fresh = rig.launch("h1", UNDERLAY_1, h1);
            rig.await("the restarted agent has realised its plan and reported its ports",
                    () -> fresh.logText().contains("reported port status"));
            rig.figures.add("agent restart (SIGKILL -> new process realised and reported): " + millisSince(t0) + " ms");
            assertTrue(ping.isAlive(), "the restart must happen while the ping runs; make the ping longer");
            assertEquals("ACTIVE", rig.status((String) ports.get("vm1").get("id")));
            assertTrue(ping.waitFor(30, TimeUnit.SECONDS), "ping did not finish");
            reader.join(Duration.ofSeconds(5));
        } finally {
            if (ping.isAlive()) ping.destroyForcibly();
        }
        String summary = String.join("\n", lines);
        Matcher m = PING_SUMMARY.matcher(summary);
        assertTrue(m.find(), summary);
        assertEquals(200, Integer.parseInt(m.group(1)), summary);
        assertEquals(200, Integer.parseInt(m.group(2)), "packets lost across the agent restart:\n" + tail(summary));
        rig.figures.add("continuous ping (200 x 50 ms) across the agent restart: " + m.group(0));
        assertTrue(rig.agents.get("h1").logText().contains("registered as agent " + agentOf("h1").get("id")), "it registered as the same agent");
        assertTrue(!rig.agents.get("h1").logText().contains(" change(s) to the kernel"),
                "the restarted agent found the kernel as it left it and changed nothing:\n" + tail(rig.agents.get("h1").logText()));
    }

    @Test
    @Order(3)
    void aVanishedTapTurnsItsPortDown() {
        String id = (String) ports.get("vm2").get("id");
        long t0 = System.nanoTime();
        Namespaces.must("ip", "-n", h2, "link", "del", DeviceNames.tap(id));
        rig.await("vm2 DOWN once its tap is gone", () -> "DOWN".equals(rig.status(id)));
        rig.figures.add("tap deleted -> port DOWN in the API: " + millisSince(t0) + " ms");
        assertEquals("ACTIVE", rig.status((String) ports.get("vm1").get("id")));
    }

    @Test
    @Order(4)
    void changesStillReachTheAgentsAfterTheBrokerRestarts() throws Exception {
        long t0 = System.nanoTime();
        rig.broker.restart();
        rig.figures.add("RabbitMQ restart (stop + start): " + millisSince(t0) + " ms");
        String network = (String) ports.get("vm1").get("network_id");
        // The agents resync every 300 s here, so only the bus (or a fetch it triggers) can bring them this change.
        boundPort("vm3", network, "h2");
        startVm("vm3", h2);
        rig.await("h1 has realised the plan that lists vm3's MAC", () -> realised("h1"));
        assertTrue(ns.reaches(vms.get("vm1"), firstIp(ports.get("vm3"))), "vm1 on h1 pings the new vm3 on h2");
        assertNotNull(agentOf("h2"));
        List<String> failures = new ArrayList<>();
        for (AgentProcess a : rig.agents.values()) if (!a.process().isAlive()) failures.add(a.host());
        assertEquals(List.of(), failures, "agents that died");
    }

    static String id(String vm) { return (String) ports.get(vm).get("id"); }

    static Map<String, Object> created(String path, String kind, Map<String, Object> body) {
        TestCloud.Response r = cloud.post(path, admin, Map.of(kind, body));
        assertEquals(201, r.status(), r.body());
        return r.json(kind);
    }

    static void rule(String group, String protocol, Integer port, String prefix, String remoteGroup) {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("security_group_id", group, "direction", "ingress", "ethertype", "IPv4",
                "protocol", protocol));
        if (port != null) body.putAll(Map.of("port_range_min", port, "port_range_max", port));
        if (prefix != null) body.put("remote_ip_prefix", prefix);
        if (remoteGroup != null) body.put("remote_group_id", remoteGroup);
        created("/v2.0/security-group-rules", "security_group_rule", body);
    }

    /** Changes a port through the API and waits until its host's agent has realised the result. */
    static void updatePort(String vm, Map<String, Object> changes) {
        TestCloud.Response r = cloud.put("/v2.0/ports/" + id(vm), admin, Map.of("port", changes));
        assertEquals(200, r.status(), r.body());
        String host = (String) ports.get(vm).get("binding:host_id");
        rig.await(host + " realises the change to " + vm, () -> realised(host));
    }

    /** True when a TCP connection from inside the namespace to address:port completes within a second. */
    static boolean connects(String fromNs, String address, int port) {
        return Namespaces.run("ip", "netns", "exec", fromNs, "timeout", "2", "python3", "-c",
                "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()",
                address, String.valueOf(port)).ok();
    }

    static boolean pingsFrom(String fromNs, String source, String address) {
        return Namespaces.run("ip", "netns", "exec", fromNs, "ping", "-n", "-q", "-c", "2", "-i", "0.2", "-W", "1", "-I", source, address).ok();
    }

    static String group;

    @Test
    @Order(5)
    void aSecurityGroupLetsInExactlyWhatItAllows() throws Exception {
        String network = (String) ports.get("vm1").get("network_id");
        group = (String) created("/v2.0/security-groups", "security_group", Map.of("name", "ssh")).get("id");
        String vm1Only = firstIp(ports.get("vm1")) + "/32";
        rule(group, "tcp", 22, vm1Only, null);
        rule(group, "icmp", null, vm1Only, null);
        long t0 = System.nanoTime();
        ports.put("web", created("/v2.0/ports", "port", Map.of("name", "web", "network_id", network, "binding:host_id", "h2",
                "security_groups", List.of(group))));
        startVm("web", h2);
        rig.figures.add("filtered port create -> ACTIVE, tap made at once: " + millisSince(t0) + " ms");
        rig.listen(vms.get("web"), 22, 80);
        String web = firstIp(ports.get("web"));

        assertTrue(connects(vms.get("vm1"), web, 22), "tcp/22 from the allowed prefix");
        assertFalse(connects(vms.get("vm1"), web, 80), "tcp/80 is not allowed");
        assertTrue(ns.reaches(vms.get("vm1"), web), "icmp from the allowed prefix");
        assertFalse(connects(vms.get("vm3"), web, 22), "tcp/22 from outside the prefix, on the same host");
        assertFalse(ns.reaches(vms.get("vm3"), web), "icmp from outside the prefix");
    }

    @Test
    @Order(6)
    void aRemoteGroupRuleFollowsMembership() {
        String clients = (String) created("/v2.0/security-groups", "security_group", Map.of("name", "clients")).get("id");
        rule(group, "tcp", 80, null, clients);
        String web = firstIp(ports.get("web"));
        assertFalse(connects(vms.get("vm3"), web, 80), "vm3 is no member yet");

        @SuppressWarnings("unchecked")
        List<String> own = (List<String>) ports.get("vm3").get("security_groups");
        List<String> joined = new ArrayList<>(own);
        joined.add(clients);
        long t0 = System.nanoTime();
        updatePort("vm3", Map.of("security_groups", joined));
        rig.await("vm3 reaches web:80 as a member of the remote group", () -> connects(vms.get("vm3"), web, 80));
        rig.figures.add("remote group join -> connection allowed: " + millisSince(t0) + " ms");
        assertFalse(connects(vms.get("vm3"), web, 22), "the other rules still hold");

        updatePort("vm3", Map.of("security_groups", own));
        rig.await("vm3 no longer reaches web:80 once it left the group", () -> !connects(vms.get("vm3"), web, 80));
    }

    @Test
    @Order(7)
    void aSpoofedSourceFromAVmIsDroppedUntilPortSecurityIsOff() {
        rule(group, "icmp", null, "192.0.2.0/24", null);
        String web = firstIp(ports.get("web"));
        String spoofed = ports.values().stream().anyMatch(p -> firstIp(p).equals("192.0.2.99")) ? "192.0.2.98" : "192.0.2.99";
        assertTrue(ns.reaches(vms.get("vm3"), web), "the whole prefix may ping web now");
        Namespaces.must("ip", "-n", vms.get("vm1"), "addr", "add", spoofed + "/32", "dev", "eth0");
        assertFalse(pingsFrom(vms.get("vm1"), spoofed, web), "a source address that is not vm1's");
        assertTrue(pingsFrom(vms.get("vm1"), firstIp(ports.get("vm1")), web), "its own address still works");

        updatePort("vm1", Map.of("port_security_enabled", false, "security_groups", List.of()));
        rig.await("the spoofed source passes without port security", () -> pingsFrom(vms.get("vm1"), spoofed, web));
    }

    @Test
    @Order(8)
    void portSecurityOffLiftsFiltering() {
        String web = firstIp(ports.get("web"));
        assertFalse(connects(vms.get("vm3"), web, 80));
        updatePort("web", Map.of("port_security_enabled", false, "security_groups", List.of()));
        rig.await("everything reaches web without port security", () -> connects(vms.get("vm3"), web, 80));
        assertTrue(connects(vms.get("vm3"), web, 22));
        assertEquals("ACTIVE", rig.status(id("web")));
    }

    /** The MAC the namespace's kernel has learnt for address, or "" when it has none. */
    static String learnt(String vmNs, String address) {
        Matcher m = Pattern.compile("lladdr (\\S+)").matcher(Namespaces.run("ip", "-n", vmNs, "neigh", "show", address).out());
        return m.find() ? m.group(1) : "";
    }

    @Test
    @Order(9)
    void twoProjectsWithTheSameCidrAndAddressesStayIsolated() {
        String other = java.util.UUID.randomUUID().toString().replace("-", "");
        String network = (String) created("/v2.0/networks", "network", Map.of("name", "e2e-other", "project_id", other)).get("id");
        // Without DHCP: a DHCP port would take a random address, possibly one the twins below must have.
        String subnet = (String) created("/v2.0/subnets", "subnet", Map.of("network_id", network, "ip_version", 4,
                "cidr", "192.0.2.0/24", "project_id", other, "enable_dhcp", false)).get("id");
        // Port security off: only the overlay itself, not a firewall, can keep these VMs apart from project one's.
        for (String[] twin : new String[][] {{"b1", "vm1", "h1"}, {"bweb", "web", "h2"}}) {
            ports.put(twin[0], created("/v2.0/ports", "port", Map.of("name", twin[0], "network_id", network, "project_id", other,
                    "binding:host_id", twin[2], "port_security_enabled", false,
                    "fixed_ips", List.of(Map.of("subnet_id", subnet, "ip_address", firstIp(ports.get(twin[1])))))));
            rig.await(twin[2] + " realises the plan with " + twin[0], () -> realised(twin[2]));
        }
        startVm("b1", h1);
        startVm("bweb", h2);
        String peer = firstIp(ports.get("web"));
        assertEquals(peer, firstIp(ports.get("bweb")), "the same address in both projects");

        assertTrue(ns.reaches(vms.get("b1"), peer), "b1 reaches its own project's peer across hosts");
        assertEquals(ports.get("bweb").get("mac_address"), learnt(vms.get("b1"), peer), "and it is bweb that answers");
        assertTrue(ns.reaches(vms.get("vm1"), peer), "vm1 reaches its own project's peer at the same address");
        assertEquals(ports.get("web").get("mac_address"), learnt(vms.get("vm1"), peer), "and it is web that answers");
        // A security group may stop vm3's echo replies, never its ARP replies: those would show a leak.
        String vm3 = firstIp(ports.get("vm3"));
        assertFalse(ns.reaches(vms.get("b1"), vm3), "an address only project one has is out of reach");
        assertEquals("", learnt(vms.get("b1"), vm3), "not even vm3's ARP reply came across");
    }

    /**
     * An ARP request broadcast from the VM's eth0 with the given Ethernet source and sender MAC and sender address;
     * when claimed equals target it is a gratuitous ARP, which a Linux neighbour table takes at once.
     */
    static void sendArp(String vmNs, String mac, String claimed, String target) {
        String m = mac.replace(":", "");
        String frame = "ffffffffffff" + m + "0806" + "0001080006040001" + m + hexIp(claimed) + "000000000000" + hexIp(target);
        Namespaces.must("ip", "netns", "exec", vmNs, "python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("eth0", 0))
                for _ in range(3): s.send(bytes.fromhex(sys.argv[1]))
                """, frame);
    }

    static String hexIp(String ip) {
        StringBuilder out = new StringBuilder();
        for (String octet : ip.split("\\.")) out.append(String.format("%02x", Integer.parseInt(octet)));
        return out.toString();
    }

    /** Whether, within half a second, victim's kernel comes to map address to mac. */
    static boolean learnsSoon(String victim, String address, String mac) {
        long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
        do {
            if (learnt(victim, address).equalsIgnoreCase(mac)) return true;
        } while (System.nanoTime() < deadline);
        return false;
    }

    @Test
    @Order(10)
    void forgedArpAndSourceMacFromAVmAreDropped() {
        String vm1 = vms.get("vm1"), vm3 = vms.get("vm3");
        String web = firstIp(ports.get("web")), webMac = (String) ports.get("web").get("mac_address");
        String mac1 = (String) ports.get("vm1").get("mac_address"), mac3 = (String) ports.get("vm3").get("mac_address");
        // vm3's group admits no echo from vm1, so vm3 pings: the ARP exchange teaches both ends each other's MAC.
        assertTrue(ns.reaches(vm1, web) && ns.reaches(vm3, web), "both learn web's MAC");
        assertTrue(ns.reaches(vm3, firstIp(ports.get("vm1"))), "and each other's");
        assertEquals(webMac, learnt(vm3, web));

        // Controls from vm1, whose port security is off: both forgeries cross the hosts and poison a neighbour table.
        sendArp(vm1, mac1, web, web);
        assertTrue(learnsSoon(vm3, web, mac1), "vm1's gratuitous ARP claiming web's address reaches vm3 unfiltered");
        String forged = "fa:16:3e:00:00:66";
        sendArp(vm1, forged, firstIp(ports.get("vm1")), firstIp(ports.get("vm1")));
        assertTrue(learnsSoon(vm3, firstIp(ports.get("vm1")), forged), "and so does a frame from a MAC that is not vm1's");
        // The forgeries were broadcast, so every VM on the network took them in.
        for (String poisoned : List.of(vm3, vms.get("web"))) Namespaces.must("ip", "-n", poisoned, "neigh", "flush", "all");
        assertTrue(ns.reaches(vm1, web) && ns.reaches(vm3, firstIp(ports.get("vm1"))), "vm1 relearns the truth");
        assertEquals(mac3, learnt(vm1, firstIp(ports.get("vm3"))));

        sendArp(vm3, mac3, web, web);
        assertFalse(learnsSoon(vm1, web, mac3), "vm3's gratuitous ARP claiming web's address is dropped");
        sendArp(vm3, forged, firstIp(ports.get("vm3")), firstIp(ports.get("vm3")));
        assertFalse(learnsSoon(vm1, firstIp(ports.get("vm3")), forged), "a frame from a source MAC that is not vm3's is dropped");
        assertEquals(webMac, learnt(vm1, web));
        assertTrue(ns.reaches(vm3, firstIp(ports.get("vm1"))), "vm3's honest traffic still passes");
    }

    @Test
    @Order(11)
    void aBridgePortRemovedByHandIsRestored() {
        String tap = DeviceNames.tap(id("vm3"));
        String bridge = DeviceNames.bridge((String) ports.get("vm3").get("network_id"));
        long t0 = System.nanoTime();
        Namespaces.must("ip", "-n", h2, "link", "set", tap, "nomaster");
        // The link event of the change itself sets off the reconcile (resync is every 300 s here).
        rig.await("the agent puts " + tap + " back on " + bridge,
                () -> Namespaces.run("ip", "-n", h2, "-o", "link", "show", tap).out().contains(" master " + bridge + " "));
        rig.figures.add("tap removed from its bridge by hand -> restored by the agent: " + millisSince(t0) + " ms");
        assertTrue(ns.reaches(vms.get("vm3"), firstIp(ports.get("vm1"))), "vm3 reaches vm1 again");
        assertEquals("ACTIVE", rig.status(id("vm3")));
    }
}
