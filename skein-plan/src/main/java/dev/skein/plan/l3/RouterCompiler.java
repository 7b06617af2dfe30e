package dev.skein.plan.l3;

import dev.skein.ipam.IpAddresses;
import dev.skein.ipam.MacAddresses;
import dev.skein.model.FixedIp;
import dev.skein.model.HostRoute;
import dev.skein.plan.InterfaceAddress;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Compiles the routers of one host from the intent. A router lives where its ports (gateway and interfaces) are
 * bound, so placement is whatever bound them; only the ports bound to this host are realised here, and any bound
 * elsewhere are reported. A router that is administratively down is not held at all, as Neutron's L3 agent tears
 * it down. Pure: the same intent and host give an equal plan. Odd intent is left out and reported in the plan's
 * problems rather than failing the whole plan.
 */
public final class RouterCompiler {

    private RouterCompiler() {}

    public static RouterPlan compile(RouterIntent intent, String host) {
        Run run = new Run(intent, host);
        List<RouterPlan.Router> routers = new ArrayList<>();
        for (RouterIntent.Router r : intent.routers().stream().sorted(Comparator.comparing(RouterIntent.Router::id)).toList()) {
            RouterPlan.Router compiled = run.router(r);
            if (compiled != null) routers.add(compiled);
        }
        return new RouterPlan(routers, run.problems);
    }

    private static final class Run {
        private final String host;
        private final Map<String, RouterIntent.Port> ports = new HashMap<>();
        private final Map<String, RouterIntent.Subnet> subnets = new HashMap<>();
        private final Map<String, RouterIntent.Network> networks = new HashMap<>();
        private final Map<String, List<RouterIntent.FloatingIp>> floatingIps;
        private final List<String> problems = new ArrayList<>();

        Run(RouterIntent intent, String host) {
            this.host = host;
            intent.ports().forEach(p -> ports.putIfAbsent(p.id(), p));
            intent.subnets().forEach(s -> subnets.putIfAbsent(s.id(), s));
            intent.networks().forEach(n -> networks.putIfAbsent(n.id(), n));
            floatingIps = intent.floatingIps().stream().sorted(Comparator.comparing(RouterIntent.FloatingIp::id))
                    .collect(Collectors.groupingBy(RouterIntent.FloatingIp::routerId));
        }

        RouterPlan.Router router(RouterIntent.Router r) {
            List<String> own = new ArrayList<>();
            if (r.gatewayPortId() != null) own.add(r.gatewayPortId());
            own.addAll(r.interfacePortIds());
            boolean here = own.stream().map(ports::get).anyMatch(p -> p != null && p.hostId().equals(host));
            if (!here || !r.adminStateUp()) return null;
            for (String id : own) {
                RouterIntent.Port p = ports.get(id);
                if (p == null) problems.add("router " + r.id() + ": port " + id + " is unknown; left out");
                else if (p.hostId().isEmpty()) problems.add("router " + r.id() + ": port " + id + " is bound to no host; left out");
                else if (!p.hostId().equals(host)) problems.add("router " + r.id() + ": port " + id + " is bound to " + p.hostId() + "; left out here");
            }

            RouterPlan.Gateway gateway = local(r.gatewayPortId()) == null ? null : gateway(r, local(r.gatewayPortId()));
            List<RouterPlan.Interface> interfaces = new ArrayList<>();
            for (String id : r.interfacePortIds()) {
                RouterIntent.Port p = local(id);
                if (p == null) continue;
                RouterPlan.Interface i = routerInterface(r, p);
                if (i != null) interfaces.add(i);
            }
            List<RouterPlan.Route> routes = new ArrayList<>();
            for (HostRoute route : r.routes()) routes.add(new RouterPlan.Route(route.destination(), route.nexthop()));
            return new RouterPlan.Router(r.id(), r.projectId(), gateway, interfaces, routes, floatingIps(r, gateway, interfaces), true);
        }

