package dev.skein.l3;

import dev.skein.error.NeutronException;
import dev.skein.model.AllocationPool;
import dev.skein.model.FixedIp;
import dev.skein.model.Subnet;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouterSubnetsTest {
    private static Subnet subnet(String id, String project, String cidr, List<AllocationPool> pools) {
        int version = cidr.contains(":") ? 6 : 4;
        return new Subnet(id, project, "net-" + id, "", "", version, cidr, null, pools, List.of(), List.of(), true,
                null, null, List.of(), Instant.EPOCH, Instant.EPOCH, 1);
    }

    private static Subnet subnet(String id, String cidr) { return subnet(id, "p", cidr, List.of()); }

    private static NeutronException rejected(Runnable r) { return assertThrows(NeutronException.class, r::run); }

    @Test
    void refusesTheSameSubnetTwiceAndOverlaps() {
        Subnet a = subnet("a", "10.0.0.0/24");
        RouterSubnets.requireDistinct(List.of(a), List.of(subnet("b", "10.0.1.0/24"), subnet("v6", "2001:db8::/64")));
        NeutronException twice = rejected(() -> RouterSubnets.requireDistinct(List.of(a), List.of(a)));
        assertEquals("BadRequest", twice.type());
        assertTrue(twice.getMessage().contains("already has a port on subnet a"), twice.getMessage());
        NeutronException inside = rejected(() -> RouterSubnets.requireDistinct(List.of(a), List.of(subnet("c", "10.0.0.128/25"))));
        assertTrue(inside.getMessage().contains("overlaps with cidr 10.0.0.0/24"), inside.getMessage());
        rejected(() -> RouterSubnets.requireDistinct(List.of(subnet("d", "10.0.0.0/26")), List.of(subnet("e", "10.0.0.0/16"))));
    }

    @Test
    void subnetsTakingRasFromElsewhereCannotBeRouted() {
        Subnet ext = new Subnet("x", "p", "n", "", "", 6, "2001:db8::/64", null, List.of(), List.of(), List.of(), true,
                null, "slaac", List.of(), Instant.EPOCH, Instant.EPOCH, 1);
        rejected(() -> RouterSubnets.requireRoutable(ext));
        RouterSubnets.requireRoutable(subnet("y", "10.0.0.0/24"));
    }

    @Test
    void anInterfacePortNeedsAnAddressAndOneIpv4Subnet() {
        Subnet a = subnet("a", "10.0.0.0/24"), b = subnet("b", "10.0.1.0/24"), v6 = subnet("v6", "2001:db8::/64");
        Map<String, Subnet> all = Map.of("a", a, "b", b, "v6", v6);
        rejected(() -> RouterSubnets.requireUsableInterfacePort(List.of(), all));
        rejected(() -> RouterSubnets.requireUsableInterfacePort(List.of(new FixedIp("a", "10.0.0.5"), new FixedIp("b", "10.0.1.5")), all));
        RouterSubnets.requireUsableInterfacePort(List.of(new FixedIp("a", "10.0.0.5"), new FixedIp("a", "10.0.0.6"),
                new FixedIp("v6", "2001:db8::5")), all);
    }

    @Test
    void onlyTheSubnetOwnerMayUseAddressesOutsideThePools() {
        Subnet s = subnet("s", "owner", "10.0.0.0/24", List.of(new AllocationPool("10.0.0.10", "10.0.0.20")));
        Map<String, Subnet> subnets = Map.of("s", s);
        RouterSubnets.requireInPoolsOrOwner("port", List.of(new FixedIp("s", "10.0.0.15")), subnets, "someone");
        RouterSubnets.requireInPoolsOrOwner("port", List.of(new FixedIp("s", "10.0.0.1")), subnets, "owner");
        NeutronException e = rejected(() -> RouterSubnets.requireInPoolsOrOwner("port", List.of(new FixedIp("s", "10.0.0.1")),
                subnets, "someone"));
        assertTrue(e.getMessage().contains("out of the allocation pool"), e.getMessage());
    }
}
