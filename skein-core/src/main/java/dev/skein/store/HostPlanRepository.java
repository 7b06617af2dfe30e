package dev.skein.store;

import java.util.Collection;
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
}
