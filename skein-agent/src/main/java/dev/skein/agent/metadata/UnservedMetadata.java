package dev.skein.agent.metadata;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands in for the metadata proxies while the agent has none: it starts nothing and says once per namespace
 * that requests to 169.254.169.254 there go unanswered, so the gap is visible in the log rather than silent.
 */
public final class UnservedMetadata implements MetadataProxies {
    private static final Logger LOG = LoggerFactory.getLogger(UnservedMetadata.class);

    private final Set<String> told = ConcurrentHashMap.newKeySet();

    @Override
    public void ensure(String namespace, String address, int port, Origin origin) {
        if (told.add(namespace)) {
            LOG.warn("metadata is not served in {} ({}:{} for {}): this agent has no metadata proxy", namespace, address, port,
                    origin.routerId() != null ? "router " + origin.routerId() : "network " + origin.networkId());
        }
    }

    @Override
    public void remove(String namespace) { told.remove(namespace); }
}
