package dev.skein.service;

import dev.skein.model.FixedIp;
import dev.skein.model.Port;
import dev.skein.store.Tx;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Changes to the ports of DHCP servers and routers that Skein makes on its own. Each one is told to
 * {@link PlanChanges} like any port write, with the port's addresses and groups loaded, so the hosts it leaves and
 * the host it reaches hear of it.
 */
final class ServicePorts {
    private ServicePorts() {}

    /** The ports with their fixed IPs and security groups, which the store keeps in tables of their own. */
    static List<Port> loaded(Tx tx, List<Port> ports) {
        if (ports.isEmpty()) return List.of();
        List<String> ids = ports.stream().map(Port::id).toList();
        Map<String, List<FixedIp>> ips = tx.ipAllocations().ofPorts(ids);
        Map<String, List<String>> groups = tx.securityGroups().ofPorts(ids);
        return ports.stream().map(p -> p.withFixedIps(ips.getOrDefault(p.id(), List.of()))
                .withSecurityGroups(groups.getOrDefault(p.id(), List.of()))).toList();
    }

    /** Binds a loaded port to the host (none when empty) for the given device there. */
    static Port rebind(Tx tx, Port port, String host, String deviceId, Instant now) {
        if (port.hostId().equals(host) && port.deviceId().equals(deviceId)) return port;
        Port after = port.withBinding(host, deviceId, now);
        tx.ports().tryUpdate(after);
        PlanChanges.port(tx, port, after);
        return after;
    }

    /** A loaded port whose addresses changed: its revision moves and the hosts that see it are told. */
    static Port readdressed(Tx tx, Port before, List<FixedIp> ips, Instant now) {
        Port after = before.withDevice(before.deviceId(), before.deviceOwner(), now).withFixedIps(ips);
        tx.ports().tryUpdate(after);
        PlanChanges.port(tx, before, after);
        return after;
    }

    /** Deletes a loaded port with its addresses. */
    static void delete(Tx tx, Port port) {
        tx.ipAllocations().releaseAll(port.id());
        tx.ports().delete(port.id());
        PlanChanges.port(tx, port, null);
    }
}
