package dev.skein.service;

import dev.skein.attr.Attributes;
import dev.skein.error.NeutronException;
import dev.skein.ipam.Eui64;
import dev.skein.ipam.IpAddresses;
import dev.skein.ipam.IpAddresses.Ip;
import dev.skein.ipam.IpAddresses.Prefix;
import dev.skein.ipam.MacAddresses;
import dev.skein.ipam.RangeAllocator;
import dev.skein.ipam.SubnetPlanner;
import dev.skein.model.AddressPair;
import dev.skein.model.FixedIp;
import dev.skein.model.Network;
import dev.skein.model.Port;
import dev.skein.model.Subnet;
import dev.skein.policy.Policy;
import dev.skein.policy.RequestContext;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

public final class PortService {
    static final Set<String> CREATE = Set.of("name", "description", "network_id", "admin_state_up", "mac_address",
            "fixed_ips", "device_id", "device_owner", "binding:host_id", "binding:vnic_type", "allowed_address_pairs",
            "port_security_enabled", "security_groups", "project_id", "tenant_id", "tags");
    static final Set<String> UPDATE = Set.of("name", "description", "admin_state_up", "mac_address", "fixed_ips",
            "device_id", "device_owner", "binding:host_id", "binding:vnic_type", "allowed_address_pairs",
            "port_security_enabled", "security_groups");
    public static final int MAX_ADDRESS_PAIRS = 10;
    private static final int MAC_ATTEMPTS = 16;
    private static final Set<String> ROUTER_OWNERS = Set.of("network:router_interface", "network:router_gateway",
            "network:router_interface_distributed", "network:ha_router_replicated_interface");

    private final Store store;
    private final NetworkSettings settings;
    private final RangeAllocator allocator;
    private final Clock clock;
    private final QuotaService quotas;

    public PortService(Store store, NetworkSettings settings, RangeAllocator allocator, Clock clock, QuotaService quotas) {
        this.store = store;
        this.settings = settings;
        this.allocator = allocator;
        this.clock = clock;
        this.quotas = quotas;
    }

    public Port create(RequestContext ctx, Map<String, Object> body) {
        return store.write(tx -> {
            quotas.charge(tx, NetworkService.charges(ctx, List.of(body), CREATE, "create_port", "port"));
            return PortSecurityGroups.confirmed(tx, create(tx, ctx, body));
        });
    }

    public List<Port> createBulk(RequestContext ctx, List<Map<String, Object>> bodies) {
        return store.write(tx -> {
            quotas.charge(tx, NetworkService.charges(ctx, bodies, CREATE, "create_port", "port"));
            List<Port> out = new ArrayList<>(bodies.size());
            for (Map<String, Object> b : bodies) out.add(PortSecurityGroups.confirmed(tx, create(tx, ctx, b)));
            return out;
        });
    }

