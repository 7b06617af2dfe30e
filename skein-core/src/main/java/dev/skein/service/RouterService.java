package dev.skein.service;

import dev.skein.attr.Attributes;
import dev.skein.error.NeutronException;
import dev.skein.ipam.IpAddresses;
import dev.skein.ipam.IpAddresses.Ip;
import dev.skein.ipam.IpAddresses.Prefix;
import dev.skein.l3.ExtraRoutes;
import dev.skein.l3.L3Errors;
import dev.skein.l3.RouterSubnets;
import dev.skein.model.FixedIp;
import dev.skein.model.FloatingIp;
import dev.skein.model.HostRoute;
import dev.skein.model.Network;
import dev.skein.model.Port;
import dev.skein.model.Router;
import dev.skein.model.Subnet;
import dev.skein.policy.Policy;
import dev.skein.policy.RequestContext;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Routers: their gateway on an external network, their interfaces on internal subnets, and extra routes. The
 * ports they need are made through {@link PortService} in the same transaction, so IPAM rules apply unchanged.
 */
public final class RouterService {
    static final Set<String> CREATE = Set.of("name", "description", "admin_state_up", "external_gateway_info",
            "distributed", "ha", "project_id", "tenant_id", "tags", "availability_zone_hints", "routes");
    static final Set<String> UPDATE = Set.of("name", "description", "admin_state_up", "external_gateway_info",
            "routes", "distributed", "ha");
    private static final Set<String> READ_ONLY = Set.of("id", "status", "project_id", "tenant_id");
    private static final Set<String> GATEWAY_KEYS = Set.of("network_id", "enable_snat", "external_fixed_ips");
    private static final Pattern UUID_TEXT = Pattern.compile("[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}");
    /** Neutron's enable_snat_by_default. */
    private static final boolean SNAT_BY_DEFAULT = true;

    private final Store store;
    private final PortService ports;
    private final Clock clock;
    private final QuotaService quotas;
    private final RouterPlacement placement;

    public RouterService(Store store, PortService ports, Clock clock, QuotaService quotas, RouterPlacement placement) {
        this.store = store;
        this.ports = ports;
        this.clock = clock;
        this.quotas = quotas;
        this.placement = placement;
    }

    /** What add_router_interface and remove_router_interface answer. */
    public record InterfaceInfo(String routerId, String projectId, String portId, String networkId, List<String> subnetIds) {}

    public Router create(RequestContext ctx, Map<String, Object> body) {
        return store.write(tx -> {
            quotas.charge(tx, NetworkService.charges(ctx, List.of(body), CREATE, "create_router", "router"));
            return create(tx, ctx, body);
        });
    }

    public List<Router> createBulk(RequestContext ctx, List<Map<String, Object>> bodies) {
        return store.write(tx -> {
            quotas.charge(tx, NetworkService.charges(ctx, bodies, CREATE, "create_router", "router"));
            List<Router> out = new ArrayList<>(bodies.size());
            for (Map<String, Object> b : bodies) out.add(create(tx, ctx, b));
            return out;
        });
    }

    private Router create(Tx tx, RequestContext ctx, Map<String, Object> body) {
        Policy.requireWrite(ctx, "create_router");
        Attributes a = Attributes.of(body, CREATE);
        if (a.has("routes")) throw NeutronException.badRequest("Attribute 'routes' not allowed in POST");
        String project = Policy.owningProject(ctx, NetworkService.projectAttr(a), "create_router");
        List<String> zoneHints = a.stringList("availability_zone_hints");
        if (zoneHints != null && !zoneHints.isEmpty()) {
            throw NeutronException.invalidInput("availability zones are not supported: " + zoneHints);
        }
        Boolean distributed = adminFlag(ctx, a, "distributed", "create_router");
        Boolean ha = adminFlag(ctx, a, "ha", "create_router");
        GatewayRequest gw = gatewayRequest(ctx, a, "create_router");
        Instant now = now();
        Router r = new Router(UUID.randomUUID().toString(), project, a.text("name", "", StandardAttributes.MAX_NAME),
                a.text("description", "", StandardAttributes.MAX_DESCRIPTION), a.bool("admin_state_up", true), "ACTIVE",
                null, SNAT_BY_DEFAULT, List.of(), Boolean.TRUE.equals(distributed), Boolean.TRUE.equals(ha),
                a.has("tags") ? StandardAttributes.tags(a.stringList("tags")) : List.of(), now, now, 1);
        tx.routers().insert(r);
        if (gw != null) {
            r = applyGateway(tx, ctx, r, gw);
            placement.settle(tx, r.id(), "");
        }
        PlanChanges.router(tx, null, r);
        return withGatewayIps(tx, r);
    }

