package dev.skein.agent.host;

import dev.skein.agent.metadata.MetadataAnswer;
import dev.skein.agent.metadata.MetadataProxies;
import dev.skein.plan.HostPlan;

import java.util.Map;

/** What an agent asks of the controller; over HTTP for a separate agent process, direct calls inside all-in-one. */
public interface ControllerClient {

    /** How an agent describes its host; configurations are shown in the agents API as they are. */
    record Registration(String host, String localIp, Map<String, String> bridgeMappings, Map<String, Object> configurations) {
        public Registration {
            bridgeMappings = Map.copyOf(bridgeMappings);
            configurations = Map.copyOf(configurations);
        }
    }

    /** Registers (or re-registers) the agent of the host; returns its id. */
    String register(Registration registration);

    /** False when the controller no longer knows the agent, which must then register again. */
    boolean heartbeat(String agentId);

    HostPlan fetchPlan(String host);

    /** Reports port statuses (only those that changed, or all) and the plan revision realised. */
    void reportStatus(String host, long realisedRevision, Map<String, String> portStatuses);

    /**
     * Asks the controller's metadata service for path on behalf of the instance at clientAddress, as seen by the proxy
     * serving origin. Clients that never carry metadata (test doubles of the plan machinery) keep this default.
     */
    default MetadataAnswer metadata(MetadataProxies.Origin origin, String clientAddress, String path) {
        throw new UnsupportedOperationException("this controller client does not forward metadata requests");
    }
}
