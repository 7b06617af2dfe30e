package dev.skein.service;

import dev.skein.model.FixedIp;
import dev.skein.model.FloatingIp;
import dev.skein.model.Network;
import dev.skein.model.Port;
import dev.skein.model.Router;
import dev.skein.model.Subnet;
import dev.skein.store.Store;
import dev.skein.store.Tx;
import dev.skein.store.TxListener;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Which host plans one transaction changes. Writes that can change a plan say so here (a port, a network, a
 * host's own registration); just before the transaction commits the revision of every affected host is raised
 * once in the database, and after it has committed the {@link Listener}, if the store was wrapped with
 * {@link #tracking}, hears which hosts got which revision so it can notify their agents.
 *
 * <p>A host is affected by a network when it has a port bound on that network before or after the change: its
 * bridge, its VXLAN remotes or its plugs may differ. This over-approximates (a port's admin state only matters on
 * its own host) in exchange for one simple rule that cannot miss a host.
 *
 * <p>A host's firewall is affected by its own bound ports, by the rules of the groups those ports are in, and by
 * the member addresses of every group those rules name as remote group. So a rule change reaches the hosts with a
 * port in its group, and a port joining, leaving or changing its addresses in a group reaches every host with a
 * port whose rules name that group as remote, wherever the port itself is bound. Both are database queries. The
 * change also names the ports and groups involved, so that those hosts' deltas carry only their firewall sections.
 *
 * <p>A network node's DHCP and router parts follow placement, which is nothing but port bindings: a network's DHCP
 * server is on the host its DHCP port is bound to, a router on the hosts its ports are bound to. A DHCP server is
 * affected by its network's subnets and by every port on the network (its leases; router interfaces decide whether
 * it serves metadata); a router by its own columns, its ports, the subnets they are on and its floating IPs. Hosts
 * are looked up just before commit, so a port bound later in the same transaction is seen; the DHCP and router
 * ports themselves name their hosts when written, so the host a service leaves hears of it too.
 */
public final class PlanChanges implements TxListener {

    /** Hears about committed changes; called in the writing thread, after the commit. */
    public interface Listener {
        void committed(Change change);
    }

    /**
     * revisions: the new revision of every affected host; networks: the networks whose part of those plans may
     * have changed; fullHosts: hosts whose whole plan may have changed (their own registration did);
     * firewallHosts: hosts whose firewall part may have changed. Within those firewalls, firewallPorts are the
     * ports whose own sections may have changed (created, deleted, moved, re-addressed, regrouped), memberGroups
     * the groups whose member addresses may have changed, and ruleGroups the groups whose rules changed, which
     * changes the sections of all their ports. serviceHosts: hosts whose DHCP or router part may have changed.
     */
    public record Change(Map<String, Long> revisions, Set<String> networks, Set<String> fullHosts, Set<String> firewallHosts,
                         Set<String> firewallPorts, Set<String> memberGroups, Set<String> ruleGroups, Set<String> serviceHosts) {
        public Change {
            revisions = Map.copyOf(revisions);
            networks = Set.copyOf(networks);
            fullHosts = Set.copyOf(fullHosts);
            firewallHosts = Set.copyOf(firewallHosts);
            firewallPorts = Set.copyOf(firewallPorts);
            memberGroups = Set.copyOf(memberGroups);
            ruleGroups = Set.copyOf(ruleGroups);
            serviceHosts = Set.copyOf(serviceHosts);
        }

        public Change(Map<String, Long> revisions, Set<String> networks, Set<String> fullHosts, Set<String> firewallHosts) {
            this(revisions, networks, fullHosts, firewallHosts, Set.of(), Set.of(), Set.of(), Set.of());
        }

        public Change(Map<String, Long> revisions, Set<String> networks, Set<String> fullHosts) {
            this(revisions, networks, fullHosts, Set.of());
        }
    }

    private final Listener listener;
    private final Set<String> networks = new TreeSet<>();
    private final Set<String> hosts = new TreeSet<>();
    private final Set<String> fullHosts = new TreeSet<>();
    private final Set<String> firewallHosts = new TreeSet<>();
    private final Set<String> serviceHosts = new TreeSet<>();
    /**
     * Resolved to hosts just before commit: networks whose DHCP servers may have changed, networks whose routers'
     * ports may have, and routers that may have.
     */
    private final Set<String> dhcpNetworks = new TreeSet<>();
    private final Set<String> routerNetworks = new TreeSet<>();
    private final Set<String> routers = new TreeSet<>();
    private final Set<String> firewallPorts = new TreeSet<>();
    private final Set<String> memberGroups = new TreeSet<>();
    private final Set<String> ruleGroups = new TreeSet<>();
    private Change change;

    private PlanChanges(Listener listener) { this.listener = listener; }

    /** A store whose write transactions report their committed plan changes to listener. */
    public static Store tracking(Store store, Listener listener) {
        Objects.requireNonNull(listener, "listener");
        return new Store() {
            @Override
            public <T> T write(Function<Tx, T> work) {
                return store.write(tx -> {
                    tx.attach(PlanChanges.class, () -> new PlanChanges(listener));
                    return work.apply(tx);
                });
            }

            @Override
            public <T> T read(Function<Tx, T> work) { return store.read(work); }

            @Override
            public void close() { store.close(); }
        };
    }

    /** A port was created (before null), changed or deleted (after null). A port bound to no host is in no plan. */
    public static void port(Tx tx, Port before, Port after) {
        membership(tx, before, after);
        services(tx, before, after);
        if (!bound(before) && !bound(after)) return;
        if (before != null && after != null && projection(before).equals(projection(after))) return;
        PlanChanges c = of(tx);
        for (Port p : new Port[] {before, after}) {
            if (p == null) continue;
            c.networks.add(p.networkId());
            if (bound(p)) {
                c.hosts.add(p.hostId());
                c.firewallHosts.add(p.hostId());
                c.firewallPorts.add(p.id());
            }
        }
    }

    /** Bound or not, a port's addresses are members of its groups, which other hosts' rules may name as remote. */
    private static void membership(Tx tx, Port before, Port after) {
        if (before != null && after != null && members(before).equals(members(after))) return;
        Set<String> groups = new TreeSet<>();
        for (Port p : new Port[] {before, after}) if (p != null && p.securityGroups() != null) groups.addAll(p.securityGroups());
        if (groups.isEmpty()) return;
        firewall(tx, tx.hostPlans().hostsReferencingGroups(groups)).ifPresent(c -> c.memberGroups.addAll(groups));
    }

    /**
     * Bound or not, a port on a network with a DHCP server is one of its leases; a DHCP or router port names the
     * host its service is on, before and after.
     */
    private static void services(Tx tx, Port before, Port after) {
        if (before != null && after != null && serviceProjection(before).equals(serviceProjection(after))) return;
        PlanChanges c = of(tx);
        for (Port p : new Port[] {before, after}) {
            if (p == null) continue;
            c.dhcpNetworks.add(p.networkId());
            if (bound(p) && (Port.DHCP_OWNER.equals(p.deviceOwner()) || Router.PORT_OWNERS.contains(p.deviceOwner()))) c.serviceHosts.add(p.hostId());
        }
    }

    /** A subnet was created (before null), changed or deleted (after null): its network's DHCP servers and routers read it. */
    public static void subnet(Tx tx, Subnet before, Subnet after) {
        if (before != null && after != null && served(before).equals(served(after))) return;
        String network = (after != null ? after : before).networkId();
        PlanChanges c = of(tx);
        c.dhcpNetworks.add(network);
        c.routerNetworks.add(network);
    }

    /** A router was created (before null), changed or deleted (after null). */
    public static void router(Tx tx, Router before, Router after) {
        if (before != null && after != null && routed(before).equals(routed(after))) return;
        of(tx).routers.add((after != null ? after : before).id());
    }

    /**
     * An interface of the router on the network was added or removed; whether the network's DHCP server serves
     * metadata depends on it.
     */
    public static void routerInterface(Tx tx, String routerId, String networkId) {
        PlanChanges c = of(tx);
        c.routers.add(routerId);
        c.dhcpNetworks.add(networkId);
    }

    /** A floating IP was created (before null), changed or deleted (after null); only its association matters. */
    public static void floatingIp(Tx tx, FloatingIp before, FloatingIp after) {
        if (before != null && after != null && Objects.equals(before.fixedIpAddress(), after.fixedIpAddress())
                && Objects.equals(before.routerId(), after.routerId()) && Objects.equals(before.portId(), after.portId())) {
            return;
        }
        for (FloatingIp f : new FloatingIp[] {before, after}) {
            if (f != null && f.routerId() != null) of(tx).routers.add(f.routerId());
        }
    }

    /** A rule of the group was added or deleted. */
    public static void securityGroupRules(Tx tx, String groupId) {
        firewall(tx, tx.hostPlans().hostsInGroups(List.of(groupId))).ifPresent(c -> c.ruleGroups.add(groupId));
    }

    /** The group is about to be deleted, and with it the rules elsewhere that name it as remote group. */
    public static void securityGroupDeleted(Tx tx, String groupId) {
        Set<String> affected = new TreeSet<>(tx.hostPlans().hostsInGroups(List.of(groupId)));
        affected.addAll(tx.hostPlans().hostsReferencingGroups(List.of(groupId)));
        List<String> referencing = tx.securityGroupRules().groupsReferencing(groupId);
        firewall(tx, affected).ifPresent(c -> {
            c.ruleGroups.add(groupId);
            c.ruleGroups.addAll(referencing);
        });
    }

    /** The firewalls of the hosts change; the changes of this transaction, to say how, unless no host is affected. */
    private static Optional<PlanChanges> firewall(Tx tx, Set<String> affected) {
        if (affected.isEmpty()) return Optional.empty();
        PlanChanges c = of(tx);
        c.hosts.addAll(affected);
        c.firewallHosts.addAll(affected);
        return Optional.of(c);
    }

    /** A network was changed or is about to be deleted (after null): call before its ports go. */
    public static void network(Tx tx, Network before, Network after) {
        if (after != null && before.mtu() == after.mtu() && before.segment().equals(after.segment())) return;
        PlanChanges c = of(tx);
        c.networks.add(before.id());
        Set<String> on = tx.hostPlans().hostsOnNetworks(List.of(before.id()));
        c.hosts.addAll(on);
        if (after != null) {
            if (before.mtu() != after.mtu()) {
                c.dhcpNetworks.add(before.id());
                c.routerNetworks.add(before.id());
            }
            return;
        }
        // Its DHCP and router ports go without saying so; their hosts are found while they are still there.
        c.serviceHosts.addAll(tx.hostPlans().dhcpHostsOnNetworks(List.of(before.id())));
        c.serviceHosts.addAll(tx.hostPlans().routerPortHostsOnNetworks(List.of(before.id())));
        // A deleted network's ports leave without saying so one by one: their hosts' firewalls change, and so do
        // the firewalls that name their groups as remote.
        c.firewallHosts.addAll(on);
        List<String> ports = tx.ports().list(null, before.id()).stream().map(Port::id).toList();
        c.firewallPorts.addAll(ports);
        Set<String> groups = new TreeSet<>();
        if (!ports.isEmpty()) tx.securityGroups().ofPorts(ports).values().forEach(groups::addAll);
        if (!groups.isEmpty()) firewall(tx, tx.hostPlans().hostsReferencingGroups(groups)).ifPresent(g -> g.memberGroups.addAll(groups));
    }

    /** A host's own description (underlay address, interface mappings, its agent) changed: all of its plan may have. */
    public static void host(Tx tx, String host) {
        PlanChanges c = of(tx);
        c.fullHosts.add(host);
        c.hosts.add(host);
        c.networks.addAll(tx.hostPlans().networksOfHost(host));
    }

    private static boolean bound(Port p) { return p != null && p.hostId() != null && !p.hostId().isEmpty(); }

    private static PlanChanges of(Tx tx) { return tx.attach(PlanChanges.class, () -> new PlanChanges(null)); }

    /** What a host plan can depend on; names, descriptions, tags, status and timestamps are left out. */
    private record Projection(String networkId, String hostId, String mac, boolean adminStateUp, Set<FixedIp> fixedIps,
                              Set<?> addressPairs, boolean portSecurity, Set<String> securityGroups, boolean trusted) {}

    /** What DHCP servers and routers read of a port. */
    private record ServiceProjection(String networkId, String hostId, String mac, Set<FixedIp> fixedIps, String deviceOwner) {}

    private static ServiceProjection serviceProjection(Port p) {
        return new ServiceProjection(p.networkId(), p.hostId(), p.macAddress(), new HashSet<>(p.fixedIps()), p.deviceOwner());
    }

    /** What DHCP servers and routers read of a subnet. */
    private record Served(String networkId, String cidr, String gatewayIp, List<String> dnsNameservers, List<?> hostRoutes,
                          boolean enableDhcp, String ipv6AddressMode, String ipv6RaMode) {}

    private static Served served(Subnet s) {
        return new Served(s.networkId(), s.cidr(), s.gatewayIp(), s.dnsNameservers(), s.hostRoutes(), s.enableDhcp(),
                s.ipv6AddressMode(), s.ipv6RaMode());
    }

    /** What a router's plan reads of the router itself; its ports and floating IPs say so on their own. */
    private record Routed(boolean adminStateUp, String gatewayPortId, boolean enableSnat, List<?> routes) {}

    private static Routed routed(Router r) {
        return new Routed(r.adminStateUp(), r.gateway() == null ? null : r.gateway().portId(), r.enableSnat(), r.routes());
    }

    /** What makes a port's addresses members of groups. */
    private record Members(Set<FixedIp> fixedIps, Set<?> addressPairs, Set<String> securityGroups) {}

    private static Members members(Port p) {
        return new Members(new HashSet<>(p.fixedIps()), new HashSet<>(p.allowedAddressPairs()),
                p.securityGroups() == null ? Set.of() : new HashSet<>(p.securityGroups()));
    }

    private static Projection projection(Port p) {
        return new Projection(p.networkId(), p.hostId(), p.macAddress(), p.adminStateUp(), new HashSet<>(p.fixedIps()),
                new HashSet<>(p.allowedAddressPairs()), p.portSecurityEnabled(), new HashSet<>(p.securityGroups()),
                PortSecurityGroups.trusted(p.deviceOwner()));
    }

    @Override
    public void beforeCommit(Tx tx) {
        if (!dhcpNetworks.isEmpty()) serviceHosts.addAll(tx.hostPlans().dhcpHostsOnNetworks(dhcpNetworks));
        if (!routerNetworks.isEmpty()) serviceHosts.addAll(tx.hostPlans().routerPortHostsOnNetworks(routerNetworks));
        if (!routers.isEmpty()) serviceHosts.addAll(tx.hostPlans().routerHosts(routers));
        hosts.addAll(serviceHosts);
        if (networks.isEmpty() && hosts.isEmpty()) return;
        TreeSet<String> affected = new TreeSet<>(hosts);
        if (!networks.isEmpty()) affected.addAll(tx.hostPlans().hostsOnNetworks(networks));
        Set<String> firewall = new TreeSet<>(firewallHosts);
        firewall.retainAll(affected);
        change = new Change(affected.isEmpty() ? Map.of() : new TreeMap<>(tx.hostPlans().bump(affected)), networks, fullHosts, firewall,
                firewallPorts, memberGroups, ruleGroups, serviceHosts);
    }

    @Override
    public void afterCommit() {
        if (listener != null && change != null && !change.revisions().isEmpty()) listener.committed(change);
    }
}
