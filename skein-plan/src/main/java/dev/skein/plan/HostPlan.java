package dev.skein.plan;

import dev.skein.plan.fw.FirewallPlan;

import java.util.Objects;

/**
 * Everything one host must hold, one part per compiler, stamped with the intent revision it was compiled
 * from so an agent can report which revision it has realised. A plan without a firewall part (from a controller
 * that compiled none) holds the empty firewall.
 */
public record HostPlan(String host, long revision, L2Plan l2, FirewallPlan firewall) {
    public HostPlan {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(l2, "l2");
        firewall = firewall == null ? FirewallPlan.EMPTY : firewall;
    }

    public HostPlan(String host, long revision, L2Plan l2) { this(host, revision, l2, FirewallPlan.EMPTY); }
}
