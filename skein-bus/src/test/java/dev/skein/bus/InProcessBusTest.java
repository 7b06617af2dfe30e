package dev.skein.bus;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InProcessBusTest {
    static final class Recorder implements Bus.Listener {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override public void connected() { seen.add("connected"); }

        @Override public void message(byte[] body) { seen.add(new String(body, StandardCharsets.UTF_8)); }
    }

    static byte[] text(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Test
    void messagesReachTheirHostAndBroadcastsReachEveryone() {
        try (Bus bus = new InProcessBus()) {
            Recorder h1 = new Recorder(), h2 = new Recorder();
            bus.subscribe("h1", h1);
            Bus.Subscription s2 = bus.subscribe("h2", h2);
            bus.publish("h1", text("for h1"));
            bus.publish("h3", text("for nobody"));
            bus.broadcast(text("for all"));
            s2.close();
            bus.publish("h2", text("too late"));
            assertEquals(List.of("connected", "for h1", "for all"), h1.seen);
            assertEquals(List.of("connected", "for all"), h2.seen);
        }
    }
}
