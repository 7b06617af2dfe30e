package dev.skein.bus;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The bus inside one process (all-in-one): delivery is a method call in the sender's thread and cannot be lost. */
public final class InProcessBus implements Bus {
    private final Map<String, List<Listener>> byHost = new ConcurrentHashMap<>();

    @Override
    public void publish(String host, byte[] body) {
        for (Listener l : byHost.getOrDefault(host, List.of())) l.message(body);
    }

    @Override
    public void broadcast(byte[] body) {
        byHost.values().forEach(listeners -> listeners.forEach(l -> l.message(body)));
    }

    @Override
    public Subscription subscribe(String host, Listener listener) {
        byHost.computeIfAbsent(host, h -> new CopyOnWriteArrayList<>()).add(listener);
        listener.connected();
        return () -> byHost.getOrDefault(host, List.of()).remove(listener);
    }

    @Override
    public void close() {
        byHost.clear();
    }
}