    /** Creates a port inside an open transaction, for services that make ports of their own (routers, floating IPs). */
    public Port create(Tx tx, RequestContext ctx, Map<String, Object> body) {
        Policy.requireWrite(ctx, "create_port");
        Attributes a = Attributes.of(body, CREATE);
        String networkId = a.string("network_id", null);
        if (networkId == null) throw NeutronException.badRequest("Failed to parse request. Required attribute 'network_id' not specified");
        Network net = tx.networks().get(networkId).orElseThrow(() -> NeutronException.networkNotFound(networkId));
        Set<String> grants = NetworkAccess.grants(tx, ctx, net);
        if (!Policy.canSee(ctx, net, grants)) throw NeutronException.networkNotFound(networkId);
        if (!Policy.canAttachTo(ctx, net, grants)) throw NeutronException.forbidden("create_port");
        boolean netOwner = Policy.owns(ctx, net.projectId());
        String project = Policy.owningProject(ctx, NetworkService.projectAttr(a), "create_port");
        if (a.has("binding:host_id")) Policy.requireAdmin(ctx, "create_port:binding:host_id");
        if (a.has("mac_address") && !netOwner) throw NeutronException.forbidden("create_port:mac_address");

        boolean portSecurity = a.bool("port_security_enabled", net.portSecurityEnabled());
        List<AddressPair> pairs = addressPairs(a, portSecurity);
        Instant now = now();
        String deviceOwner = a.text("device_owner", "", StandardAttributes.MAX_NAME);
        List<String> groups = PortSecurityGroups.forCreate(tx, a, project, deviceOwner, portSecurity, now);
        Port port = new Port(UUID.randomUUID().toString(), project, networkId,
                a.text("name", "", StandardAttributes.MAX_NAME), a.text("description", "", StandardAttributes.MAX_DESCRIPTION),
                a.bool("admin_state_up", true), null, List.of(), a.text("device_id", "", StandardAttributes.MAX_NAME),
                deviceOwner, a.text("binding:host_id", "", StandardAttributes.MAX_NAME), vnicType(a, "normal"),
                pairs, portSecurity, groups, "DOWN",
                a.has("tags") ? StandardAttributes.tags(a.stringList("tags")) : List.of(), now, now, 1);
        port = insertWithMac(tx, port, a.has("mac_address") ? MacAddresses.requireValid(a.string("mac_address", null)) : null);
        tx.securityGroups().addPortGroups(port.id(), groups);

        List<Subnet> subnets = tx.subnets().onNetwork(networkId);
        if (!a.has("fixed_ips")) return planned(tx, null, port.withFixedIps(allocateDefault(tx, port, subnets)));
        List<FixedIp> ips = new ArrayList<>(allocateRequested(tx, port, subnets, requestedIps(a.objectList("fixed_ips")), netOwner, List.of()));
        // Hosts configure SLAAC addresses themselves, so every non-router port has one on each such subnet.
        if (!ROUTER_OWNERS.contains(deviceOwner)) {
            for (Subnet s : subnets) {
                if (s.autoAddress() && ips.stream().noneMatch(f -> f.subnetId().equals(s.id()))) ips.add(claimEui64(tx, port, s));
            }
        }
        return planned(tx, null, port.withFixedIps(ips));
    }

    public Port get(RequestContext ctx, String id) {
        return store.read(tx -> loaded(tx, visible(tx, ctx, id)));
    }

    public List<Port> list(RequestContext ctx) {
        return store.read(tx -> {
            List<Port> ports = tx.ports().list(ctx.isAdmin() ? null : ctx.projectId(), null);
            Map<String, List<FixedIp>> ips = tx.ipAllocations().ofPorts(ports.stream().map(Port::id).toList());
            Map<String, List<String>> groups = tx.securityGroups().ofPorts(ports.stream().map(Port::id).toList());
            return ports.stream().map(p -> p.withFixedIps(ips.getOrDefault(p.id(), List.of()))
                    .withSecurityGroups(groups.getOrDefault(p.id(), List.of()))).toList();
        });
    }

