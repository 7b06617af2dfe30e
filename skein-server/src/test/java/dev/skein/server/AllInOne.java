package dev.skein.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

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

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * ./skein all-in-one as an operator starts it (fresh data directory, free loopback port, admin password from the
 * environment, optional skein.yaml), and the real `openstack` CLI pointed at it, for the CLI tests. A test class
 * either holds one in a static {@code @RegisterExtension} field ({@link #perClass}), started before its first test
 * and closed after its last, or calls {@link #start} itself when the config depends on its own setup.
 */
final class AllInOne implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};
    static final TypeReference<List<Map<String, Object>>> ROWS = new TypeReference<>() {};

    /**
     * skein.yaml for tests of the API through the CLI: the built-in agent works on this machine's own network stack,
     * and as a network node it would build the DHCP servers and routers of every test network there, and leave them
     * behind when the test stops the process. As a compute host it realises nothing until a port is bound to it.
     */
    static final String COMPUTE_ONLY_AGENT = String.join("\n", "local_agent:", "  roles: [compute]", "");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path OPENSTACK = Path.of("/usr/bin/openstack");
    // Generous because the machine running the tests is often shared and slow to start a JVM.
    private static final Duration STARTUP = Duration.ofSeconds(180);
    private static final Duration COMMAND = Duration.ofMinutes(2);
    private static final Duration GRACE = Duration.ofSeconds(30);

    /** Who the CLI authenticates as. */
    record Login(String user, String password, String project) {}

    /** What a CLI run printed (stdout and stderr together) and how it exited. */
    record Result(int exit, String out) {
        boolean ok() { return exit == 0; }
    }

    final Login admin;
    private final String configYaml;
    String baseUrl;
    private Path dataDir;
    private Path log;
    private int port;
    private Process process;

    private AllInOne(String adminPassword, String configYaml) {
        this.admin = new Login("admin", adminPassword, "admin");
        this.configYaml = configYaml;
    }

    /** Not started yet: {@link #beforeAll} does that, with the given admin password and skein.yaml (unless blank). */
    static AllInOne perClass(String adminPassword, String configYaml) {
        return new AllInOne(adminPassword, configYaml);
    }

    /** Starts with the given admin password and, unless blank, {@code configYaml} as the data directory's skein.yaml. */
    static AllInOne start(String adminPassword, String configYaml) throws Exception {
        AllInOne aio = new AllInOne(adminPassword, configYaml);
        aio.begin();
        return aio;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        begin();
    }

    private void begin() throws Exception {
        if (!Files.isExecutable(OPENSTACK)) {
            fail("the openstack CLI is missing: apt-get install -y python3-openstackclient (.ci/run does this)");
        }
        dataDir = Files.createTempDirectory("skein-aio");
        log = dataDir.resolve("skein.log");
        if (!configYaml.isBlank()) Files.writeString(dataDir.resolve("skein.yaml"), configYaml);
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        baseUrl = "http://127.0.0.1:" + port;
        try {
            launch();
        } catch (Throwable e) {
            close();
            throw e;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }

    /** Starts the process again on the same port and data directory, after {@link #stop()}. */
    void launch() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of("..", "skein").toAbsolutePath().normalize().toString(), "all-in-one",
                "--listen", "127.0.0.1:" + port, "--data-dir", dataDir.toString());
        pb.environment().put("SKEIN_ADMIN_PASSWORD", admin.password());
        // Appending keeps the log of an earlier run when a test restarts the process.
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        process = pb.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest versions = HttpRequest.newBuilder(URI.create(baseUrl + "/")).build();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) fail("skein exited with " + process.exitValue() + ":\n" + log());
            try {
                if (http.send(versions, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException notListeningYet) {
                Thread.sleep(200);
            }
        }
        fail("skein did not answer GET / within " + STARTUP.toSeconds() + " s:\n" + log());
    }

    /** SIGTERM, as an operator stops it; true if it exited within the grace period (else it is killed). */
    boolean stop() throws InterruptedException {
        if (process == null || !process.isAlive()) return true;
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        boolean clean = process.waitFor(GRACE.toSeconds(), TimeUnit.SECONDS);
        if (!clean) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        // The launcher script may leave the JVM it started behind when it is killed.
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        return clean;
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Runs {@code openstack ARGS...} as the admin of the admin project. */
    Result cli(String... args) throws Exception {
        return cli(admin, args);
    }

    /** Runs {@code openstack ARGS...} as the given user. */
    Result cli(Login login, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(OPENSTACK.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("OS_"));
        env.putAll(Map.of("OS_AUTH_URL", baseUrl + "/identity/v3", "OS_IDENTITY_API_VERSION", "3",
                "OS_USERNAME", login.user(), "OS_PASSWORD", login.password(), "OS_PROJECT_NAME", login.project(),
                "OS_USER_DOMAIN_NAME", "Default", "OS_PROJECT_DOMAIN_NAME", "Default"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(COMMAND.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("openstack " + String.join(" ", args) + " did not finish");
        }
        return new Result(p.exitValue(), out);
    }

    /** Runs a command that must succeed with {@code -f json} appended, as the given user, and parses what it printed. */
    <T> T json(Login login, TypeReference<T> type, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", "json"));
        Result r = cli(login, all.toArray(String[]::new));
        if (!r.ok()) fail("openstack " + String.join(" ", args) + " exited " + r.exit() + ":\n" + r.out());
        return JSON.readValue(r.out(), type);
    }

    Map<String, Object> show(String... args) throws Exception {
        return json(admin, OBJECT, args);
    }

    List<Map<String, Object>> list(String... args) throws Exception {
        return json(admin, ROWS, args);
    }

    /** A raw API call, for what the CLI cannot do (Debian's quota set needs a compute service). */
    HttpResponse<String> http(String method, String path, String token, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).header("X-Auth-Token", token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Stops the process and removes the data directory. */
    @Override
    public void close() throws Exception {
        if (dataDir == null) return;
        try {
            stop();
        } finally {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            // A failed start closes at once, and JUnit's afterAll closes again.
            dataDir = null;
        }
    }
}
