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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ./skein all-in-one as an operator starts it (fresh data directory, free loopback port), and the real
 * `openstack` CLI pointed at it as admin, for CLI tests.
 */
final class AllInOne implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "all-in-one-secret";

    record Result(int exit, String out) {}

    private final Path dataDir;
    private final Path log;
    private final int port;
    private final Process process;

    private AllInOne(Path dataDir, int port, Process process) {
        this.dataDir = dataDir;
        this.log = dataDir.resolve("skein.log");
        this.port = port;
        this.process = process;
    }

    static AllInOne start() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/openstack"))) {
            fail("the openstack CLI is missing: apt-get install -y python3-openstackclient (.ci/run does this)");
        }
        Path dir = Files.createTempDirectory("skein-aio");
        Path log = dir.resolve("skein.log");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(Path.of("..", "skein").toAbsolutePath().normalize().toString(), "all-in-one",
                "--listen", "127.0.0.1:" + port, "--data-dir", dir.toString());
        pb.environment().put("SKEIN_ADMIN_PASSWORD", PASSWORD);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        AllInOne aio = new AllInOne(dir, port, pb.start());
        aio.awaitReady();
        return aio;
    }

    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) fail("skein exited with " + process.exitValue() + ":\n" + Files.readString(log));
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        fail("skein did not answer GET / within 120 s:\n" + Files.readString(log));
    }

    /** Runs `openstack COMMAND ARGS` as admin (command words as one string: "port create"); exit code and output. */
    Result cli(String command, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openstack"));
        cmd.addAll(List.of(command.split(" ")));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("OS_"));
        env.putAll(Map.of("OS_AUTH_URL", "http://127.0.0.1:" + port + "/identity/v3", "OS_IDENTITY_API_VERSION", "3",
                "OS_USERNAME", "admin", "OS_PASSWORD", PASSWORD, "OS_PROJECT_NAME", "admin",
                "OS_USER_DOMAIN_NAME", "Default", "OS_PROJECT_DOMAIN_NAME", "Default"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("openstack " + command + " " + String.join(" ", args) + " hung");
        }
        return new Result(p.exitValue(), out);
    }

    /** `openstack COMMAND ARGS -f json`, which must succeed, parsed. */
    <T> T json(TypeReference<T> type, String command, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", "json"));
        Result r = cli(command, all.toArray(String[]::new));
        assertEquals(0, r.exit(), () -> "openstack " + command + " " + String.join(" ", args) + " failed:\n" + r.out());
        return JSON.readValue(r.out(), type);
    }

    Map<String, Object> show(String command, String... args) throws Exception {
        return json(new TypeReference<>() {}, command, args);
    }

    List<Map<String, Object>> list(String command, String... args) throws Exception {
        return json(new TypeReference<>() {}, command, args);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
