package dev.skein.store;

import dev.skein.model.Router;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Routers and the ports attached to them. Routers come back with their gateway's port and network but without
 * its fixed IPs, which live in {@link IpAllocationRepository}.
 */
public interface RouterRepository {
    Optional<Router> get(String id);

    /** The routers among the ids that exist, in no particular order. */
    List<Router> getAll(Collection<String> ids);

    /** Reads the row and holds a row lock until the transaction ends, serialising changes to this router. */
    Optional<Router> lock(String id);

    /** Routers of one project, or all when null. */
    List<Router> list(String projectId);

    void insert(Router r);

    /** Writes every column, the gateway port id included. */
    void update(Router r);

    void delete(String id);

    /** Records that the port is one of the router's interfaces. */
    void attach(String routerId, String portId);

    void detach(String portId);

    /** Ids of the router's interface ports, oldest first. */
    List<String> interfacePorts(String routerId);

    /** Ids of the interface ports of each of the routers, oldest first; routers without interfaces are absent. */
    Map<String, List<String>> interfacePorts(Collection<String> routerIds);

    /** The router whose interface the port is, if any. */
    Optional<String> routerOfInterface(String portId);

    /** The router whose gateway the port is, if any. */
    Optional<String> routerOfGateway(String portId);

    /**
     * Routers that have a gateway on the external network and an interface on the subnet, each with the address
     * its interface has there; the way from a fixed IP on that subnet to a floating IP on that network.
     */
    List<Hop> hops(String externalNetworkId, String subnetId);

    record Hop(String routerId, String interfaceIp) {}

    /** Routers whose gateway is on the network. */
    long countGatewaysOn(String networkId);
}
