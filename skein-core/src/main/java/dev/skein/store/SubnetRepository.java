package dev.skein.store;

import dev.skein.model.Subnet;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

public interface SubnetRepository {
    Optional<Subnet> get(String id);

    Optional<Subnet> lock(String id);

    List<Subnet> onNetwork(String networkId);

    /** The subnets of all the networks. */
    List<Subnet> onNetworks(Collection<String> networkIds);

    /** All subnets, or those on networks a project may see when project != null. */
    List<Subnet> list(String visibleToProject);

    /** Subnet ids per network, in creation order, for the network view's {@code subnets} attribute. */
    Map<String, List<String>> idsByNetwork(Collection<String> networkIds);

    void insert(Subnet s);

    void update(Subnet s);

    void delete(String id);
}