    public Port update(RequestContext ctx, String id, Map<String, Object> body, Long ifRevision) {
        return store.write(tx -> {
            Policy.requireWrite(ctx, "update_port");
            if (body.containsKey("network_id")) throw NeutronException.badRequest("Cannot update read-only attribute network_id");
            Attributes a = Attributes.of(body, UPDATE);
            Port p = loaded(tx, owned(tx, ctx, id));
            StandardAttributes.checkRevision(ifRevision, p.revision());
            Network net = tx.networks().get(p.networkId()).orElseThrow(() -> NeutronException.networkNotFound(p.networkId()));
            boolean netOwner = Policy.owns(ctx, net.projectId());
            if (a.has("binding:host_id")) Policy.requireAdmin(ctx, "update_port:binding:host_id");

            boolean portSecurity = a.bool("port_security_enabled", p.portSecurityEnabled());
            List<AddressPair> pairs = a.has("allowed_address_pairs") ? addressPairs(a, portSecurity) : p.allowedAddressPairs();
            if (!portSecurity && !pairs.isEmpty()) throw addressPairsNeedPortSecurity();
            List<String> groups = PortSecurityGroups.forUpdate(tx, a, p,
                    a.text("device_owner", p.deviceOwner(), StandardAttributes.MAX_NAME), portSecurity);
            String mac = p.macAddress();
            if (a.has("mac_address")) {
                if (!netOwner) throw NeutronException.forbidden("update_port:mac_address");
                mac = MacAddresses.requireValid(a.string("mac_address", null));
                if (!mac.equals(p.macAddress()) && !p.hostId().isEmpty()) {
                    throw NeutronException.conflict("PortBound", "Unable to complete operation on port " + id
                            + ", port is already bound, port type: tap, old_mac " + p.macAddress() + ", new_mac " + mac + ".");
                }
            }
            Port u = new Port(p.id(), p.projectId(), p.networkId(), a.text("name", p.name(), StandardAttributes.MAX_NAME),
                    a.text("description", p.description(), StandardAttributes.MAX_DESCRIPTION),
                    a.bool("admin_state_up", p.adminStateUp()), mac, p.fixedIps(),
                    a.text("device_id", p.deviceId(), StandardAttributes.MAX_NAME),
                    a.text("device_owner", p.deviceOwner(), StandardAttributes.MAX_NAME),
                    a.text("binding:host_id", p.hostId(), StandardAttributes.MAX_NAME), vnicType(a, p.vnicType()),
                    pairs, portSecurity, groups, p.status(), p.tags(), p.createdAt(), now(), p.revision() + 1);
            // Only the agent of the new host can say the port is up there.
            if (!u.hostId().equals(p.hostId())) u = u.withStatus("DOWN");
            if (!tx.ports().tryUpdate(u)) throw macInUse(net.id(), mac);
            if (!groups.equals(p.securityGroups())) {
                tx.securityGroups().setPortGroups(id, groups);
                PortSecurityGroups.confirmed(tx, u);
            }

            List<Subnet> subnets = tx.subnets().onNetwork(p.networkId());
            boolean macChanged = !mac.equals(p.macAddress());
            if (a.has("fixed_ips") || macChanged) {
                List<Map<String, Object>> requested = a.has("fixed_ips") ? requestedIps(a.objectList("fixed_ips"))
                        : p.fixedIps().stream().map(f -> Map.<String, Object>of("subnet_id", f.subnetId(), "ip_address", f.ipAddress())).toList();
                List<FixedIp> kept = new ArrayList<>();
                List<Map<String, Object>> fresh = new ArrayList<>();
                matchExisting(p, requested, subnets, macChanged, kept, fresh);
                for (FixedIp old : p.fixedIps()) {
                    if (!kept.contains(old)) tx.ipAllocations().release(p.id(), old.subnetId(), old.ipAddress());
                }
                List<FixedIp> added = allocateRequested(tx, u, subnets, fresh, netOwner, kept);
                List<FixedIp> all = new ArrayList<>(kept);
                all.addAll(added);
                L3Integrity.requireFloatingIpsKept(tx, p.id(), all);
                return planned(tx, p, u.withFixedIps(all));
            }
            return planned(tx, p, u);
        });
    }

    public void delete(RequestContext ctx, String id, Long ifRevision) {
        store.write(tx -> {
            Policy.requireWrite(ctx, "delete_port");
            // Loaded: the groups it leaves and the addresses it takes away matter to other hosts' firewalls.
            Port p = loaded(tx, owned(tx, ctx, id));
            StandardAttributes.checkRevision(ifRevision, p.revision());
            L3Integrity.beforePortDelete(tx, ctx, p, now());
            tx.ipAllocations().releaseAll(id);
            tx.ports().delete(id);
            PlanChanges.port(tx, p, null);
            return null;
        });
    }

