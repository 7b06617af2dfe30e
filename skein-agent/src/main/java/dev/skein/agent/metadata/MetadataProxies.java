package dev.skein.agent.metadata;

import java.util.Objects;

/**
 * The metadata service's front ends inside the namespaces of DHCP servers and routers. The realisers of those
 * namespaces say where a proxy must listen and for what; the proxy stamps every request with that origin and the
 * client's source address, which is all the controller uses to tell which instance is asking.
 */
public interface MetadataProxies {

    /** Exactly one of networkId (a DHCP namespace) and routerId (a router namespace) is set. */
    record Origin(String networkId, String routerId) {
        public Origin {
            if ((networkId == null) == (routerId == null)) throw new IllegalArgumentException("a proxy serves one network or one router");
        }

        public static Origin network(String id) { return new Origin(Objects.requireNonNull(id), null); }

        public static Origin router(String id) { return new Origin(null, Objects.requireNonNull(id)); }
    }

    /** Makes sure a proxy listens on address:port inside namespace for origin; cheap when it already does. */
    void ensure(String namespace, String address, int port, Origin origin);

    /** Stops the proxy of namespace, if any (before the namespace is deleted). */
    void remove(String namespace);
}
