package dev.skein.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Conformance with the real `openstack` CLI (Debian python3-openstackclient) against Skein started the way an
 * operator starts it: the repository's ./skein all-in-one launcher, a fresh data directory, SIGTERM to stop.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliConformanceIT {
    private static final String PASSWORD = "cli-test-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path dataDir;
    private static Path log;
    private static int port;
    private static Process skein;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/openstack"))) {
            fail("the openstack CLI is missing: apt-get install -y python3-openstackclient (.ci/run does this)");
        }
        dataDir = Files.createTempDirectory("skein-cli");
        log = dataDir.resolve("skein.log");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        skein = launch();
    }

    @AfterAll
    static void stop() throws Exception {
        if (skein != null && skein.isAlive()) {
            skein.destroyForcibly();
            skein.waitFor(10, TimeUnit.SECONDS);
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Process launch() throws Exception {
        Path launcher = Path.of("..", "skein").toAbsolutePath().normalize();
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "all-in-one", "--listen", "127.0.0.1:" + port,
                "--data-dir", dataDir.toString());
        pb.environment().put("SKEIN_ADMIN_PASSWORD", PASSWORD);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) fail("skein exited with " + p.exitValue() + ":\n" + Files.readString(log));
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return p;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        fail("skein did not answer GET / within 120 s:\n" + Files.readString(log));
        return p;
    }

    record Result(int exit, String out) {}

    private static Result cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openstack"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("OS_"));
        env.put("OS_AUTH_URL", "http://127.0.0.1:" + port + "/identity/v3");
        env.put("OS_IDENTITY_API_VERSION", "3");
        env.put("OS_USERNAME", "admin");
        env.put("OS_PASSWORD", PASSWORD);
        env.put("OS_PROJECT_NAME", "admin");
        env.put("OS_USER_DOMAIN_NAME", "Default");
        env.put("OS_PROJECT_DOMAIN_NAME", "Default");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("openstack " + String.join(" ", args) + " hung");
        }
        return new Result(p.exitValue(), out);
    }

    private static Map<String, Object> ok(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", "json"));
        Result r = cli(all.toArray(String[]::new));
        assertEquals(0, r.exit(), () -> "openstack " + String.join(" ", args) + " failed:\n" + r.out());
        return JSON.readValue(r.out(), new TypeReference<>() {});
    }

    private static List<Map<String, Object>> okList(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", "json"));
        Result r = cli(all.toArray(String[]::new));
        assertEquals(0, r.exit(), () -> "openstack " + String.join(" ", args) + " failed:\n" + r.out());
        return JSON.readValue(r.out(), new TypeReference<>() {});
    }

    @Test
    @Order(1)
    void networksSubnetsAndPorts() throws Exception {
        Map<String, Object> net = ok("network", "create", "--tag", "cli", "cli-net");
        assertEquals("cli-net", net.get("name"));
        assertEquals(1450, net.get("mtu"));
        assertEquals("vxlan", net.get("provider:network_type"));
        assertEquals(List.of("cli"), net.get("tags"));

        Map<String, Object> v4 = ok("subnet", "create", "--network", "cli-net", "--subnet-range", "192.0.2.0/24",
                "--dns-nameserver", "192.0.2.53", "--allocation-pool", "start=192.0.2.10,end=192.0.2.20", "cli-v4");
        assertEquals("192.0.2.1", v4.get("gateway_ip"));
        assertEquals(List.of(Map.of("start", "192.0.2.10", "end", "192.0.2.20")), v4.get("allocation_pools"));

        Map<String, Object> v6 = ok("subnet", "create", "--network", "cli-net", "--ip-version", "6",
                "--ipv6-ra-mode", "slaac", "--ipv6-address-mode", "slaac", "--subnet-range", "2001:db8:1::/64", "cli-v6");
        assertEquals(6, v6.get("ip_version"));
        assertEquals("slaac", v6.get("ipv6_address_mode"));

        Map<String, Object> fixed = ok("port", "create", "--network", "cli-net",
                "--fixed-ip", "subnet=cli-v4,ip-address=192.0.2.15", "--tag", "web", "cli-port1");
        List<?> ips = (List<?>) fixed.get("fixed_ips");
        assertTrue(ips.contains(Map.of("subnet_id", v4.get("id"), "ip_address", "192.0.2.15")), ips::toString);
        assertEquals(2, ips.size(), "a v4 address and the SLAAC address: " + ips);
        assertEquals("DOWN", fixed.get("status"));

        Map<String, Object> auto = ok("port", "create", "--network", "cli-net", "cli-port2");
        String autoIp = ((List<Map<String, String>>) auto.get("fixed_ips")).stream()
                .filter(f -> f.get("subnet_id").equals(v4.get("id"))).findFirst().orElseThrow().get("ip_address");
        int last = Integer.parseInt(autoIp.substring(autoIp.lastIndexOf('.') + 1));
        assertTrue(last >= 10 && last <= 20 && last != 15, "auto address inside the pool and not taken: " + autoIp);
        assertNotEquals(fixed.get("mac_address"), auto.get("mac_address"));
    }

    @Test
    @Order(2)
    void tagsAndFilters() throws Exception {
        List<Map<String, Object>> byTag = okList("network", "list", "--tags", "cli");
        assertEquals(List.of("cli-net"), byTag.stream().map(n -> n.get("Name")).toList());
        assertTrue(okList("network", "list", "--tags", "no-such-tag").isEmpty());

        List<Map<String, Object>> byIp = okList("port", "list", "--fixed-ip", "ip-address=192.0.2.15");
        assertEquals(List.of("cli-port1"), byIp.stream().map(p -> p.get("Name")).toList());
        List<Map<String, Object>> onNet = okList("port", "list", "--network", "cli-net");
        assertEquals(2, onNet.size());

        assertEquals(0, cli("network", "set", "--tag", "red", "cli-net").exit());
        assertEquals(List.of("cli", "red"), ((List<?>) ok("network", "show", "cli-net").get("tags")).stream().sorted().toList());
        assertEquals(0, cli("network", "unset", "--tag", "cli", "cli-net").exit());
        assertEquals(List.of("red"), ok("network", "show", "cli-net").get("tags"));
    }

    @Test
    @Order(3)
    void errorsNameTheProblem() throws Exception {
        Result taken = cli("port", "create", "--network", "cli-net", "--fixed-ip", "subnet=cli-v4,ip-address=192.0.2.15", "dup");
        assertNotEquals(0, taken.exit());
        assertTrue(taken.out().contains("409") && taken.out().contains("192.0.2.15 already allocated"), taken.out());

        Result overlap = cli("subnet", "create", "--network", "cli-net", "--subnet-range", "192.0.2.128/25", "overlap");
        assertNotEquals(0, overlap.exit());
        assertTrue(overlap.out().contains("400") && overlap.out().contains("overlaps with another subnet"), overlap.out());

        Result inUse = cli("network", "delete", "cli-net");
        assertNotEquals(0, inUse.exit());
        assertTrue(inUse.out().contains("409") && inUse.out().contains("ports still in use"), inUse.out());

        assertFalse(okList("port", "list", "--name", "dup").stream().findAny().isPresent(), "the failed create left nothing");
    }

    @Test
    @Order(4)
    void restartKeepsEverythingAndSigtermStopsCleanly() throws Exception {
        skein.destroy();
        assertTrue(skein.waitFor(30, TimeUnit.SECONDS), "skein did not stop within 30 s of SIGTERM");
        assertTrue(Files.readString(log).contains("Shutting down"), "no clean shutdown in the log");
        skein = launch();
        assertEquals(List.of("red"), ok("network", "show", "cli-net").get("tags"));
        assertEquals(2, okList("port", "list", "--network", "cli-net").size());

        assertEquals(0, cli("port", "delete", "cli-port1", "cli-port2").exit());
        assertEquals(0, cli("subnet", "delete", "cli-v4", "cli-v6").exit());
        assertEquals(0, cli("network", "delete", "cli-net").exit());
        assertTrue(okList("network", "list").isEmpty());
    }
}
