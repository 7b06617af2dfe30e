package dev.skein.service;

import dev.skein.attr.Attributes;
import dev.skein.error.NeutronException;
import dev.skein.ipam.IpAddresses;
import dev.skein.ipam.IpAddresses.Ip;
import dev.skein.ipam.IpAddresses.Prefix;
import dev.skein.ipam.Range;
import dev.skein.ipam.SubnetPlanner;
import dev.skein.model.Network;
import dev.skein.model.Subnet;
import dev.skein.policy.Policy;
import dev.skein.policy.RequestContext;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

public final class SubnetService {
    static final Set<String> CREATE = Set.of("name", "description", "network_id", "ip_version", "cidr", "gateway_ip",
            "allocation_pools", "dns_nameservers", "host_routes", "enable_dhcp", "ipv6_ra_mode", "ipv6_address_mode",
            "project_id", "tenant_id", "tags", "subnetpool_id", "service_types", "segment_id");
    static final Set<String> UPDATE = Set.of("name", "description", "gateway_ip", "allocation_pools",
            "dns_nameservers", "host_routes", "enable_dhcp", "service_types");
    private static final Set<String> READ_ONLY = Set.of("network_id", "ip_version", "cidr", "ipv6_ra_mode",
            "ipv6_address_mode", "project_id", "tenant_id", "subnetpool_id", "segment_id", "id");

    private final Store store;
    private final Clock clock;
    private final QuotaService quotas;
    private final DhcpPorts dhcp;

    public SubnetService(Store store, Clock clock, QuotaService quotas, DhcpPorts dhcp) {
        this.store = store;
        this.clock = clock;
        this.quotas = quotas;
        this.dhcp = dhcp;
    }

    public Subnet create(RequestContext ctx, Map<String, Object> body) {
        return store.write(tx -> {
            quotas.charge(tx, NetworkService.charges(ctx, List.of(body), CREATE, "create_subnet", "subnet"));
            return create(tx, ctx, body);
        });
    }

    public List<Subnet> createBulk(RequestContext ctx, List<Map<String, Object>> bodies) {
        return store.write(tx -> {
            quotas.charge(tx, NetworkService.charges(ctx, bodies, CREATE, "create_subnet", "subnet"));
            List<Subnet> out = new ArrayList<>(bodies.size());
            for (Map<String, Object> b : bodies) out.add(create(tx, ctx, b));
            return out;
        });
    }

