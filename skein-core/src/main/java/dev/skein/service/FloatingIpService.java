package dev.skein.service;

import dev.skein.attr.Attributes;
import dev.skein.error.NeutronException;
import dev.skein.ipam.IpAddresses;
import dev.skein.l3.FloatingIpRules;
import dev.skein.l3.L3Errors;
import dev.skein.model.FixedIp;
import dev.skein.model.FloatingIp;
import dev.skein.model.Network;
import dev.skein.model.Port;
import dev.skein.model.Subnet;
import dev.skein.policy.Policy;
import dev.skein.policy.RequestContext;
import dev.skein.store.RouterRepository.Hop;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Floating IPs: an address taken through IPAM on an external network (held by a port of its own), mapped to a
 * fixed IPv4 address of an internal port through a router that joins the two.
 */
public final class FloatingIpService {
    static final Set<String> CREATE = Set.of("floating_network_id", "floating_ip_address", "subnet_id", "port_id",
            "fixed_ip_address", "description", "project_id", "tenant_id", "tags");
    static final Set<String> UPDATE = Set.of("port_id", "fixed_ip_address", "description");
    private static final Set<String> READ_ONLY = Set.of("id", "floating_network_id", "floating_ip_address", "subnet_id",
            "router_id", "status", "project_id", "tenant_id");
    /** Concurrent changes may move the router a fixed IP is reached through while we look; we look again. */
    private static final int ROUTER_ATTEMPTS = 5;

    private final Store store;
    private final PortService ports;
    private final Clock clock;
    private final QuotaService quotas;

    public FloatingIpService(Store store, PortService ports, Clock clock, QuotaService quotas) {
        this.store = store;
        this.ports = ports;
        this.clock = clock;
        this.quotas = quotas;
    }

    public FloatingIp create(RequestContext ctx, Map<String, Object> body) {
        return store.write(tx -> {
            quotas.charge(tx, NetworkService.charges(ctx, List.of(body), CREATE, "create_floatingip", "floatingip"));
            return create(tx, ctx, body);
        });
    }

    public List<FloatingIp> createBulk(RequestContext ctx, List<Map<String, Object>> bodies) {
        return store.write(tx -> {
            quotas.charge(tx, NetworkService.charges(ctx, bodies, CREATE, "create_floatingip", "floatingip"));
            List<FloatingIp> out = new ArrayList<>(bodies.size());
            for (Map<String, Object> b : bodies) out.add(create(tx, ctx, b));
            return out;
        });
    }

    private FloatingIp create(Tx tx, RequestContext ctx, Map<String, Object> body) {
        Policy.requireWrite(ctx, "create_floatingip");
        Attributes a = Attributes.of(body, CREATE);
        String project = Policy.owningProject(ctx, NetworkService.projectAttr(a), "create_floatingip");
        String networkId = a.string("floating_network_id", null);
        if (networkId == null) {
            throw NeutronException.badRequest("Failed to parse request. Required attribute 'floating_network_id' not specified");
        }
        String address = a.string("floating_ip_address", null);
        if (address != null) {
            Policy.requireAdmin(ctx, "create_floatingip:floating_ip_address");
            if (IpAddresses.parse(address) == null) {
                throw NeutronException.invalidAttribute("floating_ip_address", "'" + address + "' is not a valid IP address");
            }
        }
        String subnetId = a.string("subnet_id", null);
        String portId = a.string("port_id", null);
        String fixedIp = a.string("fixed_ip_address", null);
        if (fixedIp != null && portId == null) {
            throw L3Errors.badRequest("floatingip", "fixed_ip_address cannot be specified without a port_id");
        }
        Network net = NetworkService.visible(tx, ctx, networkId);
        if (!net.external()) throw L3Errors.badRequest("floatingip", "Network " + networkId + " is not a valid external network");
        if (tx.subnets().onNetwork(networkId).stream().noneMatch(s -> s.ipVersion() == 4)) {
            throw L3Errors.badRequest("floatingip", "Network " + networkId + " does not contain any IPv4 subnet");
        }

        String id = UUID.randomUUID().toString();
        // The address's port belongs to no project: it is the system's, never shown to or changed by the tenant.
        Map<String, Object> port = new LinkedHashMap<>();
        port.put("project_id", "");
        port.put("network_id", networkId);
        port.put("admin_state_up", true);
        port.put("device_id", id);
        port.put("device_owner", FloatingIp.PORT_OWNER);
        port.put("name", "");
        Map<String, Object> wanted = new LinkedHashMap<>();
        if (subnetId != null) wanted.put("subnet_id", subnetId);
        if (address != null) wanted.put("ip_address", address);
        if (!wanted.isEmpty()) port.put("fixed_ips", List.of(wanted));
        Port p = ports.create(tx, RequestContext.system(), port);
        FixedIp v4 = p.fixedIps().stream().filter(f -> IpAddresses.parse(f.ipAddress()).version() == 4).findFirst()
                .orElseThrow(() -> new NeutronException(400, "ExternalIpAddressExhausted",
                        "Unable to find any IP address on external network " + networkId + "."));

        Instant now = now();
        FloatingIp f = new FloatingIp(id, project, a.text("description", "", StandardAttributes.MAX_DESCRIPTION), networkId,
                v4.ipAddress(), p.id(), null, null, null, FloatingIp.DOWN,
                a.has("tags") ? StandardAttributes.tags(a.stringList("tags")) : List.of(), now, now, 1);
        if (portId != null) f = associate(tx, ctx, f, portId, fixedIp);
        if (!tx.floatingIps().tryInsert(f)) throw alreadyAssociated(f);
        PlanChanges.floatingIp(tx, null, f);
        return f;
    }

