package dev.skein.bus;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bus over RabbitMQ (AMQP 0.9.1). Controllers publish to one durable direct exchange with the host name as
 * routing key; each agent consumes from its own server-named, exclusive, auto-deleted queue bound to its host's key
 * and to the broadcast key. Nothing is persisted: a message to an agent that is not connected is dropped, and the
 * agent fetches its plan when it connects.
 *
 * <p>Connections are re-established by this class rather than by the client library's automatic recovery, so
 * that every reconnection is visible: a subscriber's listener hears {@link Listener#connected} and resyncs, and a
 * publisher that dropped messages while disconnected runs its recovery actions.
 */
public final class AmqpBus implements Bus {
    static final String EXCHANGE = "skein.host-plans";
    /** No host is named by the empty string, so the empty routing key can stand for every host. */
    static final String BROADCAST = "";
    private static final Logger LOG = LoggerFactory.getLogger(AmqpBus.class);
    private static final long FIRST_RETRY_MS = 250;
    private static final long MAX_RETRY_MS = 2_000;

    private final ConnectionFactory factory;
    private final String name;
    private final String safeUrl;
    private final ScheduledExecutorService timer;
    private final List<Runnable> recoveryActions = new CopyOnWriteArrayList<>();
    private final List<Sub> subscriptions = new CopyOnWriteArrayList<>();
    private final Object publishLock = new Object();
    private Connection publishConnection;
    private Channel publishChannel;
    private boolean publisherStarted;
    private boolean dropped;
    private volatile boolean closed;