    private Subnet create(Tx tx, RequestContext ctx, Map<String, Object> body) {
        Policy.requireWrite(ctx, "create_subnet");
        Attributes a = Attributes.of(body, CREATE);
        rejectUnsupported(a);
        String networkId = a.string("network_id", null);
        if (networkId == null) throw NeutronException.badRequest("Failed to parse request. Required attribute 'network_id' not specified");
        Integer version = a.integer("ip_version");
        if (version == null) throw NeutronException.badRequest("Failed to parse request. Required attribute 'ip_version' not specified");
        if (version != 4 && version != 6) throw NeutronException.invalidAttribute("ip_version", "'" + version + "' is not in [4, 6]");
        String cidrText = a.string("cidr", null);
        if (cidrText == null) throw NeutronException.badRequest("A cidr must be specified in the absence of a subnet pool");
        Prefix cidr = SubnetPlanner.cidr(cidrText, version);
        String project = Policy.owningProject(ctx, NetworkService.projectAttr(a), "create_subnet");

        // The network row lock serialises subnet creation per network, so the overlap check below holds.
        Network net = NetworkService.owned(tx, ctx, networkId, true);
        for (Subnet other : tx.subnets().onNetwork(networkId)) {
            if (IpAddresses.parsePrefix(other.cidr()).overlaps(cidr)) {
                throw NeutronException.invalidInput("Requested subnet with cidr: " + cidr.canonical() + " for network: "
                        + networkId + " overlaps with another subnet");
            }
        }
        String raMode = a.string("ipv6_ra_mode", null), addrMode = a.string("ipv6_address_mode", null);
        SubnetPlanner.ipv6Modes(raMode, addrMode, cidr);

        Ip gateway = a.isNull("gateway_ip") ? null
                : a.has("gateway_ip") ? SubnetPlanner.gateway(a.string("gateway_ip", null), cidr)
                : SubnetPlanner.defaultGateway(cidr);
        List<Range> pools = a.has("allocation_pools") && !a.objectList("allocation_pools").isEmpty()
                ? SubnetPlanner.pools(a.objectList("allocation_pools"), cidr, gateway)
                : SubnetPlanner.defaultPools(cidr, gateway);
        Instant now = now();
        Subnet s = new Subnet(UUID.randomUUID().toString(), project, networkId,
                a.text("name", "", StandardAttributes.MAX_NAME), a.text("description", "", StandardAttributes.MAX_DESCRIPTION),
                version, cidr.canonical(), gateway == null ? null : gateway.text(), SubnetPlanner.toModel(version, pools),
                a.has("dns_nameservers") ? SubnetPlanner.dnsNameservers(nonNull(a.stringList("dns_nameservers")), version) : List.of(),
                a.has("host_routes") ? SubnetPlanner.hostRoutes(a.objectList("host_routes"), version) : List.of(),
                a.bool("enable_dhcp", true), raMode, addrMode,
                a.has("tags") ? StandardAttributes.tags(a.stringList("tags")) : List.of(), now, now, 1);
        tx.subnets().insert(s);
        tx.networks().update(net.touched(now));
        PlanChanges.subnet(tx, null, s);
        if (s.enableDhcp()) dhcp.reconcile(tx, net);
        return s;
    }

    public Subnet get(RequestContext ctx, String id) {
        return store.read(tx -> visible(tx, ctx, id));
    }

    public List<Subnet> list(RequestContext ctx) {
        return store.read(tx -> tx.subnets().list(ctx.isAdmin() ? null : ctx.projectId()));
    }

    public Subnet update(RequestContext ctx, String id, Map<String, Object> body, Long ifRevision) {
        return store.write(tx -> {
            Policy.requireWrite(ctx, "update_subnet");
            for (String k : body.keySet()) {
                if (READ_ONLY.contains(k)) throw NeutronException.badRequest("Cannot update read-only attribute " + k);
            }
            Attributes a = Attributes.of(body, UPDATE);
            rejectUnsupported(a);
            Network net = lockedNetwork(tx, ctx, id);
            Subnet s = owned(tx, ctx, id);
            StandardAttributes.checkRevision(ifRevision, s.revision());
            Prefix cidr = IpAddresses.parsePrefix(s.cidr());
            Ip gateway = s.gatewayIp() == null ? null : IpAddresses.parse(s.gatewayIp());
            if (a.has("gateway_ip")) {
                Ip newGw = a.isNull("gateway_ip") ? null : SubnetPlanner.gateway(a.string("gateway_ip", null), cidr);
                if (newGw != null && !newGw.equals(gateway)
                        && tx.ipAllocations().countInRange(id, newGw.value(), newGw.value()) > 0) {
                    throw NeutronException.conflict("GatewayIpInUse", "Current gateway ip " + newGw.text()
                            + " already in use by a port. Unable to update.");
                }
                gateway = newGw;
            }
            List<Range> pools = a.has("allocation_pools")
                    ? (a.objectList("allocation_pools").isEmpty() ? SubnetPlanner.defaultPools(cidr, gateway)
                        : SubnetPlanner.pools(a.objectList("allocation_pools"), cidr, gateway))
                    : SubnetPlanner.ranges(s);
            SubnetPlanner.requireGatewayOutside(pools, cidr, gateway);
            Subnet u = new Subnet(s.id(), s.projectId(), s.networkId(), a.text("name", s.name(), StandardAttributes.MAX_NAME),
                    a.text("description", s.description(), StandardAttributes.MAX_DESCRIPTION), s.ipVersion(), s.cidr(),
                    gateway == null ? null : gateway.text(), SubnetPlanner.toModel(s.ipVersion(), pools),
                    a.has("dns_nameservers") ? SubnetPlanner.dnsNameservers(nonNull(a.stringList("dns_nameservers")), s.ipVersion()) : s.dnsNameservers(),
                    a.has("host_routes") ? SubnetPlanner.hostRoutes(a.objectList("host_routes"), s.ipVersion()) : s.hostRoutes(),
                    a.bool("enable_dhcp", s.enableDhcp()), s.ipv6RaMode(), s.ipv6AddressMode(), s.tags(),
                    s.createdAt(), now(), s.revision() + 1);
            tx.subnets().update(u);
            PlanChanges.subnet(tx, s, u);
            if (u.enableDhcp() != s.enableDhcp()) dhcp.reconcile(tx, net);
            return u;
        });
    }