    public Port updateTags(RequestContext ctx, String id, UnaryOperator<List<String>> change) {
        return store.write(tx -> {
            Policy.requireWrite(ctx, "update_port:tags");
            Port p = owned(tx, ctx, id);
            List<String> tags = change.apply(p.tags());
            if (tags.equals(p.tags())) return loaded(tx, p);
            Port u = p.withTags(tags, now());
            tx.ports().tryUpdate(u);
            return loaded(tx, u);
        });
    }

    /** The port after a write, once the hosts whose plans the write changes are known to the transaction. */
    private static Port planned(Tx tx, Port before, Port after) {
        PlanChanges.port(tx, before, after);
        return after;
    }

    private Port insertWithMac(Tx tx, Port port, String requestedMac) {
        Random rnd = ThreadLocalRandom.current();
        for (int i = 0; i < MAC_ATTEMPTS; i++) {
            String mac = requestedMac != null ? requestedMac : MacAddresses.generate(settings.baseMac(), rnd);
            Port p = new Port(port.id(), port.projectId(), port.networkId(), port.name(), port.description(),
                    port.adminStateUp(), mac, List.of(), port.deviceId(), port.deviceOwner(), port.hostId(),
                    port.vnicType(), port.allowedAddressPairs(), port.portSecurityEnabled(), port.securityGroups(),
                    port.status(), port.tags(), port.createdAt(), port.updatedAt(), port.revision());
            if (tx.ports().tryInsert(p)) return p;
            if (requestedMac != null) throw macInUse(port.networkId(), mac);
        }
        throw new NeutronException(503, "MacAddressGenerationFailure",
                "Unable to generate unique mac on network " + port.networkId() + ".");
    }

    /** Without fixed_ips: one IPv4 address, one stateful IPv6 address, and an EUI-64 address on every SLAAC subnet. */
    private List<FixedIp> allocateDefault(Tx tx, Port port, List<Subnet> subnets) {
        List<FixedIp> out = new ArrayList<>();
        for (int version : new int[]{4, 6}) {
            List<Subnet> candidates = subnets.stream().filter(s -> s.ipVersion() == version && !s.autoAddress()).toList();
            if (candidates.isEmpty()) continue;
            FixedIp got = null;
            for (Subnet s : candidates) {
                Optional<FixedIp> ip = allocateFromPools(tx, port, s);
                if (ip.isPresent()) {
                    got = ip.get();
                    break;
                }
            }
            if (got == null) throw generationFailure(port.networkId());
            out.add(got);
        }
        for (Subnet s : subnets) if (s.autoAddress()) out.add(claimEui64(tx, port, s));
        return out;
    }

    /**
     * Claims one more address on the subnet for an existing port, as a create without an explicit address would:
     * EUI-64 on SLAAC subnets, otherwise from the allocation pools; empty when the pools are full. The caller
     * records the port's change (see {@link PlanChanges#port}).
     */
    public Optional<FixedIp> allocateOn(Tx tx, Port port, Subnet s) {
        return s.autoAddress() ? Optional.of(claimEui64(tx, port, s)) : allocateFromPools(tx, port, s);
    }

    private Optional<FixedIp> allocateFromPools(Tx tx, Port port, Subnet s) {
        return allocator.allocate(SubnetPlanner.ranges(s), new RangeAllocator.Claims() {
            public boolean tryClaim(BigInteger v) {
                return tx.ipAllocations().tryClaim(port.id(), s.id(), s.networkId(), IpAddresses.format(s.ipVersion(), v), v);
            }

            public long countClaimed(BigInteger first, BigInteger last) {
                return tx.ipAllocations().countInRange(s.id(), first, last);
            }
        }).map(v -> new FixedIp(s.id(), IpAddresses.format(s.ipVersion(), v)));
    }

