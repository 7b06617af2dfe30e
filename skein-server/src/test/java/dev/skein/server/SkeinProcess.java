package dev.skein.server;

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
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Skein as an operator runs it — the repository's ./skein all-in-one launcher on a free loopback port with a
 * throw-away data directory — and the real `openstack` CLI pointed at it as the bootstrap admin.
 */
final class SkeinProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STARTUP = Duration.ofMinutes(2);
    private static final Duration COMMAND = Duration.ofMinutes(2);

    private final String password;
    private final Path dataDir;
    private final Path log;
    private final int port;
    private final Process process;

    /** What a CLI run printed (stdout and stderr together) and how it exited. */
    record Output(int exit, String text) {
        boolean failed() { return exit != 0; }
    }

    private SkeinProcess(String password, Path dataDir, int port, Process process) {
        this.password = password;
        this.dataDir = dataDir;
        this.log = dataDir.resolve("skein.log");
        this.port = port;
        this.process = process;
    }

    static SkeinProcess start(String adminPassword) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/openstack"))) {
            throw new IllegalStateException("the openstack CLI is missing (Debian package python3-openstackclient)");
        }
        Path dir = Files.createTempDirectory("skein-l3-cli");
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path repoRoot = Path.of("..").toAbsolutePath().normalize();
        ProcessBuilder pb = new ProcessBuilder(repoRoot.resolve("skein").toString(), "all-in-one",
                "--listen", "127.0.0.1:" + port, "--data-dir", dir.resolve("data").toString());
        pb.environment().put("SKEIN_ADMIN_PASSWORD", adminPassword);
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("skein.log").toFile());
        SkeinProcess s = new SkeinProcess(adminPassword, dir, port, pb.start());
        s.awaitReady();
        return s;
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest versions = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("skein exited early:\n" + Files.readString(log));
            try {
                if (http.send(versions, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException notListeningYet) {
                Thread.sleep(250);
            }
        }
        close();
        throw new IllegalStateException("skein did not answer within " + STARTUP + ":\n" + Files.readString(log));
    }

    /** Runs `openstack ARGS...` as the admin of the admin project. */
    Output cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openstack");
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("OS_"));
        env.putAll(Map.of("OS_AUTH_URL", "http://127.0.0.1:" + port + "/identity/v3", "OS_IDENTITY_API_VERSION", "3",
                "OS_USERNAME", "admin", "OS_PASSWORD", password, "OS_PROJECT_NAME", "admin",
                "OS_USER_DOMAIN_NAME", "Default", "OS_PROJECT_DOMAIN_NAME", "Default"));
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(COMMAND.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("openstack " + String.join(" ", args) + " did not finish");
        }
        return new Output(p.exitValue(), text);
    }

    /** Runs a command that must succeed and prints JSON (-f json is appended), parsed. */
    <T> T json(Class<T> type, String... args) throws IOException, InterruptedException {
        String[] withFormat = Arrays.copyOf(args, args.length + 2);
        withFormat[args.length] = "-f";
        withFormat[args.length + 1] = "json";
        Output out = cli(withFormat);
        if (out.failed()) throw new AssertionError("openstack " + String.join(" ", args) + " exited " + out.exit() + ":\n" + out.text());
        return JSON.readValue(out.text(), type);
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
