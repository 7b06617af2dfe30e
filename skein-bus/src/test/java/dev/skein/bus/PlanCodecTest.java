package dev.skein.bus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skein.plan.HostPlan;
import dev.skein.plan.L2Plan;
import dev.skein.plan.PlanDelta;
import dev.skein.plan.Uplink;
import dev.skein.plan.dhcp.DhcpPlan;
import dev.skein.plan.l3.RouterPlan;
import dev.skein.plan.fw.FirewallCompiler;
import dev.skein.plan.fw.FirewallIntent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PlanCodecTest {
    static final L2Plan.Plug PLUG = new L2Plan.Plug("00000001-1111-4222-8333-444455556666", "tap00000001-11", "fa:16:3e:00:00:01", true);
    static final L2Plan PLAN = new L2Plan(List.of(
            new L2Plan.Network("a", "skbr-a", 1450, new Uplink.Vxlan("skvx-a", 100, "198.51.100.1", List.of("198.51.100.2"),
                    List.of(new Uplink.RemoteMac("fa:16:3e:00:00:02", "198.51.100.2"))), List.of(PLUG)),
            new L2Plan.Network("b", "skbr-b", 1500, new Uplink.Flat("physnet1", "eth1"), List.of()),
            new L2Plan.Network("c", "skbr-c", 1500, new Uplink.Vlan("physnet1", "eth1", 42, "skvl-c"), List.of()),
            new L2Plan.Network("d", "skbr-d", 1450, new Uplink.Unavailable("no underlay"), List.of())),
            List.of("port x left out"));

    @Test
    void hostPlansSurviveTheRoundTripWithEveryKindOfUplink() {
        HostPlan plan = new HostPlan("h1", 17, PLAN);
        JsonNode tree = PlanCodec.tree(plan);
        assertEquals(plan, PlanCodec.plan(tree));
        assertEquals("vxlan", tree.path("l2").path("networks").path(0).path("uplink").path("type").asText());
        assertEquals("198.51.100.2", tree.path("l2").path("networks").path(0).path("uplink").path("flood_remotes").path(0).asText());
        assertEquals("tap00000001-11", tree.path("l2").path("networks").path(0).path("plugs").path(0).path("tap").asText());
        assertEquals(false, tree.path("l2").path("networks").path(0).path("uplink").has("blocker"), "derived values stay out");
    }

    @Test
    void deltasSurviveTheRoundTrip() {
        PlanDelta delta = new PlanDelta("h1", 18, false, PLAN.networks().subList(0, 2), List.of("e"));
        assertEquals(delta, PlanCodec.decode(PlanCodec.encode(delta)));
        assertEquals(PlanDelta.fetch("", 0), PlanCodec.decode(PlanCodec.encode(PlanDelta.fetch("", 0))));
    }

    @Test
    void theFirewallPartTravelsWithPlansAndDeltas() {
        FirewallIntent.Port port = new FirewallIntent.Port(PLUG.portId(), "a", PLUG.tap(), PLUG.mac(), List.of("10.0.0.5"),
                List.of(new FirewallIntent.AddressPair("10.0.0.0/28", null)), true, List.of("g"));
        FirewallIntent.SecurityGroup group = new FirewallIntent.SecurityGroup("g", List.of(
                new FirewallIntent.Rule(FirewallIntent.Direction.INGRESS, "IPv4", "tcp", 22, 22, "192.0.2.0/24", null),
                new FirewallIntent.Rule(FirewallIntent.Direction.INGRESS, "IPv4", null, null, null, null, "g")));
        var intent = new FirewallIntent(List.of(port), List.of(group), Map.of("g", List.of("10.0.0.5", "not an address")));
        var firewall = FirewallCompiler.sections(intent);
        HostPlan plan = new HostPlan("h1", 17, PLAN, firewall);
        assertEquals(plan, PlanCodec.plan(PlanCodec.tree(plan)));
        JsonNode section = PlanCodec.tree(plan).path("firewall").path("ports").path(0);
        assertEquals("g", section.path("remote_sets").path(0).path("group_id").asText());
        assertEquals(false, section.path("remote_sets").path(0).has("name"), "derived values stay out");
        PlanDelta delta = new PlanDelta("h1", 18, false, List.of(), List.of()).withFirewall(FirewallCompiler.change(intent, List.of()));
        assertEquals(delta, PlanCodec.decode(PlanCodec.encode(delta)));
        assertEquals(firewall, PlanCodec.decode(PlanCodec.encode(delta)).applyTo(new HostPlan("h1", 17, PLAN)).firewall());
        assertEquals(firewall.plan(), PlanCodec.plan(PlanCodec.tree(plan)).firewall().plan());
        assertEquals(firewall, new PlanDelta("h1", 19, false, List.of(), List.of()).applyTo(plan).firewall(), "no part, no change");
    }

    @Test
    void theNetworkNodePartsTravelWithPlansAndDeltas() {
        DhcpPlan dhcp = new DhcpPlan(List.of(new DhcpPlan.Server("a", "p-dhcp", "FA:16:3E:00:00:09", 1450, List.of("10.0.0.2/24"),
                List.of(new DhcpPlan.Subnet("s", 4, "10.0.0.0/24", "10.0.0.1", List.of("192.0.2.53"),
                        List.of(new DhcpPlan.Route("172.16.0.0/16", "10.0.0.254")), null, null, true)),
                List.of(new DhcpPlan.Reservation(PLUG.portId(), PLUG.mac(), List.of("10.0.0.5"), "host-10-0-0-5")),
                "openstacklocal", 86400, true)));
        RouterPlan routers = new RouterPlan(List.of(new RouterPlan.Router("r", "p",
                new RouterPlan.Gateway("p-gw", "ext", "fa:16:3e:00:00:0a", 1500, List.of("203.0.113.4/24"), List.of("203.0.113.1"), true),
                List.of(new RouterPlan.Interface("p-if", "a", "fa:16:3e:00:00:0b", 1450, List.of("10.0.0.1/24"))),
                List.of(new RouterPlan.Route("172.16.0.0/16", "10.0.0.254")),
                List.of(new RouterPlan.FloatingIp("f", "203.0.113.50", "10.0.0.5")), true)));
        HostPlan plan = new HostPlan("h1", 17, PLAN, null, dhcp, routers);
        assertEquals(plan, PlanCodec.plan(PlanCodec.tree(plan)));
        assertEquals("fa:16:3e:00:00:09", dhcp.servers().get(0).mac(), "MACs in the kernel's lower case");
        PlanDelta delta = new PlanDelta("h1", 18, false, List.of(), List.of()).withServices(dhcp, routers);
        assertEquals(delta, PlanCodec.decode(PlanCodec.encode(delta)));
        HostPlan applied = delta.applyTo(new HostPlan("h1", 17, PLAN));
        assertEquals(dhcp, applied.dhcp());
        assertEquals(routers, applied.routers());
        assertEquals(routers, new PlanDelta("h1", 19, false, List.of(), List.of()).applyTo(applied).routers(), "no part, no change");
    }

    @Test
    void attributesANewerControllerAddsAreIgnored() {
        String json = "{\"host\":\"h1\",\"revision\":3,\"full\":true,\"networks\":[],\"removed_networks\":[],\"fw\":{\"x\":1}}";
        assertEquals(PlanDelta.fetch("h1", 3), PlanCodec.decode(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void garbageIsRefusedWithAReason() {
        assertThrows(IllegalArgumentException.class, () -> PlanCodec.decode("nope".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> PlanCodec.decode("{\"revision\":1}".getBytes(StandardCharsets.UTF_8)));
    }
}
