package dev.skein.control;

import dev.skein.model.AddressPair;
import dev.skein.model.Agent;
import dev.skein.model.FixedIp;
import dev.skein.model.Port;
import dev.skein.model.Router;
import dev.skein.model.SecurityGroupRule;
import dev.skein.plan.HostPlan;
import dev.skein.plan.L2Compiler;
import dev.skein.plan.L2Intent;
import dev.skein.plan.PlanDelta;
import dev.skein.plan.dhcp.DhcpCompiler;
import dev.skein.plan.dhcp.DhcpIntent;
import dev.skein.plan.dhcp.DhcpPlan;
import dev.skein.plan.fw.FirewallCompiler;
import dev.skein.plan.fw.FirewallIntent;
import dev.skein.plan.fw.FirewallPlan;
import dev.skein.plan.l3.RouterCompiler;
import dev.skein.plan.l3.RouterIntent;
import dev.skein.plan.l3.RouterPlan;
import dev.skein.service.PlanChanges;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Host plans compiled from the store. A plan is stamped with the host's revision read before anything else, so
 * it holds at least everything that revision stands for (possibly more, which the next delta or fetch repeats):
 * an agent that realised it never misses a change by trusting the stamp.
 */
public final class HostPlanService {
    private final Store store;
    private final DhcpIntent.Settings dhcpSettings;

    public HostPlanService(Store store) { this(store, DhcpIntent.Settings.DEFAULTS); }

    public HostPlanService(Store store, DhcpIntent.Settings dhcpSettings) {
        this.store = store;
        this.dhcpSettings = Objects.requireNonNull(dhcpSettings, "dhcpSettings");
    }

    /** The whole plan of one host. */
    public HostPlan plan(String host) {
        return store.read(tx -> {
            long revision = tx.hostPlans().revision(host);
            L2Intent intent = intent(tx, tx.hostPlans().networksOfHost(host));
            return new HostPlan(host, revision, L2Compiler.compile(intent, host), firewall(tx, host), dhcp(tx, host), routers(tx, host));
        });
    }

    /**
     * One delta per host a committed change reached; hosts whose own registration changed get a fetch request,
     * hosts whose firewall may have changed get their whole firewall part with the delta, and hosts whose DHCP
     * servers or routers may have changed get those parts whole.
     */
    public Map<String, PlanDelta> deltas(PlanChanges.Change change) {
        return store.read(tx -> {
            L2Intent intent = change.networks().isEmpty() ? new L2Intent(List.of(), List.of(), List.of())
                    : intent(tx, change.networks());
            Map<String, PlanDelta> out = new LinkedHashMap<>();
            change.revisions().forEach((host, revision) -> {
                if (change.fullHosts().contains(host)) {
                    out.put(host, PlanDelta.fetch(host, revision));
                    return;
                }
                PlanDelta delta = PlanDelta.sections(host, revision, L2Compiler.compile(intent, host), change.networks());
                if (change.firewallHosts().contains(host)) delta = delta.withFirewall(firewall(tx, host));
                if (change.serviceHosts().contains(host)) delta = delta.withServices(dhcp(tx, host), routers(tx, host));
                out.put(host, delta);
            });
            return out;
        });
    }

    /** Every host with a plan: its current revision and, if its agent reported one, the revision it has realised. */
    public record HostRevision(String host, long revision, Long realisedRevision) {}

    public List<HostRevision> revisions(Map<String, Long> realised) {
        Map<String, Long> current = store.read(tx -> tx.hostPlans().revisions());
        List<HostRevision> out = new ArrayList<>();
        current.forEach((host, revision) -> out.add(new HostRevision(host, revision, realised.get(host))));
        return out;
    }

    /** The firewall of one host, compiled from the intent the firewall compiler needs and nothing more. */
    static FirewallPlan firewall(Tx tx, String host) {
        return FirewallCompiler.compile(firewallIntent(tx, host));
    }

