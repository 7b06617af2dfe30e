package dev.skein.agent.host;

import java.util.function.Consumer;

/** A source of "the kernel's links changed" signals, so the agent reconciles when something happens, not on a timer. */
public interface KernelEvents extends AutoCloseable {

    /**
     * One link changed: device is its name; unless deleted (it is gone, or left a bridge), the state the kernel
     * reported with the change: the bridge it is in (null if none), whether it is administratively up, and its MTU
     * (0 if not said). {@link #ANY} means any link may have changed: the source restarted (and may have missed
     * events) or printed something it could not attribute to one device.
     */
    record LinkChange(String device, boolean deleted, String master, boolean up, int mtu) {
        public static final LinkChange ANY = new LinkChange(null, false, null, false, 0);

        /** A change to the device that says nothing about its state. */
        public LinkChange(String device) { this(device, false, null, false, 0); }

        public boolean attributed() { return device != null; }
    }

    void start(Consumer<LinkChange> onChange);

    @Override
    void close();
}
