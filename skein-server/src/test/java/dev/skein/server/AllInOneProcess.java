package dev.skein.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
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

/**
 * The repository's ./skein all-in-one launcher running in a fresh data directory (with a skein.yaml written there),
 * and the real openstack CLI pointed at it with any user's credentials.
 */
final class AllInOneProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path OPENSTACK = Path.of("/usr/bin/openstack");

    /** Who the CLI authenticates as. */
    record Login(String user, String password, String project) {}

    record Outcome(int exit, String output) {
        boolean ok() { return exit == 0; }
    }

    final String baseUrl;
    private final Path dataDir;
    private final Process process;

    private AllInOneProcess(Path dataDir, String baseUrl, Process process) {
        this.dataDir = dataDir;
        this.baseUrl = baseUrl;
        this.process = process;
    }

    static AllInOneProcess start(String adminPassword, String configYaml) throws IOException, InterruptedException {
        if (!Files.isExecutable(OPENSTACK)) {
            throw new IllegalStateException("needs the openstack CLI: apt-get install python3-openstackclient (.ci/run does)");
        }
        Path dir = Files.createTempDirectory("skein-aio");
        Files.writeString(dir.resolve("skein.yaml"), configYaml);
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path launcher = Path.of("..", "skein").toAbsolutePath().normalize();
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "all-in-one", "--listen", "127.0.0.1:" + port,
                "--data-dir", dir.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("skein.log").toFile());
        pb.environment().put("SKEIN_ADMIN_PASSWORD", adminPassword);
        AllInOneProcess aio = new AllInOneProcess(dir, "http://127.0.0.1:" + port, pb.start());
        aio.awaitReady();
        return aio;
    }

    /** Runs {@code openstack args...} as the given user; output is stdout and stderr together. */
    Outcome openstack(Login login, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(OPENSTACK.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("OS_"));
        env.putAll(Map.of("OS_AUTH_URL", baseUrl + "/identity/v3", "OS_IDENTITY_API_VERSION", "3",
                "OS_USERNAME", login.user(), "OS_PASSWORD", login.password(), "OS_PROJECT_NAME", login.project(),
                "OS_USER_DOMAIN_NAME", "Default", "OS_PROJECT_DOMAIN_NAME", "Default"));
        Process cli = pb.start();
        String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!cli.waitFor(2, TimeUnit.MINUTES)) {
            cli.destroyForcibly();
            throw new IllegalStateException("openstack " + String.join(" ", args) + " did not finish");
        }
        return new Outcome(cli.exitValue(), output);
    }

    /** Runs a command with {@code -f json} that must succeed, and parses what it printed. */
    <T> T json(Login login, TypeReference<T> type, String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", "json"));
        Outcome o = openstack(login, all.toArray(String[]::new));
        if (!o.ok()) throw new AssertionError("openstack " + String.join(" ", args) + " exited " + o.exit() + ":\n" + o.output());
        return JSON.readValue(o.output(), type);
    }

    /** A raw API call, for what the CLI cannot do (Debian's quota set needs a compute service). */
    HttpResponse<String> http(String method, String path, String token, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).header("X-Auth-Token", token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    String log() throws IOException { return Files.readString(dataDir.resolve("skein.log")); }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("skein exited with " + process.exitValue() + ":\n" + log());
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) return;
            } catch (ConnectException notListeningYet) {
                Thread.sleep(250);
            }
        }
        close();
        throw new IllegalStateException("skein did not answer within 180 s:\n" + log());
    }

    /** SIGTERM, as an operator stops it; then the data directory goes. */
    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
