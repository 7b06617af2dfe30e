package dev.skein.control;

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
import dev.skein.plan.fw.FirewallSections;
import dev.skein.service.PlanChanges;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.Optional;
import java.util.TreeMap;
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
     * hosts whose firewall may have changed get the new sections of the ports and groups the change touched, and
     * hosts whose DHCP servers or routers may have changed get those parts whole.
     */
    public Map<String, PlanDelta> deltas(PlanChanges.Change change) {
        return store.read(tx -> {
            L2Intent intent = change.networks().isEmpty() ? new L2Intent(List.of(), List.of(), List.of())
                    : intent(tx, change.networks());
            FirewallReads reads = new FirewallReads(tx);
            Map<String, PlanDelta> out = new LinkedHashMap<>();
            change.revisions().forEach((host, revision) -> {
                if (change.fullHosts().contains(host)) {
                    out.put(host, PlanDelta.fetch(host, revision));
                    return;
                }
                PlanDelta delta = PlanDelta.sections(host, revision, L2Compiler.compile(intent, host), change.networks());
                if (change.firewallHosts().contains(host)) delta = delta.withFirewall(firewallChange(reads, change, host));
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
    static FirewallSections firewall(Tx tx, String host) {
        List<Port> bound = new ArrayList<>();
        for (String network : tx.hostPlans().networksOfHost(host)) {
            for (Port p : tx.ports().list(null, network)) if (host.equals(p.hostId())) bound.add(p);
        }
        return FirewallCompiler.sections(firewallIntent(new FirewallReads(tx), bound, List.of()));
    }

    /**
     * What a change did to one host's firewall: the sections of the touched ports (gone if they left the host) and
     * of the ports in groups whose rules changed, and the member addresses of the groups whose membership changed
     * and of those the new sections match. Groups the host does not use are dropped when the change is applied.
     */
    static FirewallSections.Change firewallChange(FirewallReads reads, PlanChanges.Change change, String host) {
        TreeSet<String> touched = new TreeSet<>(change.firewallPorts());
        if (!change.ruleGroups().isEmpty()) {
            reads.members(change.ruleGroups()).values().forEach(touched::addAll);
        }
        List<Port> bound = reads.ports(touched).stream().filter(p -> host.equals(p.hostId())).toList();
        return FirewallCompiler.change(firewallIntent(reads, bound, change.memberGroups()), touched);
    }

    /**
     * The given ports with their addresses and groups, the rules of those groups, and the member addresses (fixed IPs
     * and allowed address pairs of member ports on any host) of every group those rules name as remote and of the
     * extra groups.
     */
    static FirewallIntent firewallIntent(FirewallReads reads, List<Port> bound, Collection<String> extraGroups) {
        Tx tx = reads.tx;
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
        TreeSet<String> remotes = new TreeSet<>(extraGroups);
        for (SecurityGroupRule r : groupIds.isEmpty() ? List.<SecurityGroupRule>of() : tx.securityGroupRules().ofGroups(groupIds)) {
            rules.get(r.securityGroupId()).add(new FirewallIntent.Rule(FirewallIntent.Direction.valueOf(r.direction().toUpperCase(Locale.ROOT)),
                    r.ethertype(), r.protocol(), r.portRangeMin(), r.portRangeMax(), r.remoteIpPrefix(), r.remoteGroupId()));
            if (r.remoteGroupId() != null) remotes.add(r.remoteGroupId());
        }
        List<FirewallIntent.SecurityGroup> groups = new ArrayList<>();
        rules.forEach((g, rs) -> groups.add(new FirewallIntent.SecurityGroup(g, rs)));
        return new FirewallIntent(ports, groups, reads.memberAddresses(remotes));
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

    /**
     * Reads for the firewall inside one transaction, remembering ports, group members and their addresses: the
     * deltas of one change to many hosts need the same ones again and again.
     */
    static final class FirewallReads {
        private final Tx tx;
        private final Map<String, List<String>> members = new HashMap<>();
        private final Map<String, List<String>> addresses = new HashMap<>();
        private final Map<String, Optional<Port>> ports = new HashMap<>();

        FirewallReads(Tx tx) { this.tx = tx; }

        /** The ports that exist among the ids. */
        List<Port> ports(Collection<String> ids) {
            List<String> missing = ids.stream().filter(id -> !ports.containsKey(id)).toList();
            if (!missing.isEmpty()) {
                missing.forEach(id -> ports.put(id, Optional.empty()));
                tx.ports().getAll(missing).forEach(p -> ports.put(p.id(), Optional.of(p)));
            }
            return ids.stream().map(ports::get).flatMap(Optional::stream).toList();
        }

        /** The member ports of each group (bound or not). */
        Map<String, List<String>> members(Collection<String> groupIds) {
            List<String> missing = groupIds.stream().filter(g -> !members.containsKey(g)).toList();
            if (!missing.isEmpty()) {
                Map<String, List<String>> read = tx.hostPlans().groupMembers(missing);
                missing.forEach(g -> members.put(g, read.getOrDefault(g, List.of())));
            }
            Map<String, List<String>> out = new TreeMap<>();
            groupIds.forEach(g -> out.put(g, members.get(g)));
            return out;
        }

        /** The fixed IPs and allowed address pairs of each group's members. */
        Map<String, List<String>> memberAddresses(Collection<String> groupIds) {
            List<String> missing = groupIds.stream().filter(g -> !addresses.containsKey(g)).toList();
            if (!missing.isEmpty()) {
                Map<String, List<String>> read = tx.hostPlans().memberAddresses(missing);
                missing.forEach(g -> addresses.put(g, read.getOrDefault(g, List.of())));
            }
            Map<String, List<String>> out = new TreeMap<>();
            groupIds.forEach(g -> out.put(g, addresses.get(g)));
            return out;
        }
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