    public Router get(RequestContext ctx, String id) {
        return store.read(tx -> withGatewayIps(tx, visible(tx, ctx, id, false)));
    }

    public List<Router> list(RequestContext ctx) {
        return store.read(tx -> {
            List<Router> routers = tx.routers().list(ctx.isAdmin() ? null : ctx.projectId());
            List<String> gwPorts = routers.stream().filter(r -> r.gateway() != null).map(r -> r.gateway().portId()).toList();
            Map<String, List<FixedIp>> ips = tx.ipAllocations().ofPorts(gwPorts);
            return routers.stream().map(r -> r.gateway() == null ? r
                    : r.withGateway(r.gateway().withFixedIps(ips.getOrDefault(r.gateway().portId(), List.of())), r.enableSnat())).toList();
        });
    }

    public Router update(RequestContext ctx, String id, Map<String, Object> body, Long ifRevision) {
        return store.write(tx -> update(tx, ctx, id, body, ifRevision));
    }

    private Router update(Tx tx, RequestContext ctx, String id, Map<String, Object> body, Long ifRevision) {
        Policy.requireWrite(ctx, "update_router");
        for (String k : body.keySet()) {
            if (READ_ONLY.contains(k)) throw NeutronException.badRequest("Cannot update read-only attribute " + k);
        }
        Attributes a = Attributes.of(body, UPDATE);
        Router r = visible(tx, ctx, id, true);
        StandardAttributes.checkRevision(ifRevision, r.revision());
        Boolean distributed = adminFlag(ctx, a, "distributed", "update_router");
        Boolean ha = adminFlag(ctx, a, "ha", "update_router");
        requireDownToChange(r, "distributed", r.distributed(), distributed);
        requireDownToChange(r, "ha", r.ha(), ha);
        GatewayRequest gw = a.has("external_gateway_info") ? gatewayRequest(ctx, a, "update_router") : null;

        Router u = new Router(r.id(), r.projectId(), a.text("name", r.name(), StandardAttributes.MAX_NAME),
                a.text("description", r.description(), StandardAttributes.MAX_DESCRIPTION),
                a.bool("admin_state_up", r.adminStateUp()), r.status(), r.gateway(), r.enableSnat(), r.routes(),
                distributed == null ? r.distributed() : distributed, ha == null ? r.ha() : ha, r.tags(),
                r.createdAt(), now(), r.revision() + 1);
        if (a.has("routes")) {
            List<HostRoute> routes = ExtraRoutes.parse(a.objectList("routes"));
            requireRoutesReachable(tx, u, routes, u.gateway() == null ? null : u.gateway().networkId());
            u = u.withRoutes(routes);
        }
        tx.routers().update(u);
        if (a.has("external_gateway_info")) {
            String host = placement.hostOf(tx, u.id());
            u = applyGateway(tx, ctx, u, gw);
            placement.settle(tx, u.id(), host);
        }
        PlanChanges.router(tx, r, u);
        return withGatewayIps(tx, u);
    }

    public void delete(RequestContext ctx, String id, Long ifRevision) {
        store.write(tx -> {
            Policy.requireWrite(ctx, "delete_router");
            Router r = visible(tx, ctx, id, true);
            StandardAttributes.checkRevision(ifRevision, r.revision());
            List<String> interfaces = tx.routers().interfacePorts(id);
            if (!interfaces.isEmpty()) {
                throw L3Errors.routerInUse(id, "has ports still attached: " + String.join(", ", interfaces));
            }
            removeGateway(tx, r);
            tx.routers().delete(id);
            return null;
        });
    }

    public Router updateTags(RequestContext ctx, String id, UnaryOperator<List<String>> change) {
        return store.write(tx -> {
            Policy.requireWrite(ctx, "update_router:tags");
            Router r = visible(tx, ctx, id, true);
            List<String> tags = change.apply(r.tags());
            if (tags.equals(r.tags())) return withGatewayIps(tx, r);
            Router u = r.withTags(tags, now());
            tx.routers().update(u);
            return withGatewayIps(tx, u);
        });
    }