        private RouterIntent.Port local(String portId) {
            RouterIntent.Port p = portId == null ? null : ports.get(portId);
            return p != null && p.hostId().equals(host) ? p : null;
        }

        private RouterPlan.Gateway gateway(RouterIntent.Router r, RouterIntent.Port p) {
            RouterIntent.Network network = networks.get(p.networkId());
            String mac = MacAddresses.normalize(p.mac());
            if (network == null || mac == null) {
                problems.add("router " + r.id() + ": gateway port " + p.id() + " left out: "
                        + (network == null ? "its network " + p.networkId() + " is unknown" : "it has no valid MAC address"));
                return null;
            }
            LinkedHashSet<String> nexthops = new LinkedHashSet<>();
            for (FixedIp ip : p.fixedIps()) {
                RouterIntent.Subnet s = subnets.get(ip.subnetId());
                if (s != null && s.networkId().equals(p.networkId()) && s.gatewayIp() != null) nexthops.add(s.gatewayIp());
            }
            return new RouterPlan.Gateway(p.id(), p.networkId(), mac, network.mtu(), addresses(r, p), List.copyOf(nexthops), r.enableSnat());
        }

        private RouterPlan.Interface routerInterface(RouterIntent.Router r, RouterIntent.Port p) {
            RouterIntent.Network network = networks.get(p.networkId());
            String mac = MacAddresses.normalize(p.mac());
            if (network == null || mac == null) {
                problems.add("router " + r.id() + ": interface " + p.id() + " left out: "
                        + (network == null ? "its network " + p.networkId() + " is unknown" : "it has no valid MAC address"));
                return null;
            }
            return new RouterPlan.Interface(p.id(), p.networkId(), mac, network.mtu(), addresses(r, p));
        }

        private List<String> addresses(RouterIntent.Router r, RouterIntent.Port p) {
            List<String> out = new ArrayList<>();
            for (FixedIp ip : p.fixedIps()) {
                RouterIntent.Subnet s = subnets.get(ip.subnetId());
                String address = s == null || !s.networkId().equals(p.networkId()) ? null : InterfaceAddress.of(ip.ipAddress(), s.cidr());
                if (address == null) {
                    problems.add("router " + r.id() + ": address " + ip.ipAddress() + " of port " + p.id()
                            + " is not on a known subnet of its network; left out");
                } else {
                    out.add(address);
                }
            }
            return out;
        }

        /**
         * The router's floating IPs, which need its gateway here (they are answered on it) and an interface here on
         * the subnet of the fixed IP (where the translated traffic goes).
         */
        private List<RouterPlan.FloatingIp> floatingIps(RouterIntent.Router r, RouterPlan.Gateway gateway, List<RouterPlan.Interface> interfaces) {
            List<RouterPlan.FloatingIp> out = new ArrayList<>();
            List<IpAddresses.Prefix> inside = interfaces.stream().flatMap(i -> i.addresses().stream()).map(IpAddresses::parsePrefix).toList();
            for (RouterIntent.FloatingIp f : floatingIps.getOrDefault(r.id(), List.of())) {
                IpAddresses.Ip floating = IpAddresses.parse(f.floatingIpAddress());
                IpAddresses.Ip fixed = IpAddresses.parse(f.fixedIpAddress());
                String why = gateway == null ? "router " + r.id() + " has no gateway on this host"
                        : floating == null || floating.version() != 4 || fixed == null || fixed.version() != 4
                        ? "it does not map an IPv4 address to an IPv4 address"
                        : inside.stream().noneMatch(p -> p.contains(fixed))
                        ? "its fixed IP " + f.fixedIpAddress() + " is on no interface of router " + r.id() + " on this host"
                        : null;
                if (why != null) problems.add("floating IP " + f.id() + " left out: " + why);
                else out.add(new RouterPlan.FloatingIp(f.id(), floating.text(), fixed.text()));
            }
            return out;
        }
    }
}
