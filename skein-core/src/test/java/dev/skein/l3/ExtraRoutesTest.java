package dev.skein.l3;

import dev.skein.error.NeutronException;
import dev.skein.ipam.IpAddresses;
import dev.skein.ipam.IpAddresses.Prefix;
import dev.skein.model.HostRoute;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExtraRoutesTest {
    private static final List<Prefix> CONNECTED = List.of(IpAddresses.parsePrefix("10.0.0.0/24"), IpAddresses.parsePrefix("2001:db8::/64"));

    private static Map<String, Object> route(String destination, String nexthop) {
        return Map.of("destination", destination, "nexthop", nexthop);
    }

    private static NeutronException rejected(Runnable r) {
        return assertThrows(NeutronException.class, r::run);
    }

    @Test
    void parsesToCanonicalText() {
        assertEquals(List.of(new HostRoute("2001:db8:1::/64", "2001:db8::5")),
                ExtraRoutes.parse(List.of(route("2001:DB8:1:0::/64", "2001:db8:0::5"))));
        assertEquals(List.of(), ExtraRoutes.parse(null));
    }

    @Test
    void refusesMalformedAndDuplicateRoutes() {
        assertEquals(400, rejected(() -> ExtraRoutes.parse(List.of(Map.of("destination", "10.1.0.0/16")))).status());
        assertTrue(rejected(() -> ExtraRoutes.parse(List.of(route("10.1.0.1/16", "10.0.0.5")))).getMessage().contains("not a valid CIDR"));
        assertTrue(rejected(() -> ExtraRoutes.parse(List.of(route("127.0.0.0/8", "10.0.0.5")))).getMessage().contains("routable"));
        assertTrue(rejected(() -> ExtraRoutes.parse(List.of(route("10.1.0.0/16", "10.0.0")))).getMessage().contains("valid IP"));
        assertEquals("InvalidRoutes", rejected(() -> ExtraRoutes.parse(List.of(route("10.1.0.0/16", "2001:db8::5")))).type());
        NeutronException dup = rejected(() -> ExtraRoutes.parse(List.of(route("10.1.0.0/16", "10.0.0.5"), route("10.1.0.0/16", "10.0.0.5"))));
        assertTrue(dup.getMessage().contains("Duplicate hostroute"), dup.getMessage());
    }

    @Test
    void nexthopMustBeOnAConnectedSubnetAndNotTheRoutersOwn() {
        ExtraRoutes.requireReachable(List.of(new HostRoute("0.0.0.0/0", "10.0.0.9"), new HostRoute("2001:db8:9::/48", "2001:db8::9")),
                CONNECTED, Set.of("10.0.0.1"));
        NeutronException away = rejected(() -> ExtraRoutes.requireReachable(List.of(new HostRoute("0.0.0.0/0", "10.0.1.9")), CONNECTED, Set.of()));
        assertEquals("InvalidRoutes", away.type());
        assertTrue(away.getMessage().contains("not connected with router"), away.getMessage());
        NeutronException own = rejected(() -> ExtraRoutes.requireReachable(List.of(new HostRoute("0.0.0.0/0", "10.0.0.1")),
                CONNECTED, Set.of("10.0.0.1")));
        assertTrue(own.getMessage().contains("used by router"), own.getMessage());
    }

    @Test
    void moreRoutesThanTheQuotaAreRefused() {
        List<HostRoute> many = new ArrayList<>();
        for (int i = 0; i <= ExtraRoutes.MAX_ROUTES; i++) many.add(new HostRoute("172.16." + i + ".0/24", "10.0.0.9"));
        assertEquals(409, rejected(() -> ExtraRoutes.requireReachable(many, CONNECTED, Set.of())).status());
        ExtraRoutes.requireReachable(many.subList(0, ExtraRoutes.MAX_ROUTES), CONNECTED, Set.of());
    }

    @Test
    void findsRoutesThroughASubnet() {
        List<HostRoute> routes = List.of(new HostRoute("0.0.0.0/0", "10.0.0.9"));
        assertTrue(ExtraRoutes.anyNexthopIn(routes, IpAddresses.parsePrefix("10.0.0.0/28")));
        assertFalse(ExtraRoutes.anyNexthopIn(routes, IpAddresses.parsePrefix("10.0.0.16/28")));
        assertFalse(ExtraRoutes.anyNexthopIn(routes, IpAddresses.parsePrefix("2001:db8::/64")));
    }

    @Test
    void atomicAddAndRemoveAreIdempotent() {
        HostRoute a = new HostRoute("172.16.0.0/16", "10.0.0.5"), b = new HostRoute("172.17.0.0/16", "10.0.0.5"),
                c = new HostRoute("172.16.0.0/16", "10.0.0.6");
        assertEquals(List.of(a, b, c), ExtraRoutes.plus(List.of(a, b), List.of(b, c)));
        assertEquals(List.of(b), ExtraRoutes.minus(List.of(a, b), List.of(a, c)));
    }
}
