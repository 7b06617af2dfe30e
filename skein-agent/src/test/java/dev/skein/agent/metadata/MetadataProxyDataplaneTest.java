package dev.skein.agent.metadata;

import com.sun.net.httpserver.HttpServer;
import dev.skein.agent.Lab;
import dev.skein.agent.host.AgentSettings;
import dev.skein.agent.host.HttpControllerClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The metadata proxy for real: haproxy inside a "DHCP" namespace holding 169.254.169.254, the agent's unix-socket
 * server, and a stand-in controller on 127.0.0.1 that records what reaches it. A "VM" namespace on a veth asks
 * with python3's urllib, adding forged X-Skein-* and X-Forwarded-For headers. Needs root; every namespace and the
 * processes in it are removed afterwards, pass or fail.
 */
class MetadataProxyDataplaneTest {
    static final String NET = "6f1c2b1e-0000-4000-8000-00000000aaaa";
    static final String ROUTER = "9d3e4f5a-0000-4000-8000-00000000bbbb";
    static final String VM_IP = "192.0.2.10";

    /** What one request brought to the stand-in controller. */
    record Seen(String path, String token, String network, String router, String forwardedFor) {}

    @TempDir
    Path state;
    Lab lab;
    HttpServer controller;
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    String proxyNs, vmNs;
    HaproxyMetadataProxies proxies;
    Process foreign;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Lab.available(), "the metadata proxy test needs root and iproute2 (CI runs it as root)");
        lab = new Lab();
        proxyNs = lab.netns("qdhcp");
        vmNs = lab.netns("vm");
        lab.cable(proxyNs, "192.0.2.2/24", vmNs, VM_IP + "/24", "md0");
        lab.run("ip", "-n", proxyNs, "addr", "add", "169.254.169.254/32", "dev", "md0");
        lab.run("ip", "-n", vmNs, "route", "add", "169.254.169.254/32", "via", "192.0.2.2");

        controller = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        controller.createContext("/", exchange -> {
            var h = exchange.getRequestHeaders();
            String path = exchange.getRequestURI().getRawPath();
            seen.add(new Seen(path, h.getFirst("X-Auth-Token"), h.getFirst("X-Skein-Network-ID"), h.getFirst("X-Skein-Router-ID"),
                    h.getFirst("X-Forwarded-For")));
            byte[] body = ("{\"asked\": \"" + path + "\"}").getBytes(StandardCharsets.UTF_8);
            int status = path.contains("missing") ? 404 : 200;
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        controller.start();
        proxies = newAgentProxies();
    }

    @AfterEach
    void tearDown() {
        if (foreign != null) foreign.destroyForcibly();
        if (proxies != null) proxies.close();
        if (controller != null) controller.stop(0);
        if (lab != null) lab.close();
    }

    /** The proxies as an agent process builds them from its settings and controller client. */
    HaproxyMetadataProxies newAgentProxies() {
        AgentSettings settings = new AgentSettings("md-host", null, Map.of(), null, AgentSettings.DEFAULT_HEARTBEAT,
                AgentSettings.DEFAULT_RESYNC, AgentSettings.DEFAULT_DEBOUNCE, null, state);
        HttpControllerClient client = new HttpControllerClient(URI.create("http://127.0.0.1:" + controller.getAddress().getPort()),
                HttpControllerClient.Credentials.token("agent-token"));
        return new HaproxyMetadataProxies(settings, client).start();
    }

    /** GETs the path from the VM with forged headers; returns "STATUS BODY". */
    String fromVm(String path) {
        String script = String.join("\n",
                "import sys, urllib.request, urllib.error",
                "req = urllib.request.Request('http://169.254.169.254' + sys.argv[1], headers={",
                "    'X-Skein-Network-ID': 'forged-network', 'x-skein-router-id': 'forged-router',",
                "    'X-Forwarded-For': '192.0.2.99', 'X-Auth-Token': 'forged-token'})",
                "try:",
                "    r = urllib.request.urlopen(req, timeout=5)",
                "    print(r.status, r.read().decode())",
                "except urllib.error.HTTPError as e:",
                "    print(e.code, e.read().decode().strip())",
                "except (urllib.error.URLError, OSError):",
                "    print('unreachable')");
        return lab.run("ip", "netns", "exec", vmNs, "python3", "-c", script, path).strip();
    }

    @Test
    void theControllerSeesTheRealOriginAndAddressWhateverTheVmSends() {
        proxies.ensure(proxyNs, "169.254.169.254", 80, MetadataProxies.Origin.network(NET));

        assertEquals("200 {\"asked\": \"/v2.0/skein/metadata/openstack/latest/network_data.json\"}",
                fromVm("/openstack/latest/network_data.json"));
        assertEquals(List.of(new Seen("/v2.0/skein/metadata/openstack/latest/network_data.json", "agent-token", NET, null, VM_IP)), seen);

        seen.clear();
        assertTrue(fromVm("/latest/meta-data/missing").startsWith("404"), "a 404 of the controller reaches the VM as one");
        assertEquals(VM_IP, seen.getFirst().forwardedFor());
    }

    @Test
    void aRunningProxyIsFoundAgainAndKeptAcrossAgentRestarts() {
        proxies.ensure(proxyNs, "169.254.169.254", 80, MetadataProxies.Origin.network(NET));
        long pid = proxies.pid(proxyNs).orElseThrow();
        proxies.ensure(proxyNs, "169.254.169.254", 80, MetadataProxies.Origin.network(NET));
        assertEquals(pid, proxies.pid(proxyNs).orElseThrow(), "the same configuration leaves the proxy alone");

        proxies.close();
        assertTrue(running(pid), "the proxy outlives the agent");
        proxies = newAgentProxies();
        proxies.ensure(proxyNs, "169.254.169.254", 80, MetadataProxies.Origin.network(NET));
        assertEquals(pid, proxies.pid(proxyNs).orElseThrow(), "a restarted agent finds its proxy again");
        assertTrue(fromVm("/latest/meta-data/instance-id").startsWith("200"), "and serves through it at once");

        proxies.ensure(proxyNs, "169.254.169.254", 80, MetadataProxies.Origin.router(ROUTER));
        long replaced = proxies.pid(proxyNs).orElseThrow();
        assertNotEquals(pid, replaced, "another origin is another configuration");
        waitForExit(pid);
        assertFalse(running(pid), "the old proxy stopped after handing over");
        seen.clear();
        assertTrue(fromVm("/latest/meta-data/instance-id").startsWith("200"));
        assertEquals(ROUTER, seen.getFirst().router());
        assertNull(seen.getFirst().network(), "the forged network header was dropped");

        proxies.remove(proxyNs);
        waitForExit(replaced);
        assertFalse(running(replaced));
        assertTrue(proxies.pid(proxyNs).isEmpty());
        assertEquals("unreachable", fromVm("/latest/meta-data/instance-id"), "nothing listens once the proxy is removed");
    }

    @Test
    void aPidFileNamingAnotherProcessNeverGetsItKilled() throws IOException {
        proxies.ensure(proxyNs, "169.254.169.254", 80, MetadataProxies.Origin.network(NET));
        foreign = new ProcessBuilder("sleep", "60").start();
        Path pidFile = state.resolve("metadata").resolve(proxyNs + ".pid");
        Files.writeString(pidFile, foreign.pid() + "\n");

        assertTrue(proxies.pid(proxyNs).isEmpty(), "sleep is not our haproxy");
        proxies.remove(proxyNs);
        assertTrue(foreign.isAlive(), "remove() leaves a process it did not start alone");
        assertFalse(Files.exists(pidFile));
    }

    /** Alive and not a zombie: an exited daemon stays a zombie until whoever adopted it reaps it. */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private static void waitForExit(long pid) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (running(pid) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