    public InterfaceInfo addInterface(RequestContext ctx, String id, Map<String, Object> body) {
        return store.write(tx -> {
            Policy.requireWrite(ctx, "add_router_interface");
            String portId = idField(body, "port_id"), subnetId = idField(body, "subnet_id");
            if (portId == null && subnetId == null) throw L3Errors.badRequest("router", "Either subnet_id or port_id must be specified");
            if (portId != null && subnetId != null) throw L3Errors.badRequest("router", "Cannot specify both subnet-id and port-id");
            Router r = visible(tx, ctx, id, true);
            Instant now = now();
            String host = placement.hostOf(tx, r.id());
            InterfaceInfo info = portId != null ? attachPort(tx, ctx, r, portId, now) : attachSubnet(tx, ctx, r, subnetId, now);
            placement.settle(tx, r.id(), host);
            tx.routers().update(r.touched(now));
            PlanChanges.routerInterface(tx, r.id(), info.networkId());
            return info;
        });
    }

    public InterfaceInfo removeInterface(RequestContext ctx, String id, Map<String, Object> body) {
        return store.write(tx -> {
            Policy.requireWrite(ctx, "remove_router_interface");
            String portId = idField(body, "port_id"), subnetId = idField(body, "subnet_id");
            if (portId == null && subnetId == null) throw L3Errors.badRequest("router", "Either subnet_id or port_id must be specified");
            Router r = visible(tx, ctx, id, true);
            Instant now = now();
            InterfaceInfo info = portId != null ? detachPort(tx, r, portId, subnetId) : detachSubnet(tx, ctx, r, subnetId, now);
            tx.routers().update(r.touched(now));
            PlanChanges.routerInterface(tx, r.id(), info.networkId());
            return info;
        });
    }

    /** extraroute-atomic: adds routes to the current set in one step, so concurrent editors do not lose each other's. */
    public Router addExtraRoutes(RequestContext ctx, String id, Map<String, Object> body) {
        return changeRoutes(ctx, id, body, "add_extraroutes", ExtraRoutes::plus);
    }

    public Router removeExtraRoutes(RequestContext ctx, String id, Map<String, Object> body) {
        return changeRoutes(ctx, id, body, "remove_extraroutes", ExtraRoutes::minus);
    }

    private Router changeRoutes(RequestContext ctx, String id, Map<String, Object> body, String action,
                                BinaryOperator<List<HostRoute>> op) {
        return store.write(tx -> {
            Policy.requireWrite(ctx, action);
            if (!(body.get("router") instanceof Map<?, ?> m) || body.size() != 1 || !m.containsKey("routes") || m.size() != 1) {
                throw NeutronException.badRequest("Expected a body of the form {\"router\": {\"routes\": [...]}}");
            }
            @SuppressWarnings("unchecked")
            Attributes a = Attributes.of((Map<String, Object>) m, Set.of("routes"));
            List<HostRoute> given = ExtraRoutes.parse(a.objectList("routes"));
            Router r = visible(tx, ctx, id, true);
            List<HostRoute> routes = op.apply(r.routes(), given);
            requireRoutesReachable(tx, r, routes, r.gateway() == null ? null : r.gateway().networkId());
            Router u = r.withRoutes(routes).touched(now());
            tx.routers().update(u);
            PlanChanges.router(tx, r, u);
            return withGatewayIps(tx, u);
        });
    }

    /** external_gateway_info as asked for; network null means "no gateway". */
    private record GatewayRequest(String networkId, Boolean enableSnat, List<Map<String, Object>> fixedIps) {}

    private static GatewayRequest gatewayRequest(RequestContext ctx, Attributes a, String action) {
        if (!a.has("external_gateway_info")) return null;
        Map<String, Object> info = a.object("external_gateway_info");
        if (info == null || info.isEmpty()) return new GatewayRequest(null, null, null);
        Attributes g;
        try {
            g = Attributes.of(info, GATEWAY_KEYS);
        } catch (NeutronException e) {
            throw NeutronException.invalidAttribute("external_gateway_info", "it takes only network_id, enable_snat and "
                    + "external_fixed_ips, not " + info.keySet());
        }
        String network = g.string("network_id", null);
        if (network == null) {
            throw NeutronException.invalidAttribute("external_gateway_info", "network_id is required, got only " + info.keySet());
        }
        Boolean snat = null;
        if (g.has("enable_snat")) {
            Policy.requireAdmin(ctx, action + ":external_gateway_info:enable_snat");
            snat = g.bool("enable_snat", SNAT_BY_DEFAULT);
        }
        List<Map<String, Object>> ips = null;
        if (g.has("external_fixed_ips")) {
            Policy.requireAdmin(ctx, action + ":external_gateway_info:external_fixed_ips");
            ips = g.objectList("external_fixed_ips");
        }
        return new GatewayRequest(network, snat, ips);
    }