    private FixedIp claimEui64(Tx tx, Port port, Subnet s) {
        BigInteger v = Eui64.address(IpAddresses.parsePrefix(s.cidr()), port.macAddress());
        String text = IpAddresses.format(6, v);
        if (!tx.ipAllocations().tryClaim(port.id(), s.id(), s.networkId(), text, v)) throw ipInUse(port.networkId(), text);
        return new FixedIp(s.id(), text);
    }

    private List<Map<String, Object>> requestedIps(List<Map<String, Object>> raw) {
        Set<String> addresses = new HashSet<>();
        for (Map<String, Object> m : raw) {
            Set<String> keys = new HashSet<>(m.keySet());
            keys.removeAll(Set.of("subnet_id", "ip_address"));
            if (!keys.isEmpty() || m.isEmpty()) {
                throw NeutronException.invalidAttribute("fixed_ips", "Invalid data format for fixed IP: '" + m + "'");
            }
            for (Object v : m.values()) {
                if (!(v instanceof String)) throw NeutronException.invalidAttribute("fixed_ips", "Invalid data format for fixed IP: '" + m + "'");
            }
            // Checked before anything is claimed, or the second claim would report the address as someone else's.
            Ip ip = IpAddresses.parse((String) m.get("ip_address"));
            if (ip != null && !addresses.add(ip.text())) {
                throw NeutronException.invalidAttribute("fixed_ips", "Duplicate IP address '" + m.get("ip_address") + "'");
            }
        }
        return raw;
    }

    /**
     * On update, a requested entry that names an address the port already has keeps it, and so does an entry
     * naming only a subnet the port already has an address on; everything else is allocated afresh. EUI-64
     * addresses follow the MAC, so a MAC change drops them and they are claimed again.
     */
    private static void matchExisting(Port p, List<Map<String, Object>> requested, List<Subnet> subnets, boolean macChanged,
                                      List<FixedIp> kept, List<Map<String, Object>> fresh) {
        List<FixedIp> remaining = new ArrayList<>(p.fixedIps());
        Set<String> auto = new HashSet<>();
        for (Subnet s : subnets) if (s.autoAddress()) auto.add(s.id());
        List<Map<String, Object>> subnetOnly = new ArrayList<>();
        for (Map<String, Object> r : requested) {
            String ip = (String) r.get("ip_address");
            if (ip == null) {
                subnetOnly.add(r);
                continue;
            }
            Ip parsed = IpAddresses.parse(ip);
            Optional<FixedIp> same = remaining.stream().filter(f -> parsed != null && f.ipAddress().equals(parsed.text())
                    && (r.get("subnet_id") == null || f.subnetId().equals(r.get("subnet_id")))).findFirst();
            if (same.isPresent() && !(macChanged && auto.contains(same.get().subnetId()))) {
                kept.add(same.get());
                remaining.remove(same.get());
            } else if (!(same.isPresent() && auto.contains(same.get().subnetId()))) {
                fresh.add(r);
            }
        }
        for (Map<String, Object> r : subnetOnly) {
            Optional<FixedIp> same = remaining.stream().filter(f -> f.subnetId().equals(r.get("subnet_id"))
                    && !(macChanged && auto.contains(f.subnetId()))).findFirst();
            if (same.isPresent()) {
                kept.add(same.get());
                remaining.remove(same.get());
            } else {
                fresh.add(r);
            }
        }
        for (FixedIp f : remaining) {
            if (auto.contains(f.subnetId()) && !macChanged) kept.add(f);
        }
        for (Subnet s : subnets) {
            boolean has = kept.stream().anyMatch(f -> f.subnetId().equals(s.id()))
                    || fresh.stream().anyMatch(r -> s.id().equals(r.get("subnet_id")));
            if (s.autoAddress() && !has) fresh.add(Map.of("subnet_id", s.id()));
        }
    }

