package dev.skein.l3;

import dev.skein.error.NeutronException;
import dev.skein.model.FixedIp;
import dev.skein.model.Port;
import dev.skein.store.RouterRepository.Hop;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloatingIpRulesTest {
    private static Port port(FixedIp... ips) {
        return new Port("port-1", "p", "n", "", "", true, "fa:16:3e:00:00:01", List.of(ips), "", "", "", "normal",
                List.of(), true, List.of(), "DOWN", List.of(), Instant.EPOCH, Instant.EPOCH, 1);
    }

    private static String reason(Runnable r) { return assertThrows(NeutronException.class, r::run).getMessage(); }

    @Test
    void thePortsOnlyIpv4AddressIsTakenWhenNoneIsNamed() {
        Port p = port(new FixedIp("v6", "2001:db8::5"), new FixedIp("v4", "10.0.0.5"));
        assertEquals(new FixedIp("v4", "10.0.0.5"), FloatingIpRules.internalAddress(p, null));
        assertTrue(reason(() -> FloatingIpRules.internalAddress(port(new FixedIp("v6", "2001:db8::5")), null)).contains("no fixed IPv4"));
        Port two = port(new FixedIp("v4", "10.0.0.5"), new FixedIp("v4", "10.0.0.6"));
        assertTrue(reason(() -> FloatingIpRules.internalAddress(two, null)).contains("multiple fixed IPv4"));
        assertEquals(new FixedIp("v4", "10.0.0.6"), FloatingIpRules.internalAddress(two, "10.0.0.6"));
    }

    @Test
    void aNamedAddressMustBeThePortsAndIpv4() {
        Port p = port(new FixedIp("v6", "2001:db8::5"), new FixedIp("v4", "10.0.0.5"));
        assertTrue(reason(() -> FloatingIpRules.internalAddress(p, "10.0.0.7")).contains("does not have fixed ip"));
        assertTrue(reason(() -> FloatingIpRules.internalAddress(p, "2001:db8::5")).contains("not an IPv4 address"));
        assertTrue(reason(() -> FloatingIpRules.internalAddress(p, "10.0.0.x")).contains("not a valid IP"));
    }

    @Test
    void theRouterOnTheSubnetGatewayWinsElseTheFirst() {
        List<Hop> hops = List.of(new Hop("r1", "10.0.0.2"), new Hop("r2", "10.0.0.1"));
        assertEquals(Optional.of("r2"), FloatingIpRules.pickRouter(hops, "10.0.0.1"));
        assertEquals(Optional.of("r1"), FloatingIpRules.pickRouter(hops, "10.0.0.254"));
        assertEquals(Optional.of("r1"), FloatingIpRules.pickRouter(hops, null));
        assertEquals(Optional.empty(), FloatingIpRules.pickRouter(List.of(), "10.0.0.1"));
    }
}
