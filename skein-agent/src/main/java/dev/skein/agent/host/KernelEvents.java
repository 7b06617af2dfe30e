package dev.skein.agent.host;

import java.util.function.Consumer;

/** A source of "the kernel's links changed" signals, so the agent reconciles when something happens, not on a timer. */
public interface KernelEvents extends AutoCloseable {

    /**
     * One link changed: device is its name and master the bridge the kernel says it is in (null if none or not
     * said). {@link #ANY} means any link may have changed: the source restarted (and may have missed events) or
     * printed something it could not attribute to one device.
     */
    record LinkChange(String device, String master) {
        public static final LinkChange ANY = new LinkChange(null, null);

        public boolean attributed() { return device != null; }
    }

    void start(Consumer<LinkChange> onChange);

    @Override
    void close();
}
