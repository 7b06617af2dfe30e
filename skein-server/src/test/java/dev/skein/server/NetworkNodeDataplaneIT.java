package dev.skein.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skein.plan.DeviceNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Stream;

import static dev.skein.server.DataplaneRig.PING_SUMMARY;
import static dev.skein.server.DataplaneRig.firstIp;
import static dev.skein.server.DataplaneRig.millisSince;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The network node on real kernels, driven through the API only: a controller with RabbitMQ, a compute host and a
 * network node (two `skein agent` processes, each in its own namespace, joined by a veth underlay), and an
 * "outside" namespace on the flat external network that the network node reaches through a physical interface
 * mapping. Two projects each get a network with the same CIDR, a router with a gateway on the external network,
 * and VMs on the compute host that take their addresses from the DHCP server with a real DHCP client, leave
 * through source NAT, are reached through floating IPs as their security groups allow, and read their metadata
 * from 169.254.169.254. Needs root; every namespace and process it starts is removed, pass or fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkNodeDataplaneIT {
    static final String UNDERLAY_COMPUTE = "198.51.100.1", UNDERLAY_NODE = "198.51.100.2";
    static final String OUTSIDE = "203.0.113.1";
    static final ObjectMapper JSON = new ObjectMapper();

    static DataplaneRig rig;
    static TestCloud cloud;
    static Namespaces ns;
    static String admin, compute, node, outside, external;
    static final Map<String, Project> projects = new LinkedHashMap<>();
    static final Map<String, Vm> vms = new LinkedHashMap<>();

    record Project(String name, String token, String id, String network, String subnet, String router, String group) {}

    record Vm(String name, Project project, String portId, String deviceId, String mac, String ip, String netns) {}

    @BeforeAll
    static void start() throws Exception {
        for (String tool : List.of("dnsmasq", "busybox", "haproxy")) {
            assertTrue(Namespaces.run("sh", "-c", "command -v " + tool).ok(), "the network-node test needs " + tool + " (see .ci/run)");
        }
        rig = new DataplaneRig("NetworkNodeDataplaneIT", Tenants.config(), Duration.ofSeconds(30));
        cloud = rig.cloud;
        admin = rig.admin;
        ns = rig.ns;
        compute = ns.add("c1");
        node = ns.add("n1");
        outside = ns.add("out");
        ns.underlay(compute, UNDERLAY_COMPUTE + "/24", node, UNDERLAY_NODE + "/24", "ul");
        // The network node's physical interface towards the outside world, and the outside's router on it.
        Namespaces.must("ip", "-n", node, "link", "add", "ext0", "type", "veth", "peer", "name", "eth0", "netns", outside);
        Namespaces.must("ip", "-n", node, "link", "set", "ext0", "up");
        Namespaces.must("ip", "-n", outside, "link", "set", "eth0", "up");
        Namespaces.must("ip", "-n", outside, "addr", "add", OUTSIDE + "/24", "dev", "eth0");
        rig.launch("c1", UNDERLAY_COMPUTE, compute, "--role", "compute", "--state-dir", rig.work.resolve("state-c1").toString());
        launchNetworkNode();
        rig.listen(outside, 8080);
    }

    /** The network node's agent, started again under the same state directory when the test restarts it. */
    static void launchNetworkNode() throws IOException {
        rig.launch("n1", UNDERLAY_NODE, node, "--role", "network", "--bridge-mapping", "extnet:ext0",
                "--state-dir", rig.work.resolve("state-n1").toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (rig != null) rig.close();
    }

    static Map<String, Object> created(String token, String path, String kind, Map<String, Object> body) {
        TestCloud.Response r = cloud.post(path, token, Map.of(kind, body));
        assertEquals(201, r.status(), r.body());
        return r.json(kind);
    }

    static void put(String token, String path, Object body) {
        TestCloud.Response r = cloud.put(path, token, body);
        assertEquals(200, r.status(), r.body());
    }

    static List<Map<String, Object>> ports(String query) {
        return cloud.get("/v2.0/ports?" + query, admin).list("ports");
    }

    /** What the listener at address:port says to a connection from inside netns, or null if none completes. */
    static String hello(String fromNs, String address, int port) {
        Namespaces.Result r = Namespaces.run("ip", "netns", "exec", fromNs, "timeout", "3", "python3", "-c", """
                import socket, sys
                s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
                print(s.recv(200).decode().strip())
                """, address, String.valueOf(port));
        return r.ok() ? r.out().strip() : null;
    }

    /** A GET from inside netns with extra headers ("Name:value"); null when no answer came. */
    static String httpGet(String fromNs, String url, String... headers) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", fromNs, "timeout", "5", "python3", "-c", """
                import sys, urllib.request
                req = urllib.request.Request(sys.argv[1])
                for h in sys.argv[2:]:
                    k, v = h.split(":", 1); req.add_header(k, v)
                print(urllib.request.urlopen(req, timeout=3).read().decode())
                """, url));
        argv.addAll(List.of(headers));
        Namespaces.Result r = Namespaces.run(argv.toArray(String[]::new));
        return r.ok() ? r.out() : null;
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    static Project project(String name, String user) {
        String token = Tenants.token(cloud, user);
        String id = Tenants.projectId(cloud, name);
        String network = (String) created(token, "/v2.0/networks", "network", Map.of("name", name + "-net")).get("id");
        String subnet = (String) created(token, "/v2.0/subnets", "subnet", Map.of("network_id", network, "ip_version", 4,
                "cidr", "10.0.0.0/24", "dns_nameservers", List.of("192.0.2.53"),
                "host_routes", List.of(Map.of("destination", "172.16.0.0/16", "nexthop", "10.0.0.254")))).get("id");
        String router = (String) created(token, "/v2.0/routers", "router", Map.of("name", name + "-router",
                "external_gateway_info", Map.of("network_id", external))).get("id");
        put(token, "/v2.0/routers/" + router + "/add_router_interface", Map.of("subnet_id", subnet));
        String group = (String) cloud.get("/v2.0/security-groups?name=default", token).list("security_groups").get(0).get("id");
        for (Map<String, Object> rule : List.of(Map.<String, Object>of("protocol", "icmp"),
                Map.<String, Object>of("protocol", "tcp", "port_range_min", 22, "port_range_max", 22))) {
            Map<String, Object> body = new LinkedHashMap<>(rule);
            body.putAll(Map.of("security_group_id", group, "direction", "ingress", "ethertype", "IPv4", "remote_ip_prefix", "0.0.0.0/0"));
            created(token, "/v2.0/security-group-rules", "security_group_rule", body);
        }
        Project p = new Project(name, token, id, network, subnet, router, group);
        projects.put(name, p);
        return p;
    }

    /** The network's DHCP port and the router's ports are bound to the network node and plugged there. */
    static void awaitServicesOf(Project p) {
        rig.await("the DHCP port of " + p.name() + " ACTIVE on the network node", () -> ports("network_id=" + p.network()
                + "&device_owner=network:dhcp").stream().anyMatch(d -> "n1".equals(d.get("binding:host_id")) && "ACTIVE".equals(d.get("status"))));
        rig.await("the ports of router " + p.name() + " ACTIVE on the network node", () -> {
            List<Map<String, Object>> routerPorts = ports("device_id=" + p.router());
            return routerPorts.size() == 2 && routerPorts.stream().allMatch(r -> "n1".equals(r.get("binding:host_id")) && "ACTIVE".equals(r.get("status")));
        });
    }

    /**
     * Boots a VM as a compute service would: a port bound to the compute host for a new instance, a namespace whose
     * eth0 has the port's MAC and no address, and a real DHCP client with a hook script of the test's own (the stock
     * one would rewrite the machine's resolver configuration) that records what it was told.
     */
    static Map<String, String> boot(String name, Project p) throws IOException {
        long t0 = System.nanoTime();
        String deviceId = UUID.randomUUID().toString();
        Map<String, Object> port = created(admin, "/v2.0/ports", "port", Map.of("network_id", p.network(), "project_id", p.id(),
                "device_id", deviceId, "device_owner", "compute:nova", "binding:host_id", "c1", "name", name));
        String portId = (String) port.get("id");
        String mac = (String) port.get("mac_address");
        String vmNs = ns.add(name);
        Namespaces.must("ip", "-n", compute, "link", "add", DeviceNames.tap(portId), "type", "veth", "peer", "name", "eth0", "netns", vmNs);
        Namespaces.must("ip", "-n", vmNs, "link", "set", "eth0", "address", mac, "up");
        rig.await(name + " ACTIVE", () -> "ACTIVE".equals(rig.status(portId)));
        Path hook = rig.work.resolve("dhcp-hook.sh");
        Path record = rig.work.resolve(name + ".lease");
        Files.writeString(hook, """
                #!/bin/sh
                case "$1" in
                  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up;;
                  bound|renew)
                    ip addr flush dev "$interface"
                    ip addr add "$ip/$mask" dev "$interface"
                    [ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
                    [ -n "$router" ] && ip route replace default via ${router%% *}
                    printf 'ip=%s\\nmask=%s\\nrouter=%s\\nmtu=%s\\ndns=%s\\nstaticroutes=%s\\ndomain=%s\\nlease=%s\\n' \\
                      "$ip" "$mask" "$router" "$mtu" "$dns" "$staticroutes" "$domain" "$lease" > "$SKEIN_LEASE_RECORD";;
                esac
                exit 0
                """);
        hook.toFile().setExecutable(true);
        Namespaces.Result r = Namespaces.run("ip", "netns", "exec", vmNs, "env", "SKEIN_LEASE_RECORD=" + record, "busybox", "udhcpc",
                "-i", "eth0", "-n", "-q", "-t", "10", "-T", "1", "-O", "mtu", "-O", "staticroutes", "-O", "dns", "-O", "domain",
                "-s", hook.toString());
        assertTrue(r.ok() && Files.exists(record), "DHCP client of " + name + " got a lease: " + r.out());
        rig.figures.add("port create -> DHCP lease (" + name + "): " + millisSince(t0) + " ms");
        Map<String, String> lease = new LinkedHashMap<>();
        for (String line : Files.readAllLines(record)) {
            int eq = line.indexOf('=');
            lease.put(line.substring(0, eq), line.substring(eq + 1));
        }
        vms.put(name, new Vm(name, p, portId, deviceId, mac, firstIp(port), vmNs));
        return lease;
    }

    @Test
    @Order(1)
    void vmsGetTheirAddressesAndOptionsFromDhcp() throws Exception {
        rig.await("both agents alive", () -> Stream.of("c1", "n1").allMatch(h -> cloud.get("/v2.0/agents?host=" + h, admin).list("agents")
                .stream().anyMatch(a -> Boolean.TRUE.equals(a.get("alive")))));
        external = (String) created(admin, "/v2.0/networks", "network", Map.of("name", "public", "router:external", true,
                "provider:network_type", "flat", "provider:physical_network", "extnet")).get("id");
        created(admin, "/v2.0/subnets", "subnet", Map.of("network_id", external, "ip_version", 4, "cidr", "203.0.113.0/24",
                "gateway_ip", OUTSIDE, "enable_dhcp", false, "allocation_pools", List.of(Map.of("start", "203.0.113.10", "end", "203.0.113.200"))));
        Project alpha = project("alpha", "alice");
        awaitServicesOf(alpha);

        Map<String, String> lease = boot("a1", alpha);
        Vm a1 = vms.get("a1");
        assertEquals(a1.ip(), lease.get("ip"), "the address IPAM gave the port");
        assertEquals("24", lease.get("mask"));
        assertEquals("10.0.0.1", lease.get("router"));
        assertEquals("1450", lease.get("mtu"), "VXLAN network MTU");
        assertEquals("192.0.2.53", lease.get("dns"));
        assertTrue(lease.get("staticroutes").contains("172.16.0.0/16 10.0.0.254"), "host routes as option 121: " + lease);
        assertEquals("openstacklocal", lease.get("domain"));
        assertTrue(Namespaces.must("ip", "-n", a1.netns(), "-4", "addr", "show", "eth0").contains(a1.ip() + "/24"));
    }

    @Test
    @Order(2)
    void aVmLeavesThroughSourceNatAsItsRoutersGatewayAddress() {
        Project alpha = projects.get("alpha");
        String gateway = firstIp(ports("device_id=" + alpha.router() + "&device_owner=network:router_gateway").get(0));
        assertEquals("hello 8080 from " + gateway, hello(vms.get("a1").netns(), OUTSIDE, 8080),
                "the outside sees the router's gateway address, not the tenant address");
        assertTrue(ns.reaches(vms.get("a1").netns(), OUTSIDE), "and answers pings");
    }

    static String fip;

    @Test
    @Order(3)
    void theOutsideReachesAVmThroughItsFloatingIpAsTheSecurityGroupAllows() throws Exception {
        Project alpha = projects.get("alpha");
        Vm a1 = vms.get("a1");
        rig.listen(a1.netns(), 22, 2222);
        long t0 = System.nanoTime();
        Map<String, Object> created = created(alpha.token(), "/v2.0/floatingips", "floatingip", Map.of("floating_network_id", external,
                "port_id", a1.portId()));
        fip = (String) created.get("floating_ip_address");
        rig.await("floating IP " + fip + " answers from outside", () -> ns.reaches(outside, fip));
        rig.figures.add("floating IP associate -> reachable from outside: " + millisSince(t0) + " ms");
        assertEquals("hello 22 from " + OUTSIDE, hello(outside, fip, 22), "tcp/22 allowed, and the VM sees the real client");
        assertNull(hello(outside, fip, 2222), "tcp/2222 is not in the security group");
        assertEquals("hello 8080 from " + fip, hello(a1.netns(), OUTSIDE, 8080), "the VM now leaves as its floating IP");

        put(alpha.token(), "/v2.0/floatingips/" + created.get("id"), Collections.singletonMap("floatingip", Collections.singletonMap("port_id", null)));
        rig.await("floating IP " + fip + " no longer answers", () -> !Namespaces.run("ip", "netns", "exec", outside, "ping", "-n", "-q",
                "-c", "1", "-W", "1", fip).ok());
        assertNull(hello(outside, fip, 22), "nothing reaches the VM through a disassociated floating IP");

        Map<String, String> lease = boot("a2", alpha);
        assertEquals(vms.get("a2").ip(), lease.get("ip"));
        rig.listen(vms.get("a2").netns(), 22);
        put(alpha.token(), "/v2.0/floatingips/" + created.get("id"), Map.of("floatingip", Map.of("port_id", vms.get("a2").portId())));
        rig.await("floating IP " + fip + " reaches a2 after moving", () -> ("hello 22 from " + OUTSIDE).equals(hello(outside, fip, 22))
                && ("hello 8080 from " + fip).equals(hello(vms.get("a2").netns(), OUTSIDE, 8080)));
        assertEquals("hello 8080 from " + firstIp(ports("device_id=" + alpha.router() + "&device_owner=network:router_gateway").get(0)),
                hello(a1.netns(), OUTSIDE, 8080), "a1 is back to the router's address");
    }

    @Test
    @Order(4)
    void twoProjectsWithTheSameCidrReachTheOutsideThroughTheirOwnRouters() throws Exception {
        Project beta = project("beta", "bob");
        awaitServicesOf(beta);
        Map<String, String> lease = boot("b1", beta);
        Vm b1 = vms.get("b1");
        assertEquals(b1.ip(), lease.get("ip"));
        String betaGateway = firstIp(ports("device_id=" + beta.router() + "&device_owner=network:router_gateway").get(0));
        String alphaGateway = firstIp(ports("device_id=" + projects.get("alpha").router() + "&device_owner=network:router_gateway").get(0));
        assertNotEquals(alphaGateway, betaGateway);
        assertEquals("hello 8080 from " + betaGateway, hello(b1.netns(), OUTSIDE, 8080), () -> diagnosis(b1, beta));
        assertEquals("hello 8080 from " + alphaGateway, hello(vms.get("a1").netns(), OUTSIDE, 8080));
    }

    /** What the VM and its router look like, for a failure message. */
    static String diagnosis(Vm vm, Project p) {
        String router = node + "-qrouter-" + p.router();
        StringBuilder out = new StringBuilder();
        for (String[] cmd : new String[][] {{"ip", "-n", vm.netns(), "addr"}, {"ip", "-n", vm.netns(), "route"}, {"ip", "-n", vm.netns(), "neigh"},
                {"ip", "-n", router, "addr"}, {"ip", "-n", router, "route"}, {"ip", "netns", "exec", router, "nft", "list", "ruleset"},
                {"ip", "-n", node, "link", "show", "master", "skbr-" + p.network().replace("-", "").substring(0, 10)}}) {
            out.append("\n$ ").append(String.join(" ", cmd)).append("\n").append(Namespaces.run(cmd).out());
        }
        return out.toString();
    }

    @Test
    @Order(5)
    void aVmReadsItsOwnMetadataAndNoOneElses() throws Exception {
        Vm a1 = vms.get("a1");
        TestCloud.Response attached = cloud.put("/v2.0/instance-metadata/" + a1.deviceId(), admin, Map.of("instance_metadata",
                Map.of("hostname", "a1-host", "public_keys", Map.of("k", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample a1@test"))));
        assertEquals(201, attached.status(), attached.body());
        String text = httpGet(a1.netns(), "http://169.254.169.254/openstack/latest/network_data.json");
        assertTrue(text != null, "the VM gets an answer from 169.254.169.254");
        JsonNode data = json(text);
        Map<String, Object> port = cloud.get("/v2.0/ports/" + a1.portId(), admin).json("port");
        assertEquals(port.get("mac_address"), data.path("links").path(0).path("ethernet_mac_address").asText());
        assertEquals(a1.ip(), data.path("networks").path(0).path("ip_address").asText());
        assertEquals(a1.project().network(), data.path("networks").path(0).path("network_id").asText());
        JsonNode meta = json(httpGet(a1.netns(), "http://169.254.169.254/openstack/latest/meta_data.json"));
        assertEquals(a1.deviceId(), meta.path("uuid").asText());
        assertEquals("a1-host", meta.path("hostname").asText());
        assertEquals(a1.ip(), httpGet(a1.netns(), "http://169.254.169.254/latest/meta-data/local-ipv4").strip());
        assertEquals(a1.mac(), httpGet(a1.netns(), "http://169.254.169.254/latest/meta-data/mac").strip());

        Vm a2 = vms.get("a2");
        assertEquals(fip, httpGet(a2.netns(), "http://169.254.169.254/latest/meta-data/public-ipv4").strip(), "a2 holds the floating IP now");
        String claimed = httpGet(a2.netns(), "http://169.254.169.254/latest/meta-data/instance-id",
                "X-Forwarded-For:" + a1.ip(), "X-Skein-Network-ID:" + a1.project().network());
        assertEquals(a2.deviceId(), claimed.strip(), "headers a VM sends do not change who it is");
        Namespaces.must("ip", "-n", a2.netns(), "addr", "add", a1.ip() + "/32", "dev", "eth0");
        try {
            Namespaces.Result spoofed = Namespaces.run("ip", "netns", "exec", a2.netns(), "timeout", "5", "python3", "-c", """
                    import socket, sys
                    s = socket.create_connection(("169.254.169.254", 80), timeout=3, source_address=(sys.argv[1], 0))
                    s.sendall(b"GET /latest/meta-data/instance-id HTTP/1.0\\r\\n\\r\\n"); print(s.recv(4096).decode())
                    """, a1.ip());
            assertFalse(spoofed.ok() && spoofed.out().contains(a1.deviceId()), "a spoofed source address gets nothing: " + spoofed.out());
        } finally {
            Namespaces.must("ip", "-n", a2.netns(), "addr", "del", a1.ip() + "/32", "dev", "eth0");
        }
    }

    @Test
    @Order(6)
    void aConfigDriveHoldsTheSameDocuments() throws Exception {
        Vm a1 = vms.get("a1");
        HttpResponse<byte[]> iso = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(cloud.baseUrl() + "/v2.0/instance-metadata/" + a1.deviceId() + "/config-drive"))
                .header("X-Auth-Token", admin).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, iso.statusCode(), new String(iso.body(), StandardCharsets.UTF_8));
        Path image = rig.work.resolve("a1-config.iso");
        Files.write(image, iso.body());
        // This machine's kernel has no iso9660 driver, so IsoImage falls back to reading the image with isoinfo.
        try (IsoImage drive = IsoImage.open(image)) {
            rig.figures.add("config drive read " + (drive.mounted() ? "through a loop mount" : "with isoinfo (no iso9660 in this kernel)"));
            assertEquals("config-2", drive.volumeId());
            assertEquals(json(httpGet(a1.netns(), "http://169.254.169.254/openstack/latest/network_data.json")),
                    json(new String(drive.file("openstack/latest/network_data.json"), StandardCharsets.UTF_8)));
            JsonNode meta = json(new String(drive.file("openstack/latest/meta_data.json"), StandardCharsets.UTF_8));
            assertEquals(a1.deviceId(), meta.path("uuid").asText());
            assertEquals("a1-host", meta.path("hostname").asText());
        }
    }

    @Test
    @Order(7)
    void theNetworkNodeAgentRestartsUnderTrafficThroughAFloatingIpWithoutLoss() throws Exception {
        Process ping = new ProcessBuilder("ip", "netns", "exec", outside, "ping", "-n", "-q", "-i", "0.05", "-c", "200", fip)
                .redirectErrorStream(true).start();
        Thread.sleep(1500);
        rig.agents.get("n1").kill();
        launchNetworkNode();
        assertTrue(ping.waitFor(60, TimeUnit.SECONDS), "ping finished");
        String out = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = PING_SUMMARY.matcher(out);
        assertTrue(m.find(), out);
        assertEquals(m.group(1), m.group(2), "no echo lost while the network node's agent restarted: " + out);
        rig.await("the restarted agent is alive", () -> cloud.get("/v2.0/agents?host=n1", admin).list("agents").stream()
                .anyMatch(a -> Boolean.TRUE.equals(a.get("alive"))));
    }
}
