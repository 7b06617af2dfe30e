package dev.skein.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs commands as child processes. */
public final class ProcessRunner implements CommandRunner {
    /** Virtual threads: the common pool may have a single worker on a small host, and the three pipe tasks must run together. */
    private static final Executor PIPES = Executors.newVirtualThreadPerTaskExecutor();
    private final Duration timeout;

    public ProcessRunner(Duration timeout) { this.timeout = timeout; }

    public ProcessRunner() { this(Duration.ofSeconds(60)); }

    @Override
    public Result run(List<String> argv, String stdin) {
        Process process;
        try {
            process = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + argv.get(0), e);
        }
        // stdin is written and both outputs drained concurrently, so a command that answers a long batch
        // with a lot of output cannot block on a full pipe.
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> feed(process.getOutputStream(), stdin), PIPES);
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()), PIPES);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()), PIPES);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " did not finish within " + timeout);
            }
            writer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Result(process.exitValue(), out.get(timeout.toMillis(), TimeUnit.MILLISECONDS),
                    err.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + argv.get(0), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot talk to " + argv.get(0), e);
        }
    }

    private static void feed(OutputStream stream, String text) {
        try (stream) {
            if (text != null) stream.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The command may exit before reading all its input; its exit code and stderr then say why.
        }
    }

    private static String drain(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