    /**
     * The host's bound ports with their addresses and groups, the rules of those groups, and the member addresses
     * (fixed IPs and allowed address pairs of member ports on any host) of every group those rules name as remote.
     */
    static FirewallIntent firewallIntent(Tx tx, String host) {
        List<Port> bound = new ArrayList<>();
        for (String network : tx.hostPlans().networksOfHost(host)) {
            for (Port p : tx.ports().list(null, network)) if (host.equals(p.hostId())) bound.add(p);
        }
        List<String> ids = bound.stream().map(Port::id).toList();
        Map<String, List<FixedIp>> ips = tx.ipAllocations().ofPorts(ids);
        Map<String, List<String>> groupsOf = tx.securityGroups().ofPorts(ids);
        List<FirewallIntent.Port> ports = new ArrayList<>();
        TreeSet<String> groupIds = new TreeSet<>();
        for (Port p : bound) {
            List<String> groups = groupsOf.getOrDefault(p.id(), List.of());
            groupIds.addAll(groups);
            ports.add(FirewallIntent.Port.of(p.withFixedIps(ips.getOrDefault(p.id(), List.of())).withSecurityGroups(groups)));
        }
        Map<String, List<FirewallIntent.Rule>> rules = new LinkedHashMap<>();
        groupIds.forEach(g -> rules.put(g, new ArrayList<>()));
        TreeSet<String> remotes = new TreeSet<>();
        for (SecurityGroupRule r : tx.securityGroupRules().ofGroups(groupIds)) {
            rules.get(r.securityGroupId()).add(new FirewallIntent.Rule(FirewallIntent.Direction.valueOf(r.direction().toUpperCase(Locale.ROOT)),
                    r.ethertype(), r.protocol(), r.portRangeMin(), r.portRangeMax(), r.remoteIpPrefix(), r.remoteGroupId()));
            if (r.remoteGroupId() != null) remotes.add(r.remoteGroupId());
        }
        List<FirewallIntent.SecurityGroup> groups = new ArrayList<>();
        rules.forEach((g, rs) -> groups.add(new FirewallIntent.SecurityGroup(g, rs)));
        return new FirewallIntent(ports, groups, memberAddresses(tx, remotes));
    }

    /** The DHCP servers of one host: those of the networks whose DHCP port is bound to it. */
    DhcpPlan dhcp(Tx tx, String host) {
        return DhcpCompiler.compile(dhcpIntent(tx, host, dhcpSettings), host);
    }

    /**
     * The networks whose DHCP port is bound to the host, with their subnets and every port on them (their leases,
     * and the router interfaces that decide whether a network is isolated). A constant number of queries however
     * many networks and ports there are.
     */
    static DhcpIntent dhcpIntent(Tx tx, String host, DhcpIntent.Settings settings) {
        Set<String> networkIds = tx.hostPlans().dhcpNetworksOfHost(host);
        if (networkIds.isEmpty()) return new DhcpIntent(List.of(), List.of(), List.of(), settings);
        List<Port> ports = tx.ports().onNetworks(networkIds);
        Map<String, List<FixedIp>> ips = tx.ipAllocations().ofPorts(ports.stream().map(Port::id).toList());
        return new DhcpIntent(
                tx.networks().getAll(networkIds).stream().map(DhcpIntent.Network::of).toList(),
                tx.subnets().onNetworks(networkIds).stream().map(DhcpIntent.Subnet::of).toList(),
                ports.stream().map(p -> DhcpIntent.Port.of(p.withFixedIps(ips.getOrDefault(p.id(), List.of())))).toList(),
                settings);
    }

    /** The routers of one host: those with a port bound to it. */
    static RouterPlan routers(Tx tx, String host) {
        return RouterCompiler.compile(routerIntent(tx, host), host);
    }

