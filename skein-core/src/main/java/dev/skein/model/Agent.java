package dev.skein.model;

import java.time.Instant;
import java.util.Map;

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

    public Agent {
        bridgeMappings = Map.copyOf(bridgeMappings);
        configurations = Map.copyOf(configurations);
    }

    public Agent withAdmin(boolean adminStateUp, String description) {
        return new Agent(id, agentType, binary, host, topic, localIp, bridgeMappings, configurations, adminStateUp,
                description, createdAt, startedAt);
    }
}
