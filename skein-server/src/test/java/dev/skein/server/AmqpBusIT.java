package dev.skein.server;

import dev.skein.bus.AmqpBus;
import dev.skein.bus.Bus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The RabbitMQ bus against a real broker of the test's own: routing by host, broadcasts, and what happens across
 * a broker restart (subscribers hear that they reconnected; a publisher that dropped messages runs its recovery).
 */
class AmqpBusIT {
    static RabbitBroker broker;

    @BeforeAll
    static void start() throws Exception { broker = RabbitBroker.start(); }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) broker.close();
    }

    static final class Recorder implements Bus.Listener {
        final AtomicInteger connections = new AtomicInteger();
        final List<String> messages = new CopyOnWriteArrayList<>();

        @Override public void connected() { connections.incrementAndGet(); }

        @Override public void message(byte[] body) { messages.add(new String(body, StandardCharsets.UTF_8)); }
    }

    static byte[] text(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for: " + what + "\n" + broker.log());
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Publishes until one message gets through, which also shows the publisher (re)connected. */
    static void publishUntilSeen(AmqpBus bus, String host, Recorder to, String body) {
        await(body + " delivered", () -> {
            if (to.messages.contains(body)) return true;
            bus.publish(host, text(body));
            return false;
        });
    }

    @Test
    void hostsGetTheirOwnMessagesAndBroadcastsAndReconnectAfterABrokerRestart() throws Exception {
        AtomicInteger recoveries = new AtomicInteger();
        try (AmqpBus controller = new AmqpBus(broker.url(), "test-controller");
             AmqpBus agents = new AmqpBus(broker.url(), "test-agents")) {
            controller.onPublisherRecovered(recoveries::incrementAndGet);
            Recorder h1 = new Recorder(), h2 = new Recorder();
            agents.subscribe("h1", h1);
            Bus.Subscription s2 = agents.subscribe("h2", h2);
            await("both subscribed", () -> h1.connections.get() == 1 && h2.connections.get() == 1);

            publishUntilSeen(controller, "h1", h1, "one");
            controller.publish("h2", text("two"));
            controller.broadcast(text("all"));
            await("h2 got its message and the broadcast", () -> h2.messages.containsAll(List.of("two", "all")));
            await("h1 got the broadcast", () -> h1.messages.contains("all"));
            assertTrue(h1.messages.stream().noneMatch(m -> m.equals("two")), "h1 never sees h2's messages: " + h1.messages);

            int recoveredBefore = recoveries.get();
            broker.restart();
            await("both subscriptions reconnected", () -> h1.connections.get() == 2 && h2.connections.get() == 2);
            publishUntilSeen(controller, "h1", h1, "after restart");
            await("the publisher, which lost messages while the broker was down, ran its recovery", () -> recoveries.get() > recoveredBefore);

            s2.close();
            controller.broadcast(text("late"));
            await("h1 got the late broadcast", () -> h1.messages.contains("late"));
            assertTrue(!h2.messages.contains("late"), "a closed subscription hears nothing");
        }
    }
}
