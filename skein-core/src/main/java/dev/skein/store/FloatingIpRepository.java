package dev.skein.store;

import dev.skein.model.FloatingIp;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Floating IPs; one fixed IP has at most one floating IP per external network, which the database enforces. */
public interface FloatingIpRepository {
    Optional<FloatingIp> get(String id);

    Optional<FloatingIp> lock(String id);

    /** Floating IPs of one project, or all when null. */
    List<FloatingIp> list(String projectId);

    /** Inserts it; false if its fixed IP already has a floating IP on the same external network. */
    boolean tryInsert(FloatingIp f);

    /** Updates it; false if its new fixed IP already has a floating IP on the same external network. */
    boolean tryUpdate(FloatingIp f);

    void delete(String id);

    /** The floating IP whose address the port holds, if any. */
    Optional<FloatingIp> ofFloatingPort(String portId);

    /** Floating IPs associated with the internal port. */
    List<FloatingIp> onPort(String portId);

    /** Floating IPs associated through the router. */
    List<FloatingIp> viaRouter(String routerId);

    /** Floating IPs associated through any of the routers. */
    List<FloatingIp> viaRouters(Collection<String> routerIds);

    /** Floating IPs on the external network that are not associated with any port. */
    List<FloatingIp> unassociatedOn(String networkId);
}
