package dev.skein.agent.l3;

import dev.skein.agent.Lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The test lab with what the router tests need on top: TCP servers that say which address a connection came
 * from, and long-running pings, both stopped when the lab closes.
 */
final class L3Lab extends Lab {
    /** Why the router data-plane tests cannot run here, or null if they can: what every lab needs, and arping. */
    static String missing() { return missing(List.of("arping", "-V")); }

    /** A lab for the router data-plane tests, which fail where they cannot run: CI runs them as root. */
    static L3Lab open() {
        assertNull(missing(), "router data-plane tests need root, iproute2, nftables, ping, python3 and arping (CI runs them as root)");
        return new L3Lab();
    }

    /** The namespaces of a network node (host) and of the outside world its ext0 is cabled to (external). */
    record NetworkNode(String host, String external) {}

    /** A network node with its underlay address on lo, whose ext0 leads to an outside namespace at externalCidr. */
    NetworkNode networkNode(String externalCidr) {
        String node = netns("node");
        String ext = netns("ext");
        cable(node, null, ext, externalCidr, "ext0");
        run("ip", "-n", node, "addr", "add", "198.51.100.1/32", "dev", "lo");
        return new NetworkNode(node, ext);
    }

    /** A TCP server in serverNs on port that takes connections until stopped and prints each client's address. */
    Server server(String serverNs, int port) {
        Process p = start(List.of("ip", "netns", "exec", serverNs, PYTHON, "-u", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_INET); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(16)
                print("ready", flush=True)
                while True:
                    c, peer = s.accept(); print(peer[0], flush=True); c.close()
                """, String.valueOf(port)));
        Server server = new Server(p);
        if (!"ready".equals(server.next())) throw new IllegalStateException("server in " + serverNs + " did not start");
        return server;
    }

    static final class Server {
        private final Process process;
        private final BufferedReader out;

        Server(Process process) {
            this.process = process;
            this.out = process.inputReader();
        }

        /** The next line the server printed: "ready" once, then the address of each client it accepted. */
        String next() {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void stop() {
            process.destroyForcibly();
        }
    }

    /** True when a TCP connection from fromNs to address:port is accepted within two seconds. */
    boolean connects(String fromNs, String address, int port) { return connects(fromNs, address, port, 2); }

    /**
     * Which address a server in serverNs sees when fromNs connects to address:port, or null if the connection
     * fails.
     */
    String sourceSeen(String fromNs, String serverNs, String address, int port) {
        Server server = server(serverNs, port);
        try {
            if (!connects(fromNs, address, port)) return null;
            return server.next();
        } finally {
            server.stop();
        }
    }

    /** A ping that runs in the background: count echoes every interval_ms milliseconds. */
    Process pinging(String fromNs, String address, int count, int intervalMs) {
        return start(List.of("ip", "netns", "exec", fromNs, "ping", "-n", "-q", "-c", String.valueOf(count),
                "-i", String.format(Locale.ROOT, "%.3f", intervalMs / 1000.0), "-W", "1", address));
    }

    /** Waits for a background ping and returns its summary ("... packets transmitted, ... received, 0% packet loss ..."). */
    static String summary(Process ping) {
        try {
            String text = new String(ping.getInputStream().readAllBytes());
            ping.waitFor(30, TimeUnit.SECONDS);
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