    /**
     * url: amqp://user:password@host:port, with /vhost for another vhost than the default (an empty path names the
     * vhost ""); name labels this process's connections on the broker.
     */
    public AmqpBus(String url, String name) {
        this.name = name;
        this.safeUrl = url.replaceAll("//[^@/]*@", "//");
        factory = new ConnectionFactory();
        try {
            factory.setUri(url);
        } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an AMQP URL: " + safeUrl, e);
        }
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        factory.setConnectionTimeout((int) Duration.ofSeconds(5).toMillis());
        factory.setRequestedHeartbeat(15);
        ThreadFactory daemons = r -> {
            Thread t = new Thread(r, "skein-amqp");
            t.setDaemon(true);
            return t;
        };
        factory.setThreadFactory(daemons);
        timer = Executors.newSingleThreadScheduledExecutor(daemons);
    }

    @Override
    public void publish(String host, byte[] body) {
        if (host.isEmpty()) throw new IllegalArgumentException("empty host name");
        send(host, body);
    }

    @Override
    public void broadcast(byte[] body) {
        send(BROADCAST, body);
    }

    private void send(String routingKey, byte[] body) {
        startPublisher();
        synchronized (publishLock) {
            if (publishChannel == null || !publishChannel.isOpen()) {
                dropped = true;
                LOG.debug("AMQP bus not connected; dropped a message for '{}'", routingKey);
                return;
            }
            try {
                publishChannel.basicPublish(EXCHANGE, routingKey, null, body);
            } catch (IOException | RuntimeException e) {
                dropped = true;
                LOG.warn("AMQP publish to {} failed: {}", safeUrl, e.toString());
            }
        }
    }

    /** Starts connecting the publishing side now rather than at the first message. */
    public void startPublisher() {
        synchronized (publishLock) {
            if (publisherStarted) return;
            publisherStarted = true;
        }
        timer.execute(() -> connectPublisher(0));
    }

    private void connectPublisher(int attempt) {
        if (closed) return;
        Connection c = null;
        try {
            c = factory.newConnection(name + "-publisher");
            Channel ch = c.createChannel();
            ch.exchangeDeclare(EXCHANGE, BuiltinExchangeType.DIRECT, true);
            boolean recovered;
            synchronized (publishLock) {
                publishConnection = c;
                publishChannel = ch;
                recovered = dropped;
                dropped = false;
            }
            c.addShutdownListener(cause -> {
                if (closed) return;
                LOG.warn("AMQP publisher lost {}: {}", safeUrl, cause.getMessage());
                synchronized (publishLock) { dropped = true; }
                retry(() -> connectPublisher(1), 1);
            });
            LOG.info("AMQP publisher connected to {}", safeUrl);
            if (recovered) recoveryActions.forEach(AmqpBus::runQuietly);
        } catch (IOException | TimeoutException | RuntimeException e) {
            closeQuietly(c);
            if (attempt == 0) LOG.warn("AMQP publisher cannot reach {} ({}); retrying", safeUrl, describe(e));
            retry(() -> connectPublisher(attempt + 1), attempt + 1);
        }
    }

    @Override
    public Subscription subscribe(String host, Listener listener) {
        if (host.isEmpty()) throw new IllegalArgumentException("empty host name");
        Sub s = new Sub(host, listener);
        subscriptions.add(s);
        timer.execute(() -> s.connect(0));
        return s;
    }

    @Override
    public void onPublisherRecovered(Runnable action) {
        recoveryActions.add(action);
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        subscriptions.forEach(Sub::close);
        synchronized (publishLock) {
            closeQuietly(publishConnection);
            publishConnection = null;
            publishChannel = null;
        }
    }

    private void retry(Runnable action, int attempt) {
        if (closed) return;
        long delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(attempt, 8));
        try {
            timer.schedule(action, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private final class Sub implements Subscription {
        private final String host;
        private final Listener listener;
        private final AtomicInteger generation = new AtomicInteger();
        private Connection connection;
        private volatile boolean cancelled;

        Sub(String host, Listener listener) {
            this.host = host;
            this.listener = listener;
        }

        void connect(int attempt) {
            if (cancelled || closed) return;
            Connection c = null;
            try {
                c = factory.newConnection(name + "-" + host);
                Channel ch = c.createChannel();
                ch.exchangeDeclare(EXCHANGE, BuiltinExchangeType.DIRECT, true);
                String queue = ch.queueDeclare().getQueue();
                ch.queueBind(queue, EXCHANGE, host);
                ch.queueBind(queue, EXCHANGE, BROADCAST);
                int gen = generation.incrementAndGet();
                ch.basicConsume(queue, true, (tag, delivery) -> deliver(delivery.getBody()), tag -> {});
                synchronized (this) {
                    if (cancelled) {
                        closeQuietly(c);
                        return;
                    }
                    connection = c;
                }
                c.addShutdownListener(cause -> {
                    if (cancelled || closed || generation.get() != gen) return;
                    LOG.warn("AMQP subscription for {} lost {}: {}", host, safeUrl, cause.getMessage());
                    retry(() -> connect(1), 1);
                });
                LOG.info("AMQP subscription for host {} connected to {}", host, safeUrl);
                runQuietly(listener::connected);
            } catch (IOException | TimeoutException | RuntimeException e) {
                closeQuietly(c);
                if (attempt == 0) LOG.warn("AMQP subscription for {} cannot reach {} ({}); retrying", host, safeUrl, describe(e));
                retry(() -> connect(attempt + 1), attempt + 1);
            }
        }

        private void deliver(byte[] body) {
            runQuietly(() -> listener.message(body));
        }

        @Override
        public void close() {
            Connection c;
            synchronized (this) {
                cancelled = true;
                c = connection;
                connection = null;
            }
            closeQuietly(c);
            subscriptions.remove(this);
        }
    }

    /** The client wraps the broker's reason (e.g. "vhost not found") in causes without messages. */
    private static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) out.append(out.isEmpty() ? "" : ": ").append(t.getMessage());
        }
        return out.isEmpty() ? e.getClass().getSimpleName() : out.toString();
    }

    private static void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("bus listener failed", e);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null || !c.isOpen()) return;
        try {
            c.close(1000);
        } catch (IOException | RuntimeException e) {
            // already going away
        }
    }
}
