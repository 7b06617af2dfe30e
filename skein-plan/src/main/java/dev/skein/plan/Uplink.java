package dev.skein.plan;

import java.util.List;

/** How a network's bridge reaches the other hosts. */
public sealed interface Uplink {

    /** Null when this host can realise the uplink; otherwise why it cannot, for the agent to report. */
    String blocker();

    /**
     * A unicast VXLAN device: no multicast group and no learning; broadcast and unknown unicast go to each
     * remote VTEP through an all-zero-MAC FDB entry, and every remote port's MAC is pinned to its host.
     */
    record Vxlan(String device, int vni, String localIp, List<String> floodRemotes, List<RemoteMac> remoteMacs)
            implements Uplink {
        /** The IANA VXLAN port; the kernel's own default (8472) predates the assignment. */
        public static final int UDP_PORT = 4789;

        public Vxlan {
            floodRemotes = List.copyOf(floodRemotes);
            remoteMacs = List.copyOf(remoteMacs);
        }

        public String blocker() { return null; }
    }

    /** A port's MAC and the underlay address of the host it is bound to. */
    record RemoteMac(String mac, String remoteIp) {}

    /** The host's interface for the physical network is itself enslaved to the bridge. */
    record Flat(String physicalNetwork, String device) implements Uplink {
        public String blocker() { return null; }
    }

    /** A bridge on an 802.1Q sub-interface of the physical network's interface. */
    record Vlan(String physicalNetwork, String parent, int vlanId, String device) implements Uplink {
        public String blocker() { return "802.1Q VLAN devices do not exist in this kernel"; }
    }

    /** The host lacks what the segment needs (an underlay address, a physical interface mapping). */
    record Unavailable(String reason) implements Uplink {
        public String blocker() { return reason; }
    }
}