    /**
     * The routers with a port bound to the host, all their ports (bound there or not, so the compiler can report
     * the ones elsewhere), the subnets and networks of those ports and the routers' floating IPs. A constant number
     * of queries however many routers, interfaces and floating IPs there are.
     */
    static RouterIntent routerIntent(Tx tx, String host) {
        Set<String> routerIds = tx.hostPlans().routersOfHost(host);
        if (routerIds.isEmpty()) return new RouterIntent(List.of(), List.of(), List.of(), List.of(), List.of());
        List<Router> routers = tx.routers().getAll(routerIds);
        Map<String, List<String>> interfaces = tx.routers().interfacePorts(routerIds);
        TreeSet<String> portIds = new TreeSet<>();
        for (Router r : routers) {
            if (r.gateway() != null) portIds.add(r.gateway().portId());
            portIds.addAll(interfaces.getOrDefault(r.id(), List.of()));
        }
        List<Port> ports = tx.ports().getAll(portIds);
        Map<String, List<FixedIp>> ips = tx.ipAllocations().ofPorts(portIds);
        TreeSet<String> networkIds = new TreeSet<>();
        ports.forEach(p -> networkIds.add(p.networkId()));
        return new RouterIntent(
                routers.stream().map(r -> RouterIntent.Router.of(r, interfaces.getOrDefault(r.id(), List.of()))).toList(),
                ports.stream().map(p -> RouterIntent.Port.of(p.withFixedIps(ips.getOrDefault(p.id(), List.of())))).toList(),
                tx.subnets().onNetworks(networkIds).stream().map(RouterIntent.Subnet::of).toList(),
                tx.networks().getAll(networkIds).stream().map(RouterIntent.Network::of).toList(),
                tx.floatingIps().viaRouters(routerIds).stream().map(RouterIntent.FloatingIp::of).filter(Objects::nonNull).toList());
    }

    private static Map<String, List<String>> memberAddresses(Tx tx, Collection<String> groupIds) {
        Map<String, List<String>> members = tx.hostPlans().groupMembers(groupIds);
        TreeSet<String> portIds = new TreeSet<>();
        members.values().forEach(portIds::addAll);
        Map<String, Port> ports = new LinkedHashMap<>();
        tx.ports().getAll(portIds).forEach(p -> ports.put(p.id(), p));
        Map<String, List<FixedIp>> ips = tx.ipAllocations().ofPorts(portIds);
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String g : new TreeSet<>(groupIds)) {
            TreeSet<String> addresses = new TreeSet<>();
            for (String portId : members.getOrDefault(g, List.of())) {
                ips.getOrDefault(portId, List.of()).forEach(ip -> addresses.add(ip.ipAddress()));
                Port p = ports.get(portId);
                if (p != null) p.allowedAddressPairs().stream().map(AddressPair::ipAddress).forEach(addresses::add);
            }
            out.put(g, List.copyOf(addresses));
        }
        return out;
    }

    /**
     * The part of the intent the L2 compiler needs for the given networks: the networks, every port on them
     * (bound or not: the compiler decides) and the hosts those ports are bound to.
     */
    private static L2Intent intent(Tx tx, Collection<String> networkIds) {
        List<L2Intent.Network> networks = new ArrayList<>();
        List<L2Intent.Port> ports = new ArrayList<>();
        TreeSet<String> hosts = new TreeSet<>();
        for (String id : new TreeSet<>(networkIds)) {
            var network = tx.networks().get(id);
            if (network.isEmpty()) continue;
            networks.add(L2Intent.Network.of(network.get()));
            for (Port p : tx.ports().list(null, id)) {
                ports.add(L2Intent.Port.of(p));
                if (!p.hostId().isEmpty()) hosts.add(p.hostId());
            }
        }
        List<L2Intent.Host> described = tx.agents().onHosts(Agent.SKEIN_AGENT_TYPE, hosts).stream()
                .map(a -> new L2Intent.Host(a.host(), a.localIp(), a.bridgeMappings())).toList();
        return new L2Intent(networks, ports, described);
    }
}
