package dev.skein.agent.host;

import dev.skein.agent.l2.KernelL2State;
import dev.skein.plan.L2Plan;

import java.util.Map;
import java.util.TreeMap;

/**
 * The status of every port in a plan as the kernel shows it: ACTIVE only when the port is administratively up and
 * its interface exists, is up, and is a port of its network's bridge, which is itself up; DOWN otherwise.
 */
public final class PortStatuses {
    public static final String ACTIVE = "ACTIVE";
    public static final String DOWN = "DOWN";

    private PortStatuses() {}

    public static Map<String, String> of(L2Plan plan, KernelL2State kernel) {
        Map<String, String> out = new TreeMap<>();
        for (L2Plan.Network net : plan.networks()) {
            KernelL2State.Link bridge = kernel.links().get(net.bridge());
            boolean bridgeUp = net.realisable() && bridge != null && "bridge".equals(bridge.kind()) && bridge.up();
            for (L2Plan.Plug plug : net.plugs()) {
                KernelL2State.Link tap = kernel.links().get(plug.tap());
                boolean plugged = bridgeUp && plug.up() && tap != null && tap.up() && net.bridge().equals(tap.master());
                out.put(plug.portId(), plugged ? ACTIVE : DOWN);
            }
        }
        return out;
    }
}
