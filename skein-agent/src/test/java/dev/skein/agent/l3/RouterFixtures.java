package dev.skein.agent.l3;

import dev.skein.agent.host.AgentSettings;
import dev.skein.agent.metadata.MetadataProxies;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** What the router tests, with a kernel or without one, set up alike around the realiser. */
final class RouterFixtures {
    static final String HOST = "network-node";

    private RouterFixtures() {}

    /** The network node's agent settings: host namespace netns (null for the root one), state kept in stateDir. */
    static AgentSettings settings(String netns, Map<String, String> bridgeMappings, Path stateDir) {
        return new AgentSettings(HOST, "198.51.100.1", bridgeMappings, netns, Duration.ofSeconds(10), Duration.ofSeconds(45),
                Duration.ofMillis(30), null, stateDir);
    }

    /**
     * Stands in for the agent's metadata proxies, so that a test sees which routers the realiser asked to serve
     * metadata: each call as "ensure NAMESPACE ADDRESS:PORT ROUTER_ID" or "remove NAMESPACE".
     */
    static final class RecordingMetadata implements MetadataProxies {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void ensure(String namespace, String address, int port, Origin origin) {
            calls.add("ensure " + namespace + " " + address + ":" + port + " " + origin.routerId());
        }

        @Override
        public void remove(String namespace) { calls.add("remove " + namespace); }
    }
}
