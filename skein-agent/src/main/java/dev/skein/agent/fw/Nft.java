package dev.skein.agent.fw;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Command lines for nft and sysctl, optionally run inside a network namespace ({@code ip netns exec}), so one
 * machine can play several hosts.
 */
public record Nft(String netns) {
    private static final Pattern NETNS = Pattern.compile("[A-Za-z0-9_.-]+");

    public Nft {
        if (netns != null && !NETNS.matcher(netns).matches()) throw new IllegalArgumentException("bad netns name '" + netns + "'");
    }

    public static Nft host() { return new Nft(null); }

    public List<String> nft(String... args) { return command("nft", args); }

    /** Reads a whole transaction from stdin; nft applies all of it or none of it. */
    public List<String> transaction() { return nft("-f", "-"); }

    public List<String> sysctl(String... args) { return command("sysctl", args); }

    private List<String> command(String tool, String... args) {
        List<String> argv = new ArrayList<>();
        if (netns != null) Collections.addAll(argv, "ip", "netns", "exec", netns);
        argv.add(tool);
        Collections.addAll(argv, args);
        return List.copyOf(argv);
    }
}
