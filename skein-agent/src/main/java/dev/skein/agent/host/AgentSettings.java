package dev.skein.agent.host;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One agent's configuration. netns, when set, makes the agent treat that network namespace as its host (to play
 * several hosts on one machine). resyncInterval is the safety net: however many messages were lost, the plan is
 * fetched and realised again at least this often (with some jitter so that agents do not fetch in lockstep).
 */
public record AgentSettings(String host, String localIp, Map<String, String> bridgeMappings, String netns,
                            Duration heartbeatInterval, Duration resyncInterval, Duration debounce) {
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RESYNC = Duration.ofSeconds(45);
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(30);

    public AgentSettings {
        Objects.requireNonNull(host, "host");
        bridgeMappings = Map.copyOf(bridgeMappings);
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) throw new IllegalArgumentException("heartbeat interval must be positive");
        if (resyncInterval.isNegative() || resyncInterval.isZero()) throw new IllegalArgumentException("resync interval must be positive");
    }

    public static AgentSettings of(String host, String localIp, Map<String, String> bridgeMappings, String netns) {
        return new AgentSettings(host, localIp, bridgeMappings, netns, DEFAULT_HEARTBEAT, DEFAULT_RESYNC, DEFAULT_DEBOUNCE);
    }
}
