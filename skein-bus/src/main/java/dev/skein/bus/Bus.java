package dev.skein.bus;

/**
 * Carries small messages from controllers to the agent of one host, or to every agent. Delivery is best effort:
 * a message can be lost (broker restart, agent reconnecting), which is why every message an agent acts on carries
 * a revision and an agent fetches its whole plan whenever {@link Listener#connected} tells it that it may have
 * missed something.
 */
public interface Bus extends AutoCloseable {

    interface Listener {
        /** Delivery has (re)started; anything sent before may have been lost. */
        void connected();

        void message(byte[] body);
    }

    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** Sends body to the agent of host; returns at once, never waiting for a broker that is down. */
    void publish(String host, byte[] body);

    /** Sends body to every agent. */
    void broadcast(byte[] body);

    /** Delivers what is sent to host, and broadcasts, to listener until the subscription is closed. */
    Subscription subscribe(String host, Listener listener);

    /**
     * Runs action each time the sending side regains the broker after losing it, since what it sent meanwhile
     * was dropped. A bus that cannot lose its connection never runs it.
     */
    default void onPublisherRecovered(Runnable action) {}

    @Override
    void close();
}
