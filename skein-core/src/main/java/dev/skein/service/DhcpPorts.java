package dev.skein.service;

import dev.skein.model.FixedIp;
import dev.skein.model.Network;
import dev.skein.model.Port;
import dev.skein.model.Subnet;
import dev.skein.policy.RequestContext;
import dev.skein.store.Tx;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The DHCP port of each network: the port its DHCP server answers on, and the only record of where that server
 * runs (the host the port is bound to). A network has one as soon as it has a DHCP-enabled subnet and a network
 * node can take it; the port holds one address on every DHCP-enabled subnet (and, as every port does, its EUI-64
 * address on SLAAC subnets), follows subnets as they come, change and go, and goes with the last DHCP-enabled
 * subnet. All of it happens in the transaction of the write that caused it, under the network's row lock, so two
 * concurrent subnet writes cannot give a network two DHCP ports.
 */
public final class DhcpPorts {
    /** Neutron's device_id for a DHCP port that no agent holds. */
    static final String RESERVED_DEVICE = "reserved_dhcp_port";
    /** The DNS namespace of RFC 4122, which Neutron names DHCP ports' device ids in. */
    private static final UUID DNS_NAMESPACE = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");

    private final PortService ports;
    private final NetworkNodes nodes;
    private final Clock clock;

    public DhcpPorts(PortService ports, NetworkNodes nodes, Clock clock) {
        this.ports = ports;
        this.nodes = nodes;
        this.clock = clock;
    }

    /**
     * Brings the network's DHCP ports in line with its subnets and, if none is bound to a host, places the network
     * on the network node the scheduler picks (nothing happens while none is available). The caller holds the
     * network's row lock.
     */
    public void reconcile(Tx tx, Network net) {
        List<Port> current = readdress(tx, net);
        if (current.isEmpty() && dhcpSubnets(tx, net.id()).isEmpty()) return;
        if (current.stream().anyMatch(p -> !p.hostId().isEmpty())) return;
        nodes.choose(tx).ifPresent(agent -> placeOn(tx, net, current, agent.host()));
    }

    /**
     * Places the network's DHCP server on the host: binds its unbound DHCP port there, or makes one. False when the
     * network has no DHCP-enabled subnet on which an address could be had. The caller holds the row lock.
     */
    boolean place(Tx tx, Network net, String host) {
        return placeOn(tx, net, readdress(tx, net), host);
    }

    private boolean placeOn(Tx tx, Network net, List<Port> current, String host) {
        if (!current.isEmpty()) {
            ServicePorts.rebind(tx, current.get(0), host, deviceId(host, net.id()), now());
            return true;
        }
        List<Subnet> dhcp = dhcpSubnets(tx, net.id());
        if (dhcp.isEmpty()) return false;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("network_id", net.id());
        body.put("project_id", net.projectId());
        body.put("name", "");
        body.put("admin_state_up", true);
        body.put("device_id", deviceId(host, net.id()));
        body.put("device_owner", Port.DHCP_OWNER);
        body.put("binding:host_id", host);
        // Addresses come one subnet at a time below, so that a full subnet costs its address, not the whole write.
        body.put("fixed_ips", List.of());
        Port created = ports.create(tx, RequestContext.system(), body);
        List<FixedIp> ips = new ArrayList<>(created.fixedIps());
        claimMissing(tx, created, dhcp, ips);
        if (ips.isEmpty()) {
            ServicePorts.delete(tx, created);
            return false;
        }
        PlanChanges.port(tx, created, created.withFixedIps(ips));
        return true;
    }

    /** Unbinds the port of the network's DHCP server on the host, which keeps its addresses for the next one. */
    void unbind(Tx tx, Port port) {
        ServicePorts.rebind(tx, port, "", RESERVED_DEVICE, now());
    }

    /** Moves a network's DHCP port to another host, keeping the port and its addresses. */
    void move(Tx tx, Port port, String host) {
        ServicePorts.rebind(tx, port, host, deviceId(host, port.networkId()), now());
    }