    /**
     * Neutron's gateway update: a new network replaces the gateway port (refused while floating IPs rely on the
     * old one), asked-for external IPs on the same network re-address it, and enable_snat is reset to the default
     * whenever it is not given.
     */
    private Router applyGateway(Tx tx, RequestContext ctx, Router r, GatewayRequest req) {
        boolean snat = req.enableSnat() != null ? req.enableSnat() : SNAT_BY_DEFAULT;
        List<Map<String, Object>> ips = req.fixedIps() == null ? List.of() : req.fixedIps();
        if (req.networkId() != null) {
            Network net = NetworkService.visible(tx, ctx, req.networkId());
            if (!net.external()) throw L3Errors.badRequest("router", "Network " + net.id() + " is not an external network");
            List<Subnet> extSubnets = tx.subnets().onNetwork(net.id());
            for (Map<String, Object> ip : ips) {
                for (Subnet s : extSubnets) {
                    if (s.gatewayIp() != null && Objects.equals(normalised(ip.get("ip_address")), s.gatewayIp())) {
                        throw L3Errors.badRequest("router", "External IP " + s.gatewayIp() + " is the same as the gateway IP");
                    }
                }
            }
            if (!r.routes().isEmpty()) requireRoutesReachable(tx, r, r.routes(), net.id());
        } else if (!r.routes().isEmpty() && r.gateway() != null) {
            requireRoutesReachable(tx, r, r.routes(), null);
        }
        Router.Gateway current = r.gateway();
        boolean sameNetwork = current != null && current.networkId().equals(req.networkId());
        if (sameNetwork && !ips.isEmpty() && addressesChange(tx, current, ips)) {
            // Re-addressing the gateway replaces its port: the router keeps its network and floating IPs.
            Router cleared = r.withGateway(null, snat);
            tx.routers().update(cleared);
            L3Access.deletePort(tx, current.portId());
            return attachGateway(tx, cleared, current.networkId(), ips, snat);
        }
        if (sameNetwork) {
            Router u = r.withGateway(current, snat);
            tx.routers().update(u);
            return u;
        }
        Router cleared = removeGateway(tx, r).withGateway(null, snat);
        tx.routers().update(cleared);
        return req.networkId() == null ? cleared : attachGateway(tx, cleared, req.networkId(), ips, snat);
    }

    private Router attachGateway(Tx tx, Router r, String networkId, List<Map<String, Object>> ips, boolean snat) {
        RouterSubnets.requireDistinct(interfaceSubnets(tx, r.id()), tx.subnets().onNetwork(networkId));
        Map<String, Object> port = new LinkedHashMap<>();
        port.put("project_id", "");
        port.put("network_id", networkId);
        port.put("admin_state_up", true);
        port.put("device_id", r.id());
        port.put("device_owner", Router.GATEWAY_OWNER);
        port.put("name", "");
        if (!ips.isEmpty()) port.put("fixed_ips", ips);
        Port p = ports.create(tx, RequestContext.system(), port);
        Router u = r.withGateway(new Router.Gateway(p.id(), networkId, p.fixedIps()), snat);
        tx.routers().update(u);
        return u;
    }

    /** Drops the gateway port; floating IPs reached through this router need it, so they forbid this. */
    private static Router removeGateway(Tx tx, Router r) {
        if (r.gateway() == null) return r;
        if (!tx.floatingIps().viaRouter(r.id()).isEmpty()) throw L3Errors.gatewayInUseByFloatingIp(r.id(), r.gateway().networkId());
        Router u = r.withGateway(null, r.enableSnat());
        tx.routers().update(u);
        L3Access.deletePort(tx, r.gateway().portId());
        return u;
    }