    private List<FixedIp> allocateRequested(Tx tx, Port port, List<Subnet> subnets, List<Map<String, Object>> requested,
                                            boolean netOwner, List<FixedIp> already) {
        List<FixedIp> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (FixedIp f : already) seen.add(f.subnetId() + "/" + f.ipAddress());
        for (Map<String, Object> r : requested) {
            String subnetId = (String) r.get("subnet_id");
            String ipText = (String) r.get("ip_address");
            Ip ip = null;
            if (ipText != null) {
                ip = IpAddresses.parse(ipText);
                if (ip == null) throw NeutronException.invalidAttribute("fixed_ips", "'" + ipText + "' is not a valid IP address");
                if (!netOwner) throw NeutronException.forbidden("create_port:fixed_ips:ip_address");
            }
            Subnet subnet = subnetFor(port.networkId(), subnets, subnetId, ip);
            FixedIp got;
            if (ip == null) {
                got = subnet.autoAddress() ? claimEui64(tx, port, subnet)
                        : allocateFromPools(tx, port, subnet).orElseThrow(() -> generationFailure(port.networkId()));
            } else {
                got = claimSpecific(tx, port, subnet, ip);
            }
            if (!seen.add(got.subnetId() + "/" + got.ipAddress())) {
                throw NeutronException.invalidInput("Duplicate IP address '" + got.ipAddress() + "'");
            }
            out.add(got);
        }
        return out;
    }

    private static Subnet subnetFor(String networkId, List<Subnet> subnets, String subnetId, Ip ip) {
        if (subnetId != null) {
            Subnet s = subnets.stream().filter(x -> x.id().equals(subnetId)).findFirst().orElseThrow(() ->
                    NeutronException.invalidInput("Failed to create port on network " + networkId
                            + ", because fixed_ips included invalid subnet " + subnetId + "."));
            if (ip != null && !IpAddresses.parsePrefix(s.cidr()).contains(ip)) {
                throw new NeutronException(400, "InvalidIpForSubnet",
                        "IP address " + ip.text() + " is not a valid IP for the specified subnet.");
            }
            return s;
        }
        return subnets.stream().filter(s -> IpAddresses.parsePrefix(s.cidr()).contains(ip)).findFirst().orElseThrow(() ->
                new NeutronException(400, "InvalidIpForNetwork",
                        "IP address " + ip.text() + " is not a valid IP for any of the subnets on the specified network."));
    }

    private FixedIp claimSpecific(Tx tx, Port port, Subnet s, Ip ip) {
        Prefix cidr = IpAddresses.parsePrefix(s.cidr());
        // A router on a SLAAC subnet is the one that answers on the gateway address it advertises.
        if (s.autoAddress() && !ROUTER_OWNERS.contains(port.deviceOwner())) {
            throw NeutronException.invalidInput("IPv6 address " + ip.text() + " cannot be directly assigned to a port on subnet "
                    + s.id() + " with " + s.ipv6AddressMode() + " address mode");
        }
        if (!SubnetPlanner.hostRange(cidr).contains(ip.value())) {
            throw new NeutronException(400, "InvalidIpForSubnet",
                    "IP address " + ip.text() + " is not a valid IP for the specified subnet.");
        }
        if (ip.text().equals(s.gatewayIp()) && !ROUTER_OWNERS.contains(port.deviceOwner())) {
            throw ipInUse(port.networkId(), ip.text());
        }
        if (!tx.ipAllocations().tryClaim(port.id(), s.id(), s.networkId(), ip.text(), ip.value())) {
            throw NeutronException.conflict("IpAddressAlreadyAllocated",
                    "IP address " + ip.text() + " already allocated in subnet " + s.id());
        }
        return new FixedIp(s.id(), ip.text());
    }

