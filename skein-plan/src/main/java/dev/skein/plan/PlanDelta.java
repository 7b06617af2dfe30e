package dev.skein.plan;

import dev.skein.plan.dhcp.DhcpPlan;
import dev.skein.plan.fw.FirewallSections;
import dev.skein.plan.l3.RouterPlan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What changed in one host's plan at one revision: the new sections of the networks the change touched, and the
 * networks the host no longer holds. full means the change may reach beyond those sections (the host's own
 * registration changed), so the agent must fetch its whole plan instead.
 *
 * <p>firewall, when not null, replaces the firewall sections of the ports and groups the change touched (a port's
 * chains, a remote group's member addresses; see {@link FirewallSections}); null means the change left the firewall
 * as it was. Like the network sections they carry the new state of what they name, not a difference, and the
 * agent diffs the assembled result against what it realised last. dhcp and routers, the network node's parts,
 * travel whole.
 *
 * <p>A delta applies only on top of the plan of the revision just before it; see the agent's plan tracker.
 */
public record PlanDelta(String host, long revision, boolean full, List<L2Plan.Network> networks, List<String> removedNetworks,
                        FirewallSections.Change firewall, DhcpPlan dhcp, RouterPlan routers) {
    public PlanDelta {
        Objects.requireNonNull(host, "host");
        networks = List.copyOf(networks);
        removedNetworks = List.copyOf(removedNetworks);
        if (full && (!networks.isEmpty() || !removedNetworks.isEmpty() || firewall != null || dhcp != null || routers != null)) {
            throw new IllegalArgumentException("a full delta carries no sections");
        }
    }

    public PlanDelta(String host, long revision, boolean full, List<L2Plan.Network> networks, List<String> removedNetworks) {
        this(host, revision, full, networks, removedNetworks, null, null, null);
    }

    /** This delta carrying the new firewall sections of the ports and groups the change touched as well. */
    public PlanDelta withFirewall(FirewallSections.Change firewallChange) {
        return new PlanDelta(host, revision, full, networks, removedNetworks, Objects.requireNonNull(firewallChange, "firewallChange"), dhcp, routers);
    }

    /** This delta carrying the host's whole new DHCP and router parts as well. */
    public PlanDelta withServices(DhcpPlan newDhcp, RouterPlan newRouters) {
        return new PlanDelta(host, revision, full, networks, removedNetworks, firewall,
                Objects.requireNonNull(newDhcp, "newDhcp"), Objects.requireNonNull(newRouters, "newRouters"));
    }

    /** Tells the host to fetch its whole plan of (at least) this revision. */
    public static PlanDelta fetch(String host, long revision) {
        return new PlanDelta(host, revision, true, List.of(), List.of());
    }

    /**
     * The delta for the networks touched by a change, from the host's L2 plan compiled after it: each touched
     * network's section if the host still holds it, its removal otherwise.
     */
    public static PlanDelta sections(String host, long revision, L2Plan compiled, Collection<String> touchedNetworks) {
        Set<String> touched = new TreeSet<>(touchedNetworks);
        List<L2Plan.Network> kept = compiled.networks().stream().filter(n -> touched.contains(n.networkId())).toList();
        Set<String> removed = new TreeSet<>(touched);
        kept.forEach(n -> removed.remove(n.networkId()));
        return new PlanDelta(host, revision, false, kept, List.copyOf(removed));
    }

    /** The plan of this delta's revision, from the plan of the revision before it. */
    public HostPlan applyTo(HostPlan base) {
        if (full) throw new IllegalStateException("a full delta cannot be applied; fetch the plan");
        if (!base.host().equals(host)) throw new IllegalArgumentException("delta for " + host + " applied to the plan of " + base.host());
        Set<String> replaced = new TreeSet<>(removedNetworks);
        networks.forEach(n -> replaced.add(n.networkId()));
        List<L2Plan.Network> merged = new ArrayList<>();
        for (L2Plan.Network n : base.l2().networks()) if (!replaced.contains(n.networkId())) merged.add(n);
        merged.addAll(networks);
        merged.sort(Comparator.comparing(L2Plan.Network::networkId));
        return new HostPlan(host, revision, new L2Plan(merged, base.l2().problems()), firewall == null ? base.firewall() : base.firewall().apply(firewall),
                dhcp == null ? base.dhcp() : dhcp, routers == null ? base.routers() : routers);
    }
}
