package dev.skein.service;

import dev.skein.model.Agent;
import dev.skein.model.Port;
import dev.skein.store.Tx;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Where each router runs: on the host all its gateway and interface ports are bound to. A router is placed when it
 * gets its first port (gateway or interface) and a network node can take it; every later port joins it there. The
 * caller holds the router's row lock, which serialises every change to its ports.
 */
public final class RouterPlacement {
    private final NetworkNodes nodes;
    private final Clock clock;

    public RouterPlacement(NetworkNodes nodes, Clock clock) {
        this.nodes = nodes;
        this.clock = clock;
    }

    /** The host the router runs on, or "" while it runs nowhere. */
    public String hostOf(Tx tx, String routerId) {
        return hostOf(tx.placements().routerPorts(routerId));
    }

    static String hostOf(List<Port> routerPorts) {
        return routerPorts.stream().map(Port::hostId).filter(h -> !h.isEmpty()).findFirst().orElse("");
    }

    /**
     * After the router's ports changed: binds them all to the host it ran on before the change, or, if it ran
     * nowhere, to the network node the scheduler picks; while no node can take it, they stay unbound.
     */
    public void settle(Tx tx, String routerId, String hostBefore) {
        List<Port> ports = tx.placements().routerPorts(routerId);
        if (ports.isEmpty()) return;
        // A port taken over as an interface may come bound to a compute host, where no router can be.
        String host = hostBefore.isEmpty() ? nodes.choose(tx).map(Agent::host).orElse("") : hostBefore;
        bindAll(tx, ports, host);
    }

    /** Binds every port of the router to the host ("" unbinds them), keeping each port's device. */
    void bindAll(Tx tx, List<Port> routerPorts, String host) {
        Instant now = StandardAttributes.now(clock);
        List<Port> moving = routerPorts.stream().filter(p -> !p.hostId().equals(host)).toList();
        for (Port p : ServicePorts.loaded(tx, moving)) ServicePorts.rebind(tx, p, host, p.deviceId(), now);
    }
}