    private static boolean addressesChange(Tx tx, Router.Gateway gw, List<Map<String, Object>> requested) {
        List<FixedIp> have = tx.ipAllocations().ofPort(gw.portId());
        Set<String> haveSubnets = new HashSet<>(), haveIps = new HashSet<>(), wantSubnets = new HashSet<>(), wantIps = new HashSet<>();
        for (FixedIp f : have) {
            haveSubnets.add(f.subnetId());
            haveIps.add(f.ipAddress());
        }
        for (Map<String, Object> m : requested) {
            if (m.get("subnet_id") instanceof String s) wantSubnets.add(s);
            String ip = normalised(m.get("ip_address"));
            if (ip != null) wantIps.add(ip);
        }
        return !haveSubnets.equals(wantSubnets) || !haveIps.equals(wantIps);
    }

    private static String normalised(Object ip) {
        if (!(ip instanceof String s)) return null;
        Ip parsed = IpAddresses.parse(s);
        return parsed == null ? s : parsed.text();
    }

    private InterfaceInfo attachPort(Tx tx, RequestContext ctx, Router r, String portId, Instant now) {
        Port p = L3Access.lockedPort(tx, ctx, portId);
        if (!p.deviceId().isEmpty()) throw L3Errors.portInUse(p.networkId(), p.id(), p.deviceId());
        Map<String, Subnet> subnets = subnetsOf(tx, p.fixedIps());
        RouterSubnets.requireUsableInterfacePort(p.fixedIps(), subnets);
        for (Subnet s : subnets.values()) RouterSubnets.requireRoutable(s);
        if (RouterSubnets.hasIpv6(p.fixedIps())) requireOneIpv6PortOn(tx, r, p.networkId());
        RouterSubnets.requireDistinct(connectedSubnets(tx, r), subnets.values());
        if (!ctx.isAdmin()) RouterSubnets.requireInPoolsOrOwner(p.id(), p.fixedIps(), subnets, ctx.projectId());
        tx.ports().tryUpdate(p.withDevice(r.id(), Router.INTERFACE_OWNER, now));
        PlanChanges.port(tx, p, p.withDevice(r.id(), Router.INTERFACE_OWNER, now));
        tx.routers().attach(r.id(), p.id());
        return new InterfaceInfo(r.id(), p.projectId(), p.id(), p.networkId(), subnetIdsOf(p.fixedIps()));
    }

    private InterfaceInfo attachSubnet(Tx tx, RequestContext ctx, Router r, String subnetId, Instant now) {
        Subnet s = L3Access.visibleSubnet(tx, ctx, subnetId);
        if (s.gatewayIp() == null) throw L3Errors.badRequest("router", "Subnet for router interface must have a gateway IP");
        if (!ctx.isAdmin() && !s.projectId().equals(ctx.projectId())) {
            throw L3Errors.badRequest("router", "Cannot add interface to router because subnet " + s.id()
                    + " is not owned by project making the request");
        }
        RouterSubnets.requireRoutable(s);
        RouterSubnets.requireDistinct(connectedSubnets(tx, r), List.of(s));
        if (s.ipVersion() == 6) {
            // One IPv6 interface per network carries every IPv6 prefix of that network (Neutron's multi-prefix port).
            for (Port p : interfacePorts(tx, r.id())) {
                if (p.networkId().equals(s.networkId()) && RouterSubnets.hasIpv6(p.fixedIps())) {
                    Ip gw = IpAddresses.parse(s.gatewayIp());
                    if (!tx.ipAllocations().tryClaim(p.id(), s.id(), s.networkId(), gw.text(), gw.value())) {
                        throw NeutronException.conflict("IpAddressAlreadyAllocated",
                                "IP address " + gw.text() + " already allocated in subnet " + s.id());
                    }
                    tx.ports().tryUpdate(p.withDevice(p.deviceId(), p.deviceOwner(), now));
                    return new InterfaceInfo(r.id(), p.projectId(), p.id(), p.networkId(), List.of(s.id()));
                }
            }
        }
        Map<String, Object> port = new LinkedHashMap<>();
        port.put("project_id", r.projectId());
        port.put("network_id", s.networkId());
        port.put("fixed_ips", List.of(Map.of("subnet_id", s.id(), "ip_address", s.gatewayIp())));
        port.put("admin_state_up", true);
        port.put("device_id", r.id());
        port.put("device_owner", Router.INTERFACE_OWNER);
        port.put("name", "");
        Port p = ports.create(tx, RequestContext.system(), port);
        tx.routers().attach(r.id(), p.id());
        return new InterfaceInfo(r.id(), p.projectId(), p.id(), p.networkId(), subnetIdsOf(p.fixedIps()));
    }

