package dev.skein.plan.fw;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One host's firewall in sections: one per port with port security (its chains, the interface they are dispatched
 * on, its network's bridge and conntrack zone, the remote-group sets its rules match, what could not be compiled)
 * and one per group that those rules name as remote group (the group's member addresses).
 *
 * <p>Host plans carry the firewall this way so that a change travels as the few sections it touches, which replace
 * the old ones ({@link #apply}), instead of as the whole firewall: adding a port to a host with 1000 ports sends
 * that port's chains and the member list of its groups. {@link #plan()} assembles the nftables plan; since a fresh
 * compile is the empty sections with every port applied, both ways give the same plan. Sections a change leaves
 * alone stay the same objects, so the realiser's comparison with the last realised plan skips them at once.
 *
 * <p>A group section that no port section refers to is dropped, as a fresh compile would not have it.
 */
public record FirewallSections(List<PortSection> ports, List<GroupSection> groups) {
    public static final FirewallSections EMPTY = new FirewallSections(List.of(), List.of());

    public FirewallSections {
        TreeMap<String, PortSection> byPort = new TreeMap<>();
        for (PortSection p : ports) {
            if (byPort.put(p.portId(), p) != null) throw new IllegalArgumentException("two sections for port " + p.portId());
        }
        Set<String> referenced = new HashSet<>();
        byPort.values().forEach(p -> p.remoteSets().forEach(r -> referenced.add(r.groupId())));
        TreeMap<String, GroupSection> byGroup = new TreeMap<>();
        for (GroupSection g : groups) {
            if (referenced.contains(g.groupId()) && byGroup.put(g.groupId(), g) != null) {
                throw new IllegalArgumentException("two sections for group " + g.groupId());
            }
        }
        ports = List.copyOf(byPort.values());
        groups = List.copyOf(byGroup.values());
    }

    /**
     * What one port adds to the host's firewall. tap null means the port is left out (its id cannot name a chain
     * or its interface name is not one; problems say which); bridge null means its network names no bridge, so its
     * traffic shares the default conntrack zone (zone 0).
     */
    public record PortSection(String portId, String tap, String bridge, int zone, List<FirewallPlan.Chain> chains,
                              List<RemoteSet> remoteSets, List<String> problems) {
        public PortSection {
            Objects.requireNonNull(portId, "portId");
            chains = List.copyOf(chains);
            remoteSets = List.copyOf(remoteSets);
            problems = List.copyOf(problems);
        }

        /** A port the firewall cannot hold, only reported. */
        public static PortSection leftOut(String portId, String problem) {
            return new PortSection(portId, null, null, 0, List.of(), List.of(), List.of(problem));
        }
    }

    /** The named set of a remote group's member addresses of one IP version. */
    public record RemoteSet(int version, String groupId) {
        public RemoteSet {
            if (version != 4 && version != 6) throw new IllegalArgumentException("IP version " + version);
            Objects.requireNonNull(groupId, "groupId");
        }

        public String name() { return FirewallCompiler.remoteGroupSet(version, groupId); }
    }

    /** A group's member addresses as set elements per version, and the member texts that are no address at all. */
    public record GroupSection(String groupId, List<String> ipv4, List<String> ipv6, List<String> unusable) {
        public GroupSection {
            Objects.requireNonNull(groupId, "groupId");
            ipv4 = List.copyOf(ipv4);
            ipv6 = List.copyOf(ipv6);
            unusable = List.copyOf(unusable);
        }

        public List<String> elements(int version) { return version == 4 ? ipv4 : ipv6; }
    }

    /**
     * A change to the sections: every port in portIds loses its section and gets the one in ports, if any (a port
     * that left the host or lost its port security gets none); every group section in groups replaces that
     * group's.
     */
    public record Change(List<String> portIds, List<PortSection> ports, List<GroupSection> groups) {
        public Change {
            portIds = List.copyOf(new LinkedHashSet<>(portIds));
            ports = List.copyOf(ports);
            groups = List.copyOf(groups);
            Set<String> named = Set.copyOf(portIds);
            for (PortSection p : ports) {
                if (!named.contains(p.portId())) throw new IllegalArgumentException("section of port " + p.portId() + " that the change does not name");
            }
        }
    }

    public FirewallSections apply(Change change) {
        Map<String, PortSection> byPort = new TreeMap<>();
        ports.forEach(p -> byPort.put(p.portId(), p));
        change.portIds().forEach(byPort::remove);
        change.ports().forEach(p -> byPort.put(p.portId(), p));
        Map<String, GroupSection> byGroup = new TreeMap<>();
        groups.forEach(g -> byGroup.put(g.groupId(), g));
        change.groups().forEach(g -> byGroup.put(g.groupId(), g));
        return new FirewallSections(new ArrayList<>(byPort.values()), new ArrayList<>(byGroup.values()));
    }

    /** The nftables plan these sections make up. */
    public FirewallPlan plan() { return FirewallCompiler.assemble(this); }
}