    public FloatingIp get(RequestContext ctx, String id) {
        return store.read(tx -> visible(tx, ctx, id, false));
    }

    public List<FloatingIp> list(RequestContext ctx) {
        return store.read(tx -> tx.floatingIps().list(ctx.isAdmin() ? null : ctx.projectId()));
    }

    /** The internal ports of associated floating IPs, for port_details. */
    public Map<String, Port> ports(List<FloatingIp> fips) {
        if (fips.stream().noneMatch(FloatingIp::associated)) return Map.of();
        return store.read(tx -> {
            Map<String, Port> out = new LinkedHashMap<>();
            for (FloatingIp f : fips) {
                if (f.associated() && !out.containsKey(f.portId())) tx.ports().get(f.portId()).ifPresent(p -> out.put(p.id(), p));
            }
            return out;
        });
    }

    public FloatingIp update(RequestContext ctx, String id, Map<String, Object> body, Long ifRevision) {
        return store.write(tx -> {
            Policy.requireWrite(ctx, "update_floatingip");
            for (String k : body.keySet()) {
                if (READ_ONLY.contains(k)) throw NeutronException.badRequest("Cannot update read-only attribute " + k);
            }
            Attributes a = Attributes.of(body, UPDATE);
            FloatingIp f = visible(tx, ctx, id, true);
            StandardAttributes.checkRevision(ifRevision, f.revision());
            String portId = a.string("port_id", null);
            String fixedIp = a.string("fixed_ip_address", null);
            if (fixedIp != null && portId == null) {
                throw L3Errors.badRequest("floatingip", "fixed_ip_address cannot be specified without a port_id");
            }
            Instant now = now();
            FloatingIp u = new FloatingIp(f.id(), f.projectId(), a.text("description", f.description(), StandardAttributes.MAX_DESCRIPTION),
                    f.floatingNetworkId(), f.floatingIpAddress(), f.floatingPortId(), f.portId(), f.fixedIpAddress(),
                    f.routerId(), f.status(), f.tags(), f.createdAt(), now, f.revision() + 1);
            if (a.has("port_id")) u = portId == null ? disassociated(u, now, u.revision()) : associate(tx, ctx, u, portId, fixedIp);
            if (!tx.floatingIps().tryUpdate(u)) throw alreadyAssociated(u);
            PlanChanges.floatingIp(tx, f, u);
            return u;
        });
    }

    public void delete(RequestContext ctx, String id, Long ifRevision) {
        store.write(tx -> {
            Policy.requireWrite(ctx, "delete_floatingip");
            FloatingIp f = visible(tx, ctx, id, true);
            StandardAttributes.checkRevision(ifRevision, f.revision());
            tx.floatingIps().delete(id);
            PlanChanges.floatingIp(tx, f, null);
            L3Access.deletePort(tx, f.floatingPortId());
            return null;
        });
    }

