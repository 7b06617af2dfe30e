package dev.skein.agent.host;

import dev.skein.agent.Iproute2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hears link changes (a hypervisor creating or removing a tap, someone moving a port out of a bridge) as they
 * happen, from a long-running {@code ip -o monitor link} child process, instead of polling for them. Each line
 * names the device that changed (and the bridge it is in), so the agent can look at just that device; a line that
 * names none counts as "anything may have changed". If the monitor dies it is restarted, and such a change is
 * signalled since events may have been missed.
 */
public final class LinkMonitor implements KernelEvents {
    private static final Logger LOG = LoggerFactory.getLogger(LinkMonitor.class);
    private static final long FIRST_RESTART_MS = 500;
    private static final long MAX_RESTART_MS = 30_000;
    /**
     * "12: tap1234@v1234: <BROADCAST,UP,LOWER_UP> mtu 1500 ... master skbr-5 state UP ...", or "Deleted 12: ..." when
     * the device is gone or has left a bridge.
     */
    private static final Pattern LINE = Pattern.compile("^(Deleted )?\\d+: ([^\\s:@]+)(?:@[^\\s:]*)?: <([^>]*)> mtu (\\d+) ");
    private static final Pattern MASTER = Pattern.compile(" master (\\S+) ");

    private final List<String> argv;
    private final Thread thread;
    private volatile Consumer<LinkChange> onChange = c -> {};
    private volatile Process process;
    private volatile boolean closed;

    public LinkMonitor(Iproute2 iproute2) {
        this.argv = orphanProof(iproute2.ip("-o", "monitor", "link"));
        this.thread = Thread.ofPlatform().daemon().name("skein-link-monitor").unstarted(this::run);
    }

    /**
     * The monitor never exits by itself, so if the agent is killed (SIGKILL, or the JVM crashing) it would linger,
     * orphaned. util-linux's setpriv makes the kernel send it SIGKILL when the thread that started it dies.
     */
    private static List<String> orphanProof(List<String> argv) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            Path setpriv = Path.of(dir.isEmpty() ? "." : dir, "setpriv");
            if (Files.isExecutable(setpriv)) {
                List<String> wrapped = new ArrayList<>(List.of(setpriv.toString(), "--pdeathsig", "KILL", "--"));
                wrapped.addAll(argv);
                return List.copyOf(wrapped);
            }
        }
        return argv;
    }

    @Override
    public void start(Consumer<LinkChange> onChange) {
        this.onChange = onChange;
        thread.start();
    }

    private void run() {
        long backoff = FIRST_RESTART_MS;
        while (!closed) {
            try {
                Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
                process = p;
                if (closed) {
                    p.destroy();
                    return;
                }
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        backoff = FIRST_RESTART_MS;
                        onChange.accept(parse(line));
                    }
                }
                if (closed) return;
                LOG.warn("{} ended (exit {}); restarting it", String.join(" ", argv), p.waitFor());
            } catch (IOException e) {
                if (closed) return;
                LOG.warn("cannot run {}: {}; link changes are only seen at resyncs until it starts", String.join(" ", argv), e.getMessage());
            } catch (InterruptedException e) {
                return;
            }
            onChange.accept(LinkChange.ANY);
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(MAX_RESTART_MS, backoff * 2);
        }
    }

    /** The device one monitor line is about and its state, or {@link LinkChange#ANY} if the line cannot be read. */
    static LinkChange parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.find()) return LinkChange.ANY;
        Matcher master = MASTER.matcher(line);
        boolean up = Arrays.asList(m.group(3).split(",")).contains("UP");
        return new LinkChange(m.group(2), m.group(1) != null, master.find(m.end() - 1) ? master.group(1) : null, up, Integer.parseInt(m.group(4)));
    }

    @Override
    public void close() {
        closed = true;
        Process p = process;
        if (p != null) {
            p.destroy();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        thread.interrupt();
    }
}
