package dev.skein.service;

import dev.skein.model.Agent;
import dev.skein.model.Network;
import dev.skein.model.Port;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Places what waits for a network node and moves what a dead one held. Each network and each router is handled in
 * a transaction of its own, under its row lock, and checked again there, so several controllers may run this at
 * once and one failure (a full subnet, say) holds up nothing else.
 */
public final class Rescheduler {
    private final Store store;
    private final NetworkNodes nodes;
    private final DhcpPorts dhcp;
    private final RouterPlacement routers;

    public Rescheduler(Store store, NetworkNodes nodes, DhcpPorts dhcp, RouterPlacement routers) {
        this.store = store;
        this.nodes = nodes;
        this.dhcp = dhcp;
        this.routers = routers;
    }

    /** What one pass placed or moved, and what it could not handle (network or router id, and why). */
    public record Pass(List<String> networks, List<String> routers, List<String> failures) {
        public Pass {
            networks = List.copyOf(networks);
            routers = List.copyOf(routers);
            failures = List.copyOf(failures);
        }

        public boolean isEmpty() { return networks.isEmpty() && routers.isEmpty() && failures.isEmpty(); }
    }

    /**
     * Places every network that has a DHCP-enabled subnet but no bound DHCP port, and every router with an unbound
     * port, on network nodes. For when a network node registers, comes back alive or is enabled.
     */
    public Pass placeWaiting() {
        List<String> networks = store.read(tx -> tx.placements().networksAwaitingDhcp());
        List<String> waitingRouters = store.read(tx -> tx.placements().routersAwaitingHost());
        return pass(networks, this::placeNetwork, waitingRouters, this::placeRouter);
    }

    /**
     * Moves the DHCP servers and routers of hosts whose agent is dead (or gone, or no longer a network node) to
     * live network nodes; a DHCP port keeps its id, MAC and addresses, so clients keep their leases. Nothing moves
     * while no network node can take them. The controller runs this every few seconds.
     */
    public Pass moveFromDeadAgents() {
        Set<String> stale = store.read(tx -> {
            Set<String> hosts = new TreeSet<>(tx.placements().serviceHosts());
            hosts.removeAll(nodes.servingHosts(nodes.census(tx)));
            return hosts;
        });
        if (stale.isEmpty()) return new Pass(List.of(), List.of(), List.of());
        List<String> networks = List.copyOf(store.read(tx -> tx.placements().dhcpNetworksOn(stale)));
        List<String> movedRouters = List.copyOf(store.read(tx -> tx.placements().routersOn(stale)));
        return pass(networks, this::moveNetwork, movedRouters, this::moveRouter);
    }

    private interface Step {
        boolean apply(Tx tx, String id);
    }

    private Pass pass(List<String> networks, Step onNetwork, List<String> routerIds, Step onRouter) {
        List<String> failures = new ArrayList<>();
        List<String> doneNetworks = run(networks, onNetwork, "network ", failures);
        List<String> doneRouters = run(routerIds, onRouter, "router ", failures);
        return new Pass(doneNetworks, doneRouters, failures);
    }

    private List<String> run(List<String> ids, Step step, String kind, List<String> failures) {
        List<String> done = new ArrayList<>();
        for (String id : ids) {
            try {
                if (store.write(tx -> step.apply(tx, id))) done.add(id);
            } catch (RuntimeException e) {
                failures.add(kind + id + ": " + e.getMessage());
            }
        }
        return done;
    }

    private boolean placeNetwork(Tx tx, String id) {
        Optional<Network> net = tx.networks().lock(id);
        if (net.isEmpty()) return false;
        dhcp.reconcile(tx, net.get());
        return dhcp.dhcpPorts(tx, id).stream().anyMatch(p -> !p.hostId().isEmpty());
    }

    private boolean placeRouter(Tx tx, String id) {
        if (tx.routers().lock(id).isEmpty()) return false;
        routers.settle(tx, id, routers.hostOf(tx, id));
        return tx.placements().routerPorts(id).stream().noneMatch(p -> p.hostId().isEmpty());
    }

    private boolean moveNetwork(Tx tx, String id) {
        if (tx.networks().lock(id).isEmpty()) return false;
        Predicate<String> stale = staleHosts(tx);
        boolean moved = false;
        for (Port p : dhcp.dhcpPorts(tx, id)) {
            if (p.hostId().isEmpty() || !stale.test(p.hostId())) continue;
            Optional<Agent> to = nodes.choose(tx);
            if (to.isEmpty()) return moved;
            dhcp.move(tx, p, to.get().host());
            moved = true;
        }
        return moved;
    }

    private boolean moveRouter(Tx tx, String id) {
        if (tx.routers().lock(id).isEmpty()) return false;
        List<Port> ports = tx.placements().routerPorts(id);
        String host = RouterPlacement.hostOf(ports);
        if (host.isEmpty() || !staleHosts(tx).test(host)) return false;
        Optional<Agent> to = nodes.choose(tx);
        if (to.isEmpty()) return false;
        routers.bindAll(tx, ports, to.get().host());
        return true;
    }

    /** Read again inside the moving transaction: the agent may have come back since the pass began. */
    private Predicate<String> staleHosts(Tx tx) {
        Set<String> serving = nodes.servingHosts(nodes.census(tx));
        return host -> !serving.contains(host);
    }
}
