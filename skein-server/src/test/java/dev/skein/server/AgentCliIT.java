package dev.skein.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skein.plan.DeviceNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The agent of `./skein all-in-one`, seen through the real `openstack` CLI: it registers in-process and shows in
 * `network agent list/show`, the operator can describe and disable it, and a port bound to its host turns ACTIVE
 * when a tap appears. The built-in agent is pointed at a network namespace (local_agent.netns) so the machine's
 * own network is never touched; that needs root, as the data-plane tests do.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentCliIT {
    private static final String PASSWORD = "agent-cli-secret";
    private static final String HOST = "cli-host";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Namespaces ns;
    private static String hostNs;
    private static Path dataDir;
    private static int port;
    private static Process skein;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/openstack"))) fail("needs the openstack CLI: apt-get install -y python3-openstackclient");
        String missing = Namespaces.missingTools();
        assertNull(missing, "this test needs " + missing);
        ns = new Namespaces();
        hostNs = ns.add("aio");
        dataDir = Files.createTempDirectory("skein-agent-cli");
        Files.writeString(dataDir.resolve("skein.yaml"), String.join("\n",
                "local_agent:", "  host: " + HOST, "  netns: " + hostNs, ""));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = dataDir.resolve("skein.log");
        ProcessBuilder pb = new ProcessBuilder(Path.of("..", "skein").toAbsolutePath().normalize().toString(), "all-in-one",
                "--listen", "127.0.0.1:" + port, "--data-dir", dataDir.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SKEIN_ADMIN_PASSWORD", PASSWORD);
        skein = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (;;) {
            if (!skein.isAlive()) fail("skein all-in-one exited:\n" + Files.readString(log));
            if (System.nanoTime() > deadline) fail("skein all-in-one did not start within 120 s:\n" + Files.readString(log));
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) break;
            } catch (IOException starting) {
                Thread.sleep(100);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (skein != null) {
                List<ProcessHandle> children = skein.descendants().toList();
                skein.destroy();
                if (!skein.waitFor(20, TimeUnit.SECONDS)) skein.destroyForcibly();
                children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            }
        } finally {
            if (ns != null) ns.close();
            if (dataDir != null) {
                try (Stream<Path> files = Files.walk(dataDir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    record Cli(int exit, String out) {}

    static Cli openstack(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("openstack"));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("OS_"));
        env.putAll(Map.of("OS_AUTH_URL", "http://127.0.0.1:" + port + "/identity/v3", "OS_IDENTITY_API_VERSION", "3",
                "OS_USERNAME", "admin", "OS_PASSWORD", PASSWORD, "OS_PROJECT_NAME", "admin",
                "OS_USER_DOMAIN_NAME", "Default", "OS_PROJECT_DOMAIN_NAME", "Default"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("openstack " + String.join(" ", args) + " hung");
        }
        return new Cli(p.exitValue(), out);
    }

    static <T> T json(TypeReference<T> type, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.addAll(List.of("-f", "json"));
        Cli r = openstack(argv.toArray(String[]::new));
        assertEquals(0, r.exit(), () -> "openstack " + String.join(" ", args) + ":\n" + r.out());
        return JSON.readValue(r.out(), type);
    }

    static Map<String, Object> object(String... args) throws Exception { return json(new TypeReference<>() {}, args); }

    static List<Map<String, Object>> list(String... args) throws Exception { return json(new TypeReference<>() {}, args); }

    @Test
    @Order(1)
    void theBuiltInAgentIsListedAliveAndTheOperatorCanDescribeAndDisableIt() throws Exception {
        List<Map<String, Object>> agents = list("network", "agent", "list", "--host", HOST);
        assertEquals(1, agents.size(), agents.toString());
        Map<String, Object> listed = agents.get(0);
        assertEquals("Skein agent", listed.get("Agent Type"));
        assertEquals("skein-agent", listed.get("Binary"));
        assertEquals(true, listed.get("Alive"));
        String id = (String) listed.get("ID");

        assertEquals(0, openstack("network", "agent", "set", "--description", "rack 7", "--disable", id).exit());
        Map<String, Object> shown = object("network", "agent", "show", id);
        assertEquals("rack 7", shown.get("description"));
        assertEquals(false, shown.get("admin_state_up"));
        assertEquals(HOST, shown.get("host"));
        @SuppressWarnings("unchecked")
        Map<String, Object> configuration = (Map<String, Object>) shown.get("configuration");
        assertEquals(hostNs, configuration.get("netns"));

        Cli refused = openstack("network", "agent", "delete", id);
        assertNotEquals(0, refused.exit(), "a live agent cannot be deleted:\n" + refused.out());
        assertEquals(0, openstack("network", "agent", "set", "--enable", id).exit());
    }

    @Test
    @Order(2)
    void aPortBoundToTheAllInOneHostTurnsActiveWhenItsTapAppears() throws Exception {
        object("network", "create", "aio-net");
        Map<String, Object> p = object("port", "create", "--network", "aio-net", "--host", HOST, "aio-port");
        String id = (String) p.get("id");
        assertEquals("DOWN", p.get("status"));
        String vm = ns.add("aio-vm");
        Namespaces.must("ip", "-n", hostNs, "link", "add", DeviceNames.tap(id), "type", "veth", "peer", "name", "eth0", "netns", vm);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"ACTIVE".equals(object("port", "show", id).get("status"))) {
            if (System.nanoTime() > deadline) fail("port " + id + " did not turn ACTIVE within 30 s");
        }
        Namespaces.must("ip", "-n", hostNs, "link", "del", DeviceNames.tap(id));
        while (!"DOWN".equals(object("port", "show", id).get("status"))) {
            if (System.nanoTime() > deadline) fail("port " + id + " did not turn DOWN after its tap went");
        }
    }
}
