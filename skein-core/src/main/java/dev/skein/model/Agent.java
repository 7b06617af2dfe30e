package dev.skein.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A host agent as it registered itself. localIp and bridgeMappings feed host plans; configurations is what the
 * agent reported about itself, shown as is. The heartbeat lives apart (see {@link AgentState}) because it is
 * written every few seconds and nothing that compiles plans may depend on it.
 */
public record Agent(String id, String agentType, String binary, String host, String topic, String localIp,
                    Map<String, String> bridgeMappings, Map<String, Object> configurations, boolean adminStateUp,
                    String description, Instant createdAt, Instant startedAt) {
    public static final String SKEIN_AGENT_TYPE = "Skein agent";
    public static final String SKEIN_AGENT_BINARY = "skein-agent";
    /** The configurations key that lists what the host is for. */
    public static final String ROLES = "roles";
    /** A host that runs VMs. */
    public static final String ROLE_COMPUTE = "compute";
    /** A network node: a host that runs DHCP servers and routers. */
    public static final String ROLE_NETWORK = "network";

    public Agent {
        bridgeMappings = Map.copyOf(bridgeMappings);
        configurations = Map.copyOf(configurations);
    }

    public Agent withAdmin(boolean adminStateUp, String description) {
        return new Agent(id, agentType, binary, host, topic, localIp, bridgeMappings, configurations, adminStateUp,
                description, createdAt, startedAt);
    }

    /** The roles the agent registered with; an agent that named none is a compute host. */
    public Set<String> roles() {
        if (!(configurations.get(ROLES) instanceof List<?> listed) || listed.isEmpty()) return Set.of(ROLE_COMPUTE);
        Set<String> out = new TreeSet<>();
        for (Object r : listed) out.add(String.valueOf(r));
        return out;
    }

    public boolean networkNode() { return roles().contains(ROLE_NETWORK); }
}
