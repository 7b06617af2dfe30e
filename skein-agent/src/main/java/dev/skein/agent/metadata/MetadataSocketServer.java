package dev.skein.agent.metadata;

import dev.skein.agent.host.ControllerClient;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Pattern;

/**
 * The agent's end of its metadata proxies: an HTTP server on a unix socket that only root can reach, to which every
 * haproxy of this agent sends its requests stamped with their origin and the instance's source address. Each
 * request goes on to the controller with exactly those two facts and the path; the answer comes back unchanged,
 * except that failures other than "not found" are not shown to the instance.
 */
public final class MetadataSocketServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataSocketServer.class);
    /** The headers the proxies set and the controller's metadata route reads (InstanceMetadataApi). */
    public static final String NETWORK_HEADER = "X-Skein-Network-ID";
    public static final String ROUTER_HEADER = "X-Skein-Router-ID";
    public static final String ADDRESS_HEADER = "X-Forwarded-For";
    /** Ids and addresses only: anything else did not come from our own proxy configuration. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f.:]{2,45}");

    private final Path socket;
    private final ControllerClient controller;
    private Server server;

    public MetadataSocketServer(Path socket, ControllerClient controller) {
        this.socket = socket;
        this.controller = controller;
    }

    public Path socket() { return socket; }

    /** Binds the socket, replacing one a previous run of the agent left behind. */
    public MetadataSocketServer start() {
        try {
            Files.createDirectories(socket.getParent());
            Files.deleteIfExists(socket);
            QueuedThreadPool threads = new QueuedThreadPool(32, 2);
            threads.setName("skein-metadata");
            threads.setDaemon(true);
            Server s = new Server(threads);
            UnixDomainServerConnector connector = new UnixDomainServerConnector(s);
            connector.setUnixDomainPath(socket);
            s.addConnector(connector);
            s.setHandler(new Forwarder());
            s.start();
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            server = s;
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + socket, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the metadata server on " + socket, e);
        }
    }

    @Override
    public void close() {
        if (server == null) return;
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the metadata server on {} failed", socket, e);
        }
    }

    private final class Forwarder extends AbstractHandler {
        @Override
        public void handle(String target, Request base, HttpServletRequest request, HttpServletResponse response) throws IOException {
            base.setHandled(true);
            if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
                plain(response, 405, "Method Not Allowed");
                return;
            }
            String network = request.getHeader(NETWORK_HEADER), router = request.getHeader(ROUTER_HEADER);
            String address = request.getHeader(ADDRESS_HEADER);
            if ((network == null) == (router == null) || !valid(ID, network == null ? router : network) || !valid(ADDRESS, address)) {
                plain(response, 400, "Bad Request");
                return;
            }
            MetadataProxies.Origin origin = network != null ? MetadataProxies.Origin.network(network) : MetadataProxies.Origin.router(router);
            MetadataAnswer answer;
            try {
                answer = controller.metadata(origin, address, target);
            } catch (RuntimeException e) {
                LOG.warn("metadata request of {} via {} failed: {}", address, origin, e.toString());
                plain(response, 503, "Service Unavailable");
                return;
            }
            switch (answer.status()) {
                case 200 -> {
                    response.setStatus(200);
                    response.setContentType(answer.contentType());
                    response.setContentLength(answer.body().length);
                    if (!"HEAD".equals(request.getMethod())) response.getOutputStream().write(answer.body());
                }
                case 404 -> plain(response, 404, "Not Found");
                default -> {
                    LOG.warn("the controller answered a metadata request of {} via {} with {}: {}", address, origin, answer.status(),
                            new String(answer.body(), StandardCharsets.UTF_8));
                    plain(response, 503, "Service Unavailable");
                }
            }
        }
    }

    private static boolean valid(Pattern p, String s) { return s != null && p.matcher(s).matches(); }

    private static void plain(HttpServletResponse response, int status, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("text/plain; charset=utf-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