    private static List<AddressPair> addressPairs(Attributes a, boolean portSecurity) {
        List<Map<String, Object>> raw = a.objectList("allowed_address_pairs");
        if (raw == null || raw.isEmpty()) return List.of();
        if (!portSecurity) throw addressPairsNeedPortSecurity();
        if (raw.size() > MAX_ADDRESS_PAIRS) {
            throw new NeutronException(400, "AllowedAddressPairExhausted",
                    "The number of allowed address pair exceeds the maximum " + MAX_ADDRESS_PAIRS + ".");
        }
        List<AddressPair> out = new ArrayList<>();
        for (Map<String, Object> m : raw) {
            Object ipObj = m.get("ip_address"), macObj = m.get("mac_address");
            Set<String> keys = new HashSet<>(m.keySet());
            keys.removeAll(Set.of("ip_address", "mac_address"));
            if (!keys.isEmpty()) throw NeutronException.badRequest("Unrecognized attribute(s) '" + String.join(", ", keys) + "'");
            if (!(ipObj instanceof String ipText)) throw NeutronException.badRequest("AllowedAddressPair must contain ip_address");
            String ip;
            Ip single = IpAddresses.parse(ipText);
            if (single != null) {
                ip = single.text();
            } else {
                Prefix pfx = IpAddresses.parsePrefix(ipText);
                if (pfx == null) throw NeutronException.invalidAttribute("allowed_address_pairs", "'" + ipText + "' is not a valid IP address or CIDR");
                ip = pfx.canonical();
            }
            String mac = macObj == null ? null : MacAddresses.requireValid(String.valueOf(macObj));
            AddressPair pair = new AddressPair(ip, mac);
            if (out.contains(pair)) {
                throw new NeutronException(400, "DuplicateAddressPairInRequest", "Request contains duplicate address pair: mac_address "
                        + Objects.requireNonNullElse(mac, "None") + " ip_address " + ip + ".");
            }
            out.add(pair);
        }
        return out;
    }

    private static String vnicType(Attributes a, String dflt) {
        String v = a.string("binding:vnic_type", dflt);
        if (!"normal".equals(v)) {
            throw NeutronException.invalidAttribute("binding:vnic_type", "'" + v + "' is not supported; Skein ports are 'normal'");
        }
        return v;
    }

    private static Port visible(Tx tx, RequestContext ctx, String id) {
        Port p = tx.ports().get(id).orElseThrow(() -> NeutronException.portNotFound(id));
        if (Policy.owns(ctx, p.projectId())) return p;
        Network n = tx.networks().get(p.networkId()).orElseThrow(() -> NeutronException.portNotFound(id));
        if (!Policy.owns(ctx, n.projectId())) throw NeutronException.portNotFound(id);
        return p;
    }

    private static Port owned(Tx tx, RequestContext ctx, String id) {
        visible(tx, ctx, id);
        return tx.ports().lock(id).orElseThrow(() -> NeutronException.portNotFound(id));
    }

    private Instant now() { return StandardAttributes.now(clock); }

    /** The port with its fixed IPs and security groups, which the store keeps in tables of their own. */
    private static Port loaded(Tx tx, Port p) {
        return p.withFixedIps(tx.ipAllocations().ofPort(p.id()))
                .withSecurityGroups(tx.securityGroups().ofPorts(List.of(p.id())).getOrDefault(p.id(), List.of()));
    }

    private static NeutronException generationFailure(String networkId) {
        return NeutronException.conflict("IpAddressGenerationFailure", "No more IP addresses available on network " + networkId + ".");
    }

    private static NeutronException ipInUse(String networkId, String ip) {
        return NeutronException.conflict("IpAddressInUse", "Unable to complete operation for network " + networkId
                + ". The IP address " + ip + " is in use.");
    }

    private static NeutronException macInUse(String networkId, String mac) {
        return NeutronException.conflict("MacAddressInUse", "Unable to complete operation for network " + networkId
                + ". The mac address " + mac + " is in use.");
    }

    private static NeutronException addressPairsNeedPortSecurity() {
        return NeutronException.conflict("AddressPairAndPortSecurityRequired",
                "Port Security must be enabled in order to have allowed address pairs on a port.");
    }
}
