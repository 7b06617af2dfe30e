package dev.skein.plan;

import dev.skein.plan.dhcp.DhcpPlan;
import dev.skein.plan.fw.FirewallSections;
import dev.skein.plan.l3.RouterPlan;

import java.util.Objects;

/**
 * Everything one host must hold, one part per compiler, stamped with the intent revision it was compiled
 * from so an agent can report which revision it has realised. A part missing from a plan (from a controller
 * that compiled none) is the empty part.
 */
public record HostPlan(String host, long revision, L2Plan l2, FirewallSections firewall, DhcpPlan dhcp, RouterPlan routers) {
    public HostPlan {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(l2, "l2");
        firewall = firewall == null ? FirewallSections.EMPTY : firewall;
        dhcp = dhcp == null ? DhcpPlan.EMPTY : dhcp;
        routers = routers == null ? RouterPlan.EMPTY : routers;
    }

    public HostPlan(String host, long revision, L2Plan l2, FirewallSections firewall) { this(host, revision, l2, firewall, null, null); }

    public HostPlan(String host, long revision, L2Plan l2) { this(host, revision, l2, FirewallSections.EMPTY); }
}
