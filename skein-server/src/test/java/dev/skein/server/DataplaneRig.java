package dev.skein.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a data-plane IT runs around its tests on real kernels: RabbitMQ, a controller that uses it, the namespaces
 * of the simulated hosts and VMs, `skein agent` processes, TCP listeners, and a work directory for the agents'
 * logs and state; and the timings the test measured, printed at the end. A rig that fails to start takes down
 * what it had started; close() stops everything in order and goes on past any step that fails, so that no
 * process or namespace outlives the test.
 */
final class DataplaneRig implements AutoCloseable {
    static final Pattern PING_SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    private final String name;
    private final Duration deadline;
    final Path work;
    final RabbitBroker broker;
    final TestCloud cloud;
    final String admin;
    final Namespaces ns;
    /** The agents by host, in launch order; a restarted agent replaces its predecessor. */
    final Map<String, AgentProcess> agents = new LinkedHashMap<>();
    final List<String> figures = new CopyOnWriteArrayList<>();
    private final List<Process> listeners = new CopyOnWriteArrayList<>();

    /** name heads the printed figures; deadline bounds every await(). The broker's URL is set in cfg. */
    DataplaneRig(String name, SkeinConfig cfg, Duration deadline) throws Exception {
        String missing = Namespaces.missingTools();
        assertNull(missing, "the data-plane test needs " + missing);
        this.name = name;
        this.deadline = deadline;
        work = Files.createTempDirectory("skein-" + name);
        try {
            broker = RabbitBroker.start();
            cfg.bus.amqpUrl = broker.url();
            cloud = new TestCloud(cfg);
            admin = cloud.adminToken();
            ns = new Namespaces();
        } catch (Exception | AssertionError e) {
            try {
                close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Starts the agent of host, whose host namespace is netns, against this rig's controller and broker. */
    AgentProcess launch(String host, String localIp, String netns, String... extra) throws IOException {
        AgentProcess agent = AgentProcess.launch(work, cloud.baseUrl(), broker.url(), host, localIp, netns, extra);
        agents.put(host, agent);
        return agent;
    }

    /** Waits for condition; on timeout fails with the end of every agent's log, where the reason usually is. */
    void await(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                StringBuilder msg = new StringBuilder("timed out after " + deadline.toSeconds() + " s waiting for: " + what);
                agents.values().forEach(a -> msg.append("\n--- agent ").append(a.host()).append(" log ---\n").append(tail(a.logText())));
                fail(msg.toString());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    String status(String portId) {
        return (String) cloud.get("/v2.0/ports/" + portId, admin).json("port").get("status");
    }

    /**
     * A TCP listener in the namespace on each port that answers every connection with "hello PORT from
     * CLIENT-ADDRESS" and closes it; a client that only checks that it connects may hang up first.
     */
    void listen(String netns, int... tcpPorts) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns, "python3", "-c", """
                import socket, sys, threading
                def serve(s, port):
                    while True:
                        c, a = s.accept()
                        try:
                            c.sendall(("hello %d from %s\\n" % (port, a[0])).encode())
                        except OSError:
                            pass
                        c.close()
                for p in sys.argv[1:]:
                    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(("", int(p))); s.listen(16)
                    threading.Thread(target=serve, args=(s, int(p)), daemon=True).start()
                print("ready", flush=True)
                threading.Event().wait()
                """));
        for (int p : tcpPorts) argv.add(String.valueOf(p));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        listeners.add(p);
        assertTrue(new String(p.getInputStream().readNBytes(6), StandardCharsets.UTF_8).startsWith("ready"), "listener in " + netns);
    }

    static String tail(String s) { return s.length() > 3000 ? s.substring(s.length() - 3000) : s; }

    static long millisSince(long startNanos) { return (System.nanoTime() - startNanos) / 1_000_000; }

    @SuppressWarnings("unchecked")
    static String firstIp(Map<String, Object> port) {
        return (String) ((List<Map<String, Object>>) port.get("fixed_ips")).get(0).get("ip_address");
    }

    private interface Step {
        void run() throws Exception;
    }

    /**
     * Listeners first, as a process outlives the namespace it runs in; then the agents, before the controller and
     * the broker they talk to; then the namespaces (with what the agents left running in them) and the files.
     */
    @Override
    public void close() throws Exception {
        List<Step> steps = new ArrayList<>();
        for (Process p : listeners) steps.add(() -> {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        });
        for (AgentProcess a : agents.values()) steps.add(a::stop);
        if (cloud != null) steps.add(cloud::close);
        if (broker != null) steps.add(broker::close);
        if (ns != null) steps.add(ns::close);
        steps.add(() -> {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        });
        Exception failure = null;
        for (Step step : steps) {
            try {
                step.run();
            } catch (Exception e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        figures.forEach(f -> System.out.println("[" + name + "] " + f));
        if (failure != null) throw failure;
    }
}
