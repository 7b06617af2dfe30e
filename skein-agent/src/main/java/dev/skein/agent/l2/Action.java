package dev.skein.agent.l2;

import java.util.Locale;

/** One line of batch input for ip or bridge, with why the diff asked for it. */
public record Action(Tool tool, String command, String reason) {
    public enum Tool { IP, BRIDGE }

    @Override
    public String toString() { return tool.name().toLowerCase(Locale.ROOT) + " " + command + "  # " + reason; }
}
