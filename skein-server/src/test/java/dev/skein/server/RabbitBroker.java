package dev.skein.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A RabbitMQ node of its own for one test: Debian's rabbitmq-server started as a child process with a private
 * node name, data directory, Erlang port mapper and free loopback ports, so the test may stop and restart it
 * without disturbing any other broker on the machine. Every process it starts is ended by PID.
 */
final class RabbitBroker implements AutoCloseable {
    private static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");
    private static final Path EPMD = Path.of("/usr/bin/epmd");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final String node;
    private final int amqpPort;
    private final int distPort;
    private final int epmdPort;
    private final Process epmd;
    private Process server;

    private RabbitBroker(Path dir) throws IOException {
        this.dir = dir;
        this.node = String.format("skein%06x@localhost", ThreadLocalRandom.current().nextInt(1 << 24));
        this.amqpPort = freePort();
        this.distPort = freePort();
        this.epmdPort = freePort();
        this.epmd = new ProcessBuilder(EPMD.toString(), "-port", String.valueOf(epmdPort), "-address", "127.0.0.1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("epmd.log").toFile()).start();
    }

    /** Starts a node, or fails the test saying what is missing. */
    static RabbitBroker start() throws Exception {
        if (!Files.isExecutable(SERVER) || !Files.isExecutable(EPMD)) {
            fail("RabbitMQ is not installed: apt-get install -y rabbitmq-server (.ci/run does this)");
        }
        RabbitBroker broker = new RabbitBroker(Files.createTempDirectory("skein-rabbit"));
        try {
            broker.startNode();
            return broker;
        } catch (Throwable t) {
            broker.close();
            throw t;
        }
    }

    /** No path: an empty path would name the vhost "" rather than the default "/". */
    String url() { return "amqp://guest:guest@127.0.0.1:" + amqpPort; }

    /** Stops the node and starts it again on the same port and data directory, as an operator's restart would. */
    void restart() throws Exception {
        stopNode();
        startNode();
    }

    private void startNode() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(SERVER.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node.log").toFile()));
        Map<String, String> env = pb.environment();
        env.put("HOME", dir.toString());
        env.put("ERL_EPMD_PORT", String.valueOf(epmdPort));
        env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_NODENAME", node);
        env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_NODE_PORT", String.valueOf(amqpPort));
        env.put("RABBITMQ_DIST_PORT", String.valueOf(distPort));
        env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_PLUGINS_EXPAND_DIR", dir.resolve("plugins-expand").toString());
        env.put("RABBITMQ_PID_FILE", dir.resolve("node.pid").toString());
        server = pb.start();
        // The node answers diagnostics seconds before it accepts AMQP connections, so wait for the port itself.
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!listening()) {
            if (!server.isAlive()) fail("rabbitmq-server exited with " + server.exitValue() + ":\n" + log());
            if (System.nanoTime() > deadline) fail("rabbitmq-server did not listen on " + amqpPort + " within " + START_TIMEOUT + ":\n" + log());
            Thread.sleep(100);
        }
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", amqpPort), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void stopNode() throws InterruptedException {
        if (server == null) return;
        List<ProcessHandle> family = Stream.concat(Stream.of(server.toHandle()), server.descendants()).toList();
        server.destroy();
        if (!server.waitFor(30, TimeUnit.SECONDS)) server.destroyForcibly();
        for (ProcessHandle p : family) {
            if (p.isAlive()) p.destroyForcibly();
        }
        server = null;
    }

    String log() {
        try {
            String text = Files.readString(dir.resolve("node.log"));
            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stopNode();
        } finally {
            epmd.destroy();
            if (!epmd.waitFor(10, TimeUnit.SECONDS)) epmd.destroyForcibly();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
