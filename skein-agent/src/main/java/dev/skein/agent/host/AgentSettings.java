package dev.skein.agent.host;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One agent's configuration. netns, when set, makes the agent treat that network namespace as its host (to play
 * several hosts on one machine). resyncInterval is the safety net: however many messages were lost, the plan is
 * fetched and realised again at least this often (with some jitter so that agents do not fetch in lockstep).
 * roles say whether the host runs VMs, hosts DHCP servers and routers, or both; stateDir holds what the agent's
 * helper processes (dnsmasq, the metadata proxies) read and what lets a restarted agent find them again.
 */
public record AgentSettings(String host, String localIp, Map<String, String> bridgeMappings, String netns,
                            Duration heartbeatInterval, Duration resyncInterval, Duration debounce, Set<Role> roles, Path stateDir) {
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RESYNC = Duration.ofSeconds(45);
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(30);
    public static final Path DEFAULT_STATE_ROOT = Path.of("/var/lib/skein");

    /** What a host is for: compute hosts run VMs, network nodes run DHCP servers and routers. */
    public enum Role { COMPUTE, NETWORK }

    public AgentSettings {
        Objects.requireNonNull(host, "host");
        bridgeMappings = Map.copyOf(bridgeMappings);
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) throw new IllegalArgumentException("heartbeat interval must be positive");
        if (resyncInterval.isNegative() || resyncInterval.isZero()) throw new IllegalArgumentException("resync interval must be positive");
        roles = roles == null || roles.isEmpty() ? Set.copyOf(EnumSet.allOf(Role.class)) : Set.copyOf(roles);
        stateDir = stateDir == null ? defaultStateDir(host, netns) : stateDir;
    }

    public AgentSettings(String host, String localIp, Map<String, String> bridgeMappings, String netns,
                         Duration heartbeatInterval, Duration resyncInterval, Duration debounce) {
        this(host, localIp, bridgeMappings, netns, heartbeatInterval, resyncInterval, debounce, null, null);
    }

    public static AgentSettings of(String host, String localIp, Map<String, String> bridgeMappings, String netns) {
        return new AgentSettings(host, localIp, bridgeMappings, netns, DEFAULT_HEARTBEAT, DEFAULT_RESYNC, DEFAULT_DEBOUNCE);
    }

    /** Per host (and per namespace) so several agents on one machine never share files. */
    public static Path defaultStateDir(String host, String netns) {
        return DEFAULT_STATE_ROOT.resolve(netns == null ? "agent-" + host : "agent-" + host + "-" + netns);
    }

    public boolean networkNode() { return roles.contains(Role.NETWORK); }

    /**
     * The name of a namespace this agent creates for one of its services ("qdhcp-" + network id, "qrouter-" +
     * router id). An agent playing a host inside a namespace puts that namespace's name in front, so that agents
     * sharing a machine never take each other's namespaces.
     */
    public String serviceNamespace(String kind, String id) {
        return (netns == null ? "" : netns + "-") + kind + id;
    }
}
