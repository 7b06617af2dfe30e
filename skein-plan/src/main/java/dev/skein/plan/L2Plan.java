package dev.skein.plan;

import java.util.List;

/**
 * What one host must hold at L2: per network a bridge, its uplink and the ports plugged into it. Lists are
 * sorted (networks and ports by id, remotes by address, MACs by value) so two compilations of the same intent
 * are equal and a changed intent gives a readable diff. problems lists what the compiler had to leave out.
 */
public record L2Plan(List<Network> networks, List<String> problems) {
    public static final L2Plan EMPTY = new L2Plan(List.of(), List.of());

    public L2Plan {
        networks = List.copyOf(networks);
        problems = List.copyOf(problems);
    }

    public record Network(String networkId, String bridge, int mtu, Uplink uplink, List<Plug> plugs) {
        public Network { plugs = List.copyOf(plugs); }

        public boolean realisable() { return uplink.blocker() == null; }
    }

    /** A port whose interface (created by the hypervisor) is enslaved to the bridge with the network's MTU. */
    public record Plug(String portId, String tap, String mac, boolean up) {}
}
