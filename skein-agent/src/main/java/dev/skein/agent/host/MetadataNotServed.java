package dev.skein.agent.host;

import dev.skein.agent.metadata.MetadataProxies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Stands in for the metadata proxies where none is wired: says, once per namespace, that metadata is not served there. */
final class MetadataNotServed implements MetadataProxies {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataNotServed.class);
    private final Set<String> told = ConcurrentHashMap.newKeySet();

    @Override
    public void ensure(String namespace, String address, int port, Origin origin) {
        if (told.add(namespace)) LOG.warn("metadata is not served in {} ({}:{} for {}): this agent has no metadata proxy", namespace, address, port, origin);
    }

    @Override
    public void remove(String namespace) { told.remove(namespace); }
}
