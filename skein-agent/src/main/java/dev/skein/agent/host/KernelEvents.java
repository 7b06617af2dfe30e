package dev.skein.agent.host;

/** A source of "the kernel's links changed" signals, so the agent reconciles when something happens, not on a timer. */
public interface KernelEvents extends AutoCloseable {
    void start(Runnable onChange);

    @Override
    void close();
}
