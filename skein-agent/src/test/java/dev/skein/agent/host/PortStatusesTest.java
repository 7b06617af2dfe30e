package dev.skein.agent.host;

import dev.skein.agent.l2.KernelL2State;
import dev.skein.agent.l2.KernelL2State.Link;
import dev.skein.plan.L2Plan;
import dev.skein.plan.Uplink;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PortStatusesTest {
    static final Uplink VXLAN = new Uplink.Vxlan("skvx-a", 7, "198.51.100.1", List.of(), List.of());

    static Link link(String name, String kind, String master, boolean up) { return new Link(name, kind, master, 1450, up, null); }

    static KernelL2State kernel(Link... links) {
        return new KernelL2State(java.util.Arrays.stream(links).collect(java.util.stream.Collectors.toMap(Link::name, l -> l)), List.of());
    }

    @Test
    void activeMeansAnUpTapInsideAnUpBridgeForAnAdministrativelyUpPort() {
        L2Plan plan = new L2Plan(List.of(new L2Plan.Network("a", "skbr-a", 1450, VXLAN, List.of(
                new L2Plan.Plug("p1", "tap1", "fa:16:3e:00:00:01", true),
                new L2Plan.Plug("p2", "tap2", "fa:16:3e:00:00:02", true),
                new L2Plan.Plug("p3", "tap3", "fa:16:3e:00:00:03", true),
                new L2Plan.Plug("p4", "tap4", "fa:16:3e:00:00:04", false),
                new L2Plan.Plug("p5", "tap5", "fa:16:3e:00:00:05", true)))), List.of());
        KernelL2State k = kernel(link("skbr-a", "bridge", null, true), link("tap1", "veth", "skbr-a", true),
                link("tap2", "veth", "skbr-other", true), link("tap3", "veth", "skbr-a", false), link("tap4", "veth", "skbr-a", false));
        assertEquals(Map.of("p1", "ACTIVE", "p2", "DOWN", "p3", "DOWN", "p4", "DOWN", "p5", "DOWN"), PortStatuses.of(plan, k));
    }

    @Test
    void nothingIsActiveOnABridgeThatIsDownOrOnANetworkThatCannotBeRealised() {
        List<L2Plan.Plug> plug = List.of(new L2Plan.Plug("p1", "tap1", "fa:16:3e:00:00:01", true));
        KernelL2State k = kernel(link("skbr-a", "bridge", null, false), link("tap1", "veth", "skbr-a", true));
        assertEquals(Map.of("p1", "DOWN"), PortStatuses.of(new L2Plan(List.of(new L2Plan.Network("a", "skbr-a", 1450, VXLAN, plug)), List.of()), k));
        KernelL2State up = kernel(link("skbr-a", "bridge", null, true), link("tap1", "veth", "skbr-a", true));
        L2Plan blocked = new L2Plan(List.of(new L2Plan.Network("a", "skbr-a", 1450, new Uplink.Unavailable("no underlay"), plug)), List.of());
        assertEquals(Map.of("p1", "DOWN"), PortStatuses.of(blocked, up));
    }
}