    public void delete(RequestContext ctx, String id, Long ifRevision) {
        store.write(tx -> {
            Policy.requireWrite(ctx, "delete_subnet");
            Network net = lockedNetwork(tx, ctx, id);
            Subnet s = owned(tx, ctx, id);
            StandardAttributes.checkRevision(ifRevision, s.revision());
            // As in Neutron, the DHCP port's address does not hold a subnet: it leaves with the subnet.
            if (tx.placements().allocationsBesidesDhcp(id) > 0) {
                throw NeutronException.conflict("SubnetInUse", "Unable to complete operation on subnet " + id
                        + ": One or more ports have an IP allocation from this subnet.");
            }
            dhcp.releaseSubnet(tx, s);
            tx.subnets().delete(id);
            PlanChanges.subnet(tx, s, null);
            tx.networks().update(net.touched(now()));
            dhcp.reconcile(tx, net);
            return null;
        });
    }

    public Subnet updateTags(RequestContext ctx, String id, UnaryOperator<List<String>> change) {
        return store.write(tx -> {
            Policy.requireWrite(ctx, "update_subnet:tags");
            Subnet s = owned(tx, ctx, id);
            List<String> tags = change.apply(s.tags());
            if (tags.equals(s.tags())) return s;
            Subnet u = s.withTags(tags, now());
            tx.subnets().update(u);
            return u;
        });
    }

    private static Subnet visible(Tx tx, RequestContext ctx, String id) {
        Subnet s = tx.subnets().get(id).orElseThrow(() -> NeutronException.subnetNotFound(id));
        if (Policy.owns(ctx, s.projectId())) return s;
        Network n = tx.networks().get(s.networkId()).orElseThrow(() -> NeutronException.subnetNotFound(id));
        if (!NetworkAccess.canSee(tx, ctx, n)) throw NeutronException.subnetNotFound(id);
        return s;
    }

    /**
     * The row lock of the subnet's network, taken before the subnet's own: subnet creates lock the network first,
     * and the network's DHCP port changes under that lock.
     */
    private static Network lockedNetwork(Tx tx, RequestContext ctx, String id) {
        String networkId = visible(tx, ctx, id).networkId();
        return tx.networks().lock(networkId).orElseThrow(() -> NeutronException.subnetNotFound(id));
    }

    private static Subnet owned(Tx tx, RequestContext ctx, String id) {
        visible(tx, ctx, id);
        Subnet s = tx.subnets().lock(id).orElseThrow(() -> NeutronException.subnetNotFound(id));
        if (!Policy.owns(ctx, s.projectId())) throw NeutronException.forbidden("update_subnet");
        return s;
    }

    private static void rejectUnsupported(Attributes a) {
        if (a.string("subnetpool_id", null) != null) throw NeutronException.badRequest("Subnet pools are not supported");
        if (a.string("segment_id", null) != null) throw NeutronException.badRequest("Routed network segments are not supported");
        List<String> st = a.stringList("service_types");
        if (st != null && !st.isEmpty()) throw NeutronException.badRequest("Subnet service types are not supported");
    }

    private static List<String> nonNull(List<String> l) { return l == null ? List.of() : l; }

    private Instant now() { return StandardAttributes.now(clock); }
}