    private static InterfaceInfo detachPort(Tx tx, Router r, String portId, String subnetId) {
        if (!tx.routers().routerOfInterface(portId).map(r.id()::equals).orElse(false)) throw L3Errors.interfaceNotFound(r.id(), portId);
        Port p = tx.ports().lock(portId).orElseThrow(() -> L3Errors.interfaceNotFound(r.id(), portId));
        List<FixedIp> ips = tx.ipAllocations().ofPort(portId);
        List<String> subnetIds = subnetIdsOf(ips);
        if (subnetId != null && !subnetIds.contains(subnetId)) {
            throw new NeutronException(400, "SubnetMismatchForPort", "Subnet on port " + portId
                    + " does not match the requested subnet " + subnetId + ".");
        }
        for (String sid : subnetIds) tx.subnets().get(sid).ifPresent(s -> requireNotInUse(tx, r, s));
        tx.routers().detach(portId);
        L3Access.deletePort(tx, portId);
        return new InterfaceInfo(r.id(), p.projectId(), p.id(), p.networkId(), subnetIds);
    }

    private static InterfaceInfo detachSubnet(Tx tx, RequestContext ctx, Router r, String subnetId, Instant now) {
        Subnet s = L3Access.visibleSubnet(tx, ctx, subnetId);
        List<Port> onNetwork = interfacePorts(tx, r.id()).stream().filter(p -> p.networkId().equals(s.networkId())).toList();
        if (!onNetwork.isEmpty()) requireNotInUse(tx, r, s);
        for (Port p : onNetwork) {
            List<String> subnetIds = subnetIdsOf(p.fixedIps());
            if (!subnetIds.contains(subnetId)) continue;
            if (subnetIds.size() > 1) {
                for (FixedIp f : p.fixedIps()) {
                    if (f.subnetId().equals(subnetId)) tx.ipAllocations().release(p.id(), f.subnetId(), f.ipAddress());
                }
                tx.ports().tryUpdate(p.withDevice(p.deviceId(), p.deviceOwner(), now));
            } else {
                tx.routers().detach(p.id());
                L3Access.deletePort(tx, p.id());
            }
            return new InterfaceInfo(r.id(), p.projectId(), p.id(), p.networkId(), List.of(subnetId));
        }
        throw L3Errors.interfaceNotFoundForSubnet(r.id(), subnetId);
    }

    /** An interface stays while a floating IP or a route reaches through it. */
    private static void requireNotInUse(Tx tx, Router r, Subnet s) {
        Prefix cidr = IpAddresses.parsePrefix(s.cidr());
        for (FloatingIp f : tx.floatingIps().viaRouter(r.id())) {
            if (!cidr.contains(IpAddresses.parse(f.fixedIpAddress()))) continue;
            boolean onSubnet = tx.ipAllocations().ofPort(f.portId()).stream()
                    .anyMatch(ip -> ip.subnetId().equals(s.id()) && ip.ipAddress().equals(f.fixedIpAddress()));
            if (onSubnet) throw L3Errors.interfaceInUseByFloatingIp(r.id(), s.id());
        }
        if (ExtraRoutes.anyNexthopIn(r.routes(), cidr)) throw L3Errors.interfaceInUseByRoute(r.id(), s.id());
    }

    private static void requireOneIpv6PortOn(Tx tx, Router r, String networkId) {
        for (Port p : interfacePorts(tx, r.id())) {
            if (p.networkId().equals(networkId) && RouterSubnets.hasIpv6(p.fixedIps())) {
                throw L3Errors.badRequest("router", "Router already contains IPv6 port " + p.id() + " belonging to network id "
                        + networkId + ". Only one IPv6 port from the same network subnet can be connected to a router.");
            }
        }
    }

