package dev.skein.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;

/**
 * The revision of each host's plan. A write that can change a host's plan raises that host's revision by one in
 * the same transaction, so every controller on the database agrees on it and an agent can tell a missed change
 * (a gap) from a duplicate.
 */
public interface HostPlanRepository {
    /** The host's current revision; 0 for a host no write has touched yet. */
    long revision(String host);

    Map<String, Long> revisions();

    /** Raises the revision of each host by one, in the given (sorted) order so concurrent writers cannot deadlock. */
    Map<String, Long> bump(SortedSet<String> hosts);

    /** Hosts that have at least one port bound to them on any of the networks. */
    Set<String> hostsOnNetworks(Collection<String> networkIds);

    /** Networks on which the host has at least one bound port. */
    Set<String> networksOfHost(String host);

    /** Hosts with a bound port that is a member of any of the groups. */
    Set<String> hostsInGroups(Collection<String> groupIds);

    /** Hosts with a bound port in a group that has a rule naming any of the groups as its remote group. */
    Set<String> hostsReferencingGroups(Collection<String> groupIds);

    /** The ids of the member ports of each of the groups (bound or not); groups without members are absent. */
    Map<String, List<String>> groupMembers(Collection<String> groupIds);

    /** Networks with a DHCP port (device_owner network:dhcp) bound to the host: the DHCP servers it runs. */
    Set<String> dhcpNetworksOfHost(String host);

    /** Hosts that a DHCP port of any of the networks is bound to. */
    Set<String> dhcpHostsOnNetworks(Collection<String> networkIds);

    /** Routers with a port (gateway or interface) bound to the host. */
    Set<String> routersOfHost(String host);

    /** Hosts that any port (gateway or interface) of the routers is bound to. */
    Set<String> routerHosts(Collection<String> routerIds);

    /** Hosts that router ports (gateways or interfaces) on any of the networks are bound to. */
    Set<String> routerPortHostsOnNetworks(Collection<String> networkIds);
    /**
     * The addresses of each group's member ports (bound or not): their fixed IPs and the ip_address of their allowed
     * address pairs, sorted, without duplicates; groups without any are absent.
     */
    Map<String, List<String>> memberAddresses(Collection<String> groupIds);
}
