package dev.skein.api.neutron;

import dev.skein.model.FloatingIp;
import dev.skein.model.Network;
import dev.skein.model.NetworkType;
import dev.skein.model.Port;
import dev.skein.model.RbacPolicy;
import dev.skein.model.Router;
import dev.skein.model.Segment;
import dev.skein.model.Subnet;

import java.time.Instant;
import java.util.List;

/** One instance of each resource, rendered once to learn its attribute names (what may be filtered on). */
final class Samples {
    private static final Instant T = Instant.EPOCH;
    static final Network NETWORK = new Network("", "", "", "", true, false, false, 0, true, "",
            new Segment(NetworkType.VXLAN, null, 1), List.of(), T, T, 0);
    static final Subnet SUBNET = new Subnet("", "", "", "", "", 4, "", null, List.of(), List.of(), List.of(), true,
            null, null, List.of(), T, T, 0);
    static final Port PORT = new Port("", "", "", "", "", true, "", List.of(), "", "", "", "normal", List.of(), true,
            List.of(), "", List.of(), T, T, 0);
    static final RbacPolicy RBAC_POLICY = new RbacPolicy("", "", "", "", "", "");
    static final Router ROUTER = new Router("", "", "", "", true, "", null, true, List.of(), false, false, List.of(), T, T, 0);
    static final FloatingIp FLOATING_IP = new FloatingIp("", "", "", "", "", "", null, null, null, "", List.of(), T, T, 0);

    private Samples() {}
}