    /**
     * Routes must leave through a subnet the router is on: its interfaces' subnets and every subnet of the
     * external network it has (or is about to have) its gateway on.
     */
    private static void requireRoutesReachable(Tx tx, Router r, List<HostRoute> routes, String gatewayNetworkId) {
        List<Prefix> cidrs = new ArrayList<>();
        Set<String> routerIps = new HashSet<>();
        for (Port p : interfacePorts(tx, r.id())) {
            for (FixedIp f : p.fixedIps()) {
                routerIps.add(f.ipAddress());
                tx.subnets().get(f.subnetId()).ifPresent(s -> cidrs.add(IpAddresses.parsePrefix(s.cidr())));
            }
        }
        if (gatewayNetworkId != null) {
            for (Subnet s : tx.subnets().onNetwork(gatewayNetworkId)) cidrs.add(IpAddresses.parsePrefix(s.cidr()));
            if (r.gateway() != null && r.gateway().networkId().equals(gatewayNetworkId)) {
                for (FixedIp f : tx.ipAllocations().ofPort(r.gateway().portId())) routerIps.add(f.ipAddress());
            }
        }
        ExtraRoutes.requireReachable(routes, cidrs, routerIps);
    }

    private static List<Port> interfacePorts(Tx tx, String routerId) {
        List<String> ids = tx.routers().interfacePorts(routerId);
        Map<String, List<FixedIp>> ips = tx.ipAllocations().ofPorts(ids);
        List<Port> out = new ArrayList<>(ids.size());
        for (String id : ids) tx.ports().get(id).ifPresent(p -> out.add(p.withFixedIps(ips.getOrDefault(id, List.of()))));
        return out;
    }

    private static List<Subnet> interfaceSubnets(Tx tx, String routerId) {
        List<Subnet> out = new ArrayList<>();
        for (Port p : interfacePorts(tx, routerId)) out.addAll(subnetsOf(tx, p.fixedIps()).values());
        return out;
    }

    /** Every subnet the router is connected to: its interfaces' and all of its external network's. */
    private static List<Subnet> connectedSubnets(Tx tx, Router r) {
        List<Subnet> out = interfaceSubnets(tx, r.id());
        if (r.gateway() != null) out.addAll(tx.subnets().onNetwork(r.gateway().networkId()));
        return out;
    }

    private static Map<String, Subnet> subnetsOf(Tx tx, List<FixedIp> ips) {
        Map<String, Subnet> out = new LinkedHashMap<>();
        for (FixedIp f : ips) {
            if (!out.containsKey(f.subnetId())) tx.subnets().get(f.subnetId()).ifPresent(s -> out.put(s.id(), s));
        }
        return out;
    }

    private static List<String> subnetIdsOf(List<FixedIp> ips) {
        return ips.stream().map(FixedIp::subnetId).distinct().toList();
    }

    private static String idField(Map<String, Object> body, String key) {
        if (!body.containsKey(key)) return null;
        if (!(body.get(key) instanceof String s) || !UUID_TEXT.matcher(s).matches()) {
            throw L3Errors.badRequest("router", "'" + body.get(key) + "' is not a valid UUID");
        }
        return s;
    }

    /** distributed and ha: admin-only to set; null when the request leaves them alone. */
    private static Boolean adminFlag(RequestContext ctx, Attributes a, String key, String action) {
        if (!a.has(key) || a.isNull(key)) return null;
        Policy.requireAdmin(ctx, action + ":" + key);
        return a.bool(key, false);
    }

    /** Switching the HA or DVR mode of a router re-plumbs it, so Neutron wants it administratively down first. */
    private static void requireDownToChange(Router r, String key, boolean current, Boolean requested) {
        if (requested != null && requested != current && r.adminStateUp()) {
            throw L3Errors.badRequest("router", "Cannot change the '" + key + "' attribute of an active router. "
                    + "Please set router admin_state_up to False prior to changing it");
        }
    }

    /** The router if the caller may see it (its project's, or any for admin); 404 otherwise. */
    private static Router visible(Tx tx, RequestContext ctx, String id, boolean lock) {
        Router r = (lock ? tx.routers().lock(id) : tx.routers().get(id)).orElseThrow(() -> L3Errors.routerNotFound(id));
        if (!Policy.owns(ctx, r.projectId())) throw L3Errors.routerNotFound(id);
        return r;
    }

    private static Router withGatewayIps(Tx tx, Router r) {
        if (r.gateway() == null) return r;
        return r.withGateway(r.gateway().withFixedIps(tx.ipAllocations().ofPort(r.gateway().portId())), r.enableSnat());
    }

    private Instant now() { return StandardAttributes.now(clock); }
}