    public FloatingIp updateTags(RequestContext ctx, String id, UnaryOperator<List<String>> change) {
        return store.write(tx -> {
            Policy.requireWrite(ctx, "update_floatingip:tags");
            FloatingIp f = visible(tx, ctx, id, true);
            List<String> tags = change.apply(f.tags());
            if (tags.equals(f.tags())) return f;
            FloatingIp u = f.withTags(tags, now());
            tx.floatingIps().tryUpdate(u);
            return u;
        });
    }

    /** The floating IP without its association, as a visible change (its revision moves). */
    static FloatingIp disassociated(FloatingIp f, Instant now) {
        return disassociated(f, now, f.revision() + 1);
    }

    private static FloatingIp disassociated(FloatingIp f, Instant now, long revision) {
        return new FloatingIp(f.id(), f.projectId(), f.description(), f.floatingNetworkId(), f.floatingIpAddress(),
                f.floatingPortId(), null, null, null, FloatingIp.DOWN, f.tags(), f.createdAt(), now, revision);
    }

    /**
     * Maps the floating IP to a fixed IPv4 address of the port. The port must be the floating IP's project's
     * (admin excepted), and some router must have its gateway on the floating IP's network and an interface
     * on the fixed IP's subnet. That router's row is locked, so removing its interface or gateway waits for us
     * and then sees this association.
     */
    private static FloatingIp associate(Tx tx, RequestContext ctx, FloatingIp f, String portId, String requestedFixedIp) {
        Port port = L3Access.lockedPort(tx, ctx, portId);
        if (!ctx.isAdmin() && !port.projectId().equals(f.projectId())) {
            throw L3Errors.badRequest("floatingip", "Cannot process floating IP association with Port " + portId
                    + ", since that port is owned by a different project");
        }
        if (Port.DHCP_OWNER.equals(port.deviceOwner())) {
            throw L3Errors.badRequest("floatingip", "Port " + portId + " is unable to be assigned a floating IP");
        }
        FixedIp internal = FloatingIpRules.internalAddress(port, requestedFixedIp);
        Subnet subnet = tx.subnets().get(internal.subnetId()).orElseThrow(() -> NeutronException.subnetNotFound(internal.subnetId()));
        String routerId = lockRouterBetween(tx, f.floatingNetworkId(), subnet, portId);
        for (FloatingIp other : tx.floatingIps().onPort(portId)) {
            if (!other.id().equals(f.id()) && other.floatingNetworkId().equals(f.floatingNetworkId())
                    && internal.ipAddress().equals(other.fixedIpAddress())) {
                throw L3Errors.alreadyAssociated(f.floatingIpAddress(), f.id(), portId, internal.ipAddress(), f.floatingNetworkId());
            }
        }
        return new FloatingIp(f.id(), f.projectId(), f.description(), f.floatingNetworkId(), f.floatingIpAddress(),
                f.floatingPortId(), portId, internal.ipAddress(), routerId, FloatingIp.ACTIVE, f.tags(), f.createdAt(),
                f.updatedAt(), f.revision());
    }

    private static String lockRouterBetween(Tx tx, String externalNetworkId, Subnet subnet, String portId) {
        for (int i = 0; i < ROUTER_ATTEMPTS; i++) {
            Optional<String> picked = FloatingIpRules.pickRouter(tx.routers().hops(externalNetworkId, subnet.id()), subnet.gatewayIp());
            if (picked.isEmpty()) break;
            tx.routers().lock(picked.get());
            List<Hop> now = tx.routers().hops(externalNetworkId, subnet.id());
            if (picked.equals(FloatingIpRules.pickRouter(now, subnet.gatewayIp()))) return picked.get();
        }
        throw L3Errors.noRouteToExternal(subnet.id(), externalNetworkId, portId);
    }

    private static NeutronException alreadyAssociated(FloatingIp f) {
        return L3Errors.alreadyAssociated(f.floatingIpAddress(), f.id(), f.portId(), f.fixedIpAddress(), f.floatingNetworkId());
    }

    /** The floating IP if it is the caller's project's (or the caller is admin); 404 otherwise. */
    private static FloatingIp visible(Tx tx, RequestContext ctx, String id, boolean lock) {
        FloatingIp f = (lock ? tx.floatingIps().lock(id) : tx.floatingIps().get(id)).orElseThrow(() -> L3Errors.floatingIpNotFound(id));
        if (!Policy.owns(ctx, f.projectId())) throw L3Errors.floatingIpNotFound(id);
        return f;
    }

    private Instant now() { return StandardAttributes.now(clock); }
}
