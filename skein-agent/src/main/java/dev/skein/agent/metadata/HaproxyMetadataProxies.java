package dev.skein.agent.metadata;

import dev.skein.agent.CommandRunner;
import dev.skein.agent.ProcessRunner;
import dev.skein.agent.host.AgentSettings;
import dev.skein.agent.host.ControllerClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * One haproxy per namespace, started detached inside it, in front of the agent's {@link MetadataSocketServer}. The
 * proxy drops every X-Skein-* header the instance sent, stamps the request with its origin (network or router) and
 * sets X-Forwarded-For to the real source address, so the controller sees nothing the instance chose.
 *
 * <p>The proxies outlive the agent: a restarted agent finds each one again from its pid file in the state directory
 * and leaves it alone when it already runs the wanted configuration. The configuration file's name carries a digest
 * of its content, and a process counts as ours only when /proc says it is haproxy reading that very file, so an
 * unchanged proxy costs one pid file and one /proc read, and a recycled pid never gets a foreign process killed.
 */
public final class HaproxyMetadataProxies implements MetadataProxies, AutoCloseable {
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.-]{1,200}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]{2,39}");
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_./+-]+");
    private static final long STOP_WAIT_MILLIS = 5_000;
    private static final String HAPROXY = "haproxy";

    private final Path dir;
    private final CommandRunner runner;
    private final MetadataSocketServer server;

    /** The proxies of the agent described by settings, forwarding through its controller client. */
    public HaproxyMetadataProxies(AgentSettings settings, ControllerClient controller) {
        this(settings, controller, new ProcessRunner());
    }

    /** Ditto, starting haproxy through the agent's command runner. */
    public HaproxyMetadataProxies(AgentSettings settings, ControllerClient controller, CommandRunner runner) {
        this.dir = settings.stateDir().resolve("metadata").toAbsolutePath();
        this.runner = runner;
        this.server = new MetadataSocketServer(dir.resolve("proxy.sock"), controller);
        // The socket path is written into haproxy's configuration, which has its own quoting rules.
        if (!SAFE_PATH.matcher(dir.toString()).matches()) {
            throw new IllegalArgumentException("the metadata state directory " + dir + " must be a plain path");
        }
    }

    /** Opens the unix socket the proxies forward to; proxies already running reach it again from now on. */
    public HaproxyMetadataProxies start() {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
        server.start();
        return this;
    }

    /** Closes the socket only: the proxies keep running for the next agent. */
    @Override
    public void close() { server.close(); }

    @Override
    public synchronized void ensure(String namespace, String address, int port, Origin origin) {
        requireNamespace(namespace);
        String config = config(namespace, address, port, origin);
        Path cfg = dir.resolve(namespace + "-" + digest(config) + ".cfg");
        OptionalLong running = pid(namespace);
        if (running.isPresent() && cfg.equals(configOf(running.getAsLong()))) return;
        try {
            Path tmp = dir.resolve(namespace + ".cfg.tmp");
            Files.writeString(tmp, config);
            Files.move(tmp, cfg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + cfg, e);
        }
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace, HAPROXY, "-D",
                "-p", pidFile(namespace).toString(), "-f", cfg.toString()));
        // A soft stop of the old proxy: it stops listening once the new one is bound, and finishes what it serves.
        running.ifPresent(pid -> argv.addAll(List.of("-sf", Long.toString(pid))));
        CommandRunner.Result r = runner.run(argv, "");
        if (!r.ok() || pid(namespace).isEmpty()) {
            delete(cfg);
            throw new IllegalStateException("haproxy for the metadata proxy in " + namespace + " did not start: "
                    + (r.stderr() + r.stdout()).strip());
        }
        deleteConfigs(namespace, cfg);
    }

    @Override
    public synchronized void remove(String namespace) {
        requireNamespace(namespace);
        OptionalLong pid = pid(namespace);
        if (pid.isPresent()) stop(pid.getAsLong(), namespace);
        delete(pidFile(namespace));
        deleteConfigs(namespace, null);
    }

    /** The pid of the proxy of the namespace, when the pid file names a live haproxy reading one of our files for it. */
    public OptionalLong pid(String namespace) {
        requireNamespace(namespace);
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile(namespace)).strip().split("\\s+")[0]);
        } catch (NoSuchFileException | NumberFormatException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path cfg = configOf(pid);
        if (cfg == null) return OptionalLong.empty();
        String name = cfg.getFileName().toString();
        boolean ours = dir.equals(cfg.getParent()) && name.startsWith(namespace + "-") && name.endsWith(".cfg")
                && name.length() == namespace.length() + 1 + 16 + 4;
        return ours ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /** The configuration file a live haproxy process was started with, or null for any other process. */
    private Path configOf(long pid) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
        } catch (IOException e) {
            return null;
        }
        String[] args = new String(raw, StandardCharsets.UTF_8).split("\0");
        if (args.length == 0 || args[0].isEmpty() || !Path.of(args[0]).getFileName().toString().equals(HAPROXY)) return null;
        for (int i = 0; i + 1 < args.length; i++) if (args[i].equals("-f")) return Path.of(args[i + 1]);
        return null;
    }

    private void stop(long pid, String namespace) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        long deadline = System.currentTimeMillis() + STOP_WAIT_MILLIS;
        while (pid(namespace).isPresent() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (pid(namespace).isPresent()) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    String config(String namespace, String address, int port, Origin origin) {
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port " + port + " is out of range");
        String bind;
        if (IPV4.matcher(address).matches()) bind = address + ":" + port;
        else if (IPV6.matcher(address).matches()) bind = "ipv6@" + address + ":" + port;
        else throw new IllegalArgumentException("'" + address + "' is not an IP address");
        String header = origin.networkId() != null ? MetadataSocketServer.NETWORK_HEADER : MetadataSocketServer.ROUTER_HEADER;
        String id = origin.networkId() != null ? origin.networkId() : origin.routerId();
        if (!ID.matcher(id).matches()) throw new IllegalArgumentException("'" + id + "' is not a network or router id");
        return String.join("\n",
                "# The Skein agent's metadata proxy in namespace " + namespace + "; rewritten by the agent.",
                "global",
                "    maxconn 1024",
                "defaults",
                "    mode http",
                "    timeout connect 5s",
                "    timeout client 30s",
                "    timeout http-request 10s",
                "    timeout server 60s",
                "frontend metadata",
                "    bind " + bind,
                // Header names are matched without regard to case: X-SKEIN-ROUTER-ID goes as well.
                "    http-request del-header X-Skein- -m beg",
                "    http-request del-header Forwarded",
                "    http-request set-header " + header + " " + id,
                "    http-request set-header " + MetadataSocketServer.ADDRESS_HEADER + " %[src]",
                "    default_backend agent",
                "backend agent",
                "    server agent " + server.socket(),
                "");
    }

    private Path pidFile(String namespace) { return dir.resolve(namespace + ".pid"); }

    /** Deletes the namespace's configuration files other than keep. */
    private void deleteConfigs(String namespace, Path keep) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, namespace + "-*.cfg")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (!f.equals(keep) && name.length() == namespace.length() + 1 + 16 + 4) delete(f);
            }
        } catch (NoSuchFileException e) {
            // nothing was ever written
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requireNamespace(String namespace) {
        if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
            throw new IllegalArgumentException("'" + namespace + "' is not a namespace name");
        }
    }

    private static String digest(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void delete(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
