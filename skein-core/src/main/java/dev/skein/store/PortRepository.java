package dev.skein.store;

import dev.skein.model.Port;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Ports without their fixed IPs, which live in {@link IpAllocationRepository}. */
public interface PortRepository {
    Optional<Port> get(String id);

    Optional<Port> lock(String id);

    /** The ports among the ids that exist, in no particular order. */
    List<Port> getAll(Collection<String> ids);

    /** Ports of one project (or all when null), optionally only on one network. */
    List<Port> list(String projectId, String networkId);

    /** Every port on any of the networks. */
    List<Port> onNetworks(Collection<String> networkIds);

    /** Inserts the port; false if its MAC is already used on the network (unique constraint). */
    boolean tryInsert(Port p);

    /** Updates the port; false if its new MAC is already used on the network. */
    boolean tryUpdate(Port p);

    void delete(String id);

    /**
     * Sets the status an agent reported for a port bound to its host, raising revision_number and updated_at as any
     * change of a port does; false when the port is not bound to that host or already has that status.
     */
    boolean updateStatus(String id, String hostId, String status, java.time.Instant now);

    /** Ports on the network whose device_owner is not in the given list. */
    long countOnNetwork(String networkId, List<String> ignoredOwners);
}
