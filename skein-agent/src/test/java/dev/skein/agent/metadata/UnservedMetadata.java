package dev.skein.agent.metadata;

/** Metadata proxies for tests that do not look at metadata: nothing is started. */
public final class UnservedMetadata implements MetadataProxies {
    @Override
    public void ensure(String namespace, String address, int port, Origin origin) {}

    @Override
    public void remove(String namespace) {}
}
