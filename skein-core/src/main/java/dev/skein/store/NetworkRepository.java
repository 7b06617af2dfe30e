package dev.skein.store;

import dev.skein.model.Network;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

public interface NetworkRepository {
    Optional<Network> get(String id);

    /** The networks among the ids that exist, in no particular order. */
    List<Network> getAll(Collection<String> ids);

    /** Reads the row and holds a row lock until the transaction ends, serialising writers of this network. */
    Optional<Network> lock(String id);

    /** All networks, or only those a project may see (its own, shared and external ones) when project != null. */
    List<Network> list(String visibleToProject);

    void insert(Network n);

    void update(Network n);

    void delete(String id);
}
