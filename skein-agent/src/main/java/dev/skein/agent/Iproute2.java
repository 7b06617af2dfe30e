package dev.skein.agent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Command lines for iproute2's ip and bridge, optionally aimed at a network namespace (the "-n" option), so
 * one machine can play several hosts.
 */
public record Iproute2(String netns) {
    private static final Pattern NETNS = Pattern.compile("[A-Za-z0-9_.-]+");

    public Iproute2 {
        if (netns != null && !NETNS.matcher(netns).matches()) throw new IllegalArgumentException("bad netns name '" + netns + "'");
    }

    public static Iproute2 host() { return new Iproute2(null); }

    public List<String> ip(String... args) { return command("ip", args); }

    public List<String> bridge(String... args) { return command("bridge", args); }

    /** Reads a batch from stdin; -force carries on past a failed line so one bad device does not block the rest. */
    public List<String> batch(String tool) { return command(tool, "-force", "-batch", "-"); }

    private List<String> command(String tool, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(tool);
        if (netns != null) {
            argv.add("-n");
            argv.add(netns);
        }
        Collections.addAll(argv, args);
        return List.copyOf(argv);
    }
}