    /**
     * Before the subnet is deleted: the network's DHCP ports give up their addresses on it, and a port left with no
     * address goes. Whoever else holds an address there keeps the subnet in use (the caller checks that first).
     */
    public void releaseSubnet(Tx tx, Subnet s) {
        Instant now = now();
        for (Port p : dhcpPorts(tx, s.networkId())) {
            List<FixedIp> kept = p.fixedIps().stream().filter(f -> !f.subnetId().equals(s.id())).toList();
            if (kept.size() == p.fixedIps().size()) continue;
            for (FixedIp f : p.fixedIps()) if (f.subnetId().equals(s.id())) tx.ipAllocations().release(p.id(), f.subnetId(), f.ipAddress());
            if (kept.isEmpty()) ServicePorts.delete(tx, p);
            else ServicePorts.readdressed(tx, p, kept, now);
        }
    }

    /** The network's DHCP ports with their addresses and groups. */
    List<Port> dhcpPorts(Tx tx, String networkId) {
        return ServicePorts.loaded(tx, tx.placements().dhcpPorts(networkId));
    }

    /**
     * Gives every DHCP port an address on each DHCP-enabled subnet and takes away those on subnets that no longer
     * serve DHCP (EUI-64 addresses stay: they follow the MAC on every port). Without a DHCP-enabled subnet, or
     * without any address left, a port goes. Returns the ports that remain.
     */
    private List<Port> readdress(Tx tx, Network net) {
        List<Port> current = dhcpPorts(tx, net.id());
        if (current.isEmpty()) return current;
        List<Subnet> subnets = tx.subnets().onNetwork(net.id());
        List<Subnet> dhcp = subnets.stream().filter(Subnet::enableDhcp).toList();
        Set<String> keep = new HashSet<>();
        for (Subnet s : subnets) if (s.enableDhcp() || s.autoAddress()) keep.add(s.id());
        Instant now = now();
        List<Port> out = new ArrayList<>();
        for (Port p : current) {
            if (dhcp.isEmpty()) {
                ServicePorts.delete(tx, p);
                continue;
            }
            List<FixedIp> ips = new ArrayList<>();
            for (FixedIp f : p.fixedIps()) {
                if (keep.contains(f.subnetId())) ips.add(f);
                else tx.ipAllocations().release(p.id(), f.subnetId(), f.ipAddress());
            }
            claimMissing(tx, p, dhcp, ips);
            if (ips.isEmpty()) {
                ServicePorts.delete(tx, p);
            } else if (!new HashSet<>(ips).equals(new HashSet<>(p.fixedIps()))) {
                out.add(ServicePorts.readdressed(tx, p, ips, now));
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /** Claims an address on each DHCP subnet the port has none on yet; a full subnet is skipped. */
    private void claimMissing(Tx tx, Port port, List<Subnet> dhcp, List<FixedIp> ips) {
        for (Subnet s : dhcp) {
            if (ips.stream().anyMatch(f -> f.subnetId().equals(s.id()))) continue;
            Optional<FixedIp> got = ports.allocateOn(tx, port, s);
            got.ifPresent(ips::add);
        }
    }

    private static List<Subnet> dhcpSubnets(Tx tx, String networkId) {
        return tx.subnets().onNetwork(networkId).stream().filter(Subnet::enableDhcp).toList();
    }

    /**
     * "dhcp" + a UUID of the host + "-" + the network id, as Neutron names the device of a DHCP port, so that the
     * same host serving the same network always shows the same device id.
     */
    static String deviceId(String host, String networkId) {
        return "dhcp" + nameUuid(host) + "-" + networkId;
    }

    /** A version 5 (SHA-1, name-based) UUID of the name in the DNS namespace. */
    private static UUID nameUuid(String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-1", e);
        }
        sha1.update(toBytes(DNS_NAMESPACE));
        byte[] h = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        h[6] = (byte) ((h[6] & 0x0f) | 0x50);
        h[8] = (byte) ((h[8] & 0x3f) | 0x80);
        long msb = 0, lsb = 0;
        for (int i = 0; i < 8; i++) msb = (msb << 8) | (h[i] & 0xff);
        for (int i = 8; i < 16; i++) lsb = (lsb << 8) | (h[i] & 0xff);
        return new UUID(msb, lsb);
    }

    private static byte[] toBytes(UUID u) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (u.getMostSignificantBits() >>> (56 - 8 * i));
            b[8 + i] = (byte) (u.getLeastSignificantBits() >>> (56 - 8 * i));
        }
        return b;
    }

    private Instant now() { return StandardAttributes.now(clock); }
}
