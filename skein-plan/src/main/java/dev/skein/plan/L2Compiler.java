package dev.skein.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Compiles a host's {@link L2Plan} from the intent. Pure: the same intent and host give an equal plan. */
public final class L2Compiler {

    private L2Compiler() {}

    public static L2Plan compile(L2Intent intent, String hostName) {
        Map<String, L2Intent.Host> hosts = new HashMap<>();
        for (L2Intent.Host h : intent.hosts()) {
            if (hosts.putIfAbsent(h.name(), h) != null) throw new IllegalArgumentException("host " + h.name() + " listed twice");
        }
        L2Intent.Host self = hosts.getOrDefault(hostName, new L2Intent.Host(hostName, null, Map.of()));

        Map<String, List<L2Intent.Port>> portsByNetwork = intent.ports().stream()
                .filter(L2Intent.Port::bound)
                .sorted(Comparator.comparing(L2Intent.Port::id))
                .collect(Collectors.groupingBy(L2Intent.Port::networkId, TreeMap::new, Collectors.toList()));

        List<L2Plan.Network> networks = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, String> networkByDevice = new HashMap<>();
        Map<String, String> portByTap = new HashMap<>();
        Map<String, String> networkByPhysicalDevice = new HashMap<>();

        for (L2Intent.Network net : intent.networks().stream().sorted(Comparator.comparing(L2Intent.Network::id)).toList()) {
            List<L2Intent.Port> ports = portsByNetwork.getOrDefault(net.id(), List.of());
            List<L2Intent.Port> local = ports.stream().filter(p -> p.hostId().equals(hostName)).toList();
            if (local.isEmpty()) continue;

            String bridge = DeviceNames.bridge(net.id());
            String clash = networkByDevice.putIfAbsent(bridge, net.id());
            if (clash != null) {
                problems.add("network " + net.id() + " left out: its device names collide with network " + clash);
                continue;
            }
            Uplink uplink = uplink(net, ports, self, hosts);
            if (uplink instanceof Uplink.Flat flat) {
                String other = networkByPhysicalDevice.putIfAbsent(flat.device(), net.id());
                if (other != null) {
                    uplink = new Uplink.Unavailable("interface " + flat.device() + " already carries flat network " + other);
                }
            }

            List<L2Plan.Plug> plugs = new ArrayList<>();
            for (L2Intent.Port p : local) {
                String tap = DeviceNames.tap(p.id());
                String owner = portByTap.putIfAbsent(tap, p.id());
                if (owner != null) {
                    problems.add("port " + p.id() + " left out: its interface name " + tap + " is taken by port " + owner);
                    continue;
                }
                plugs.add(new L2Plan.Plug(p.id(), tap, p.mac(), p.adminStateUp()));
            }
            networks.add(new L2Plan.Network(net.id(), bridge, net.mtu(), uplink, plugs));
        }
        return new L2Plan(networks, problems);
    }

    private static Uplink uplink(L2Intent.Network net, List<L2Intent.Port> ports, L2Intent.Host self,
                                 Map<String, L2Intent.Host> hosts) {
        var segment = net.segment();
        return switch (segment.type()) {
            case VXLAN -> {
                if (self.underlayIp() == null) {
                    yield new Uplink.Unavailable("host " + self.name() + " has no underlay address for VXLAN");
                }
                TreeSet<String> flood = new TreeSet<>();
                List<Uplink.RemoteMac> macs = new ArrayList<>();
                for (L2Intent.Port p : ports) {
                    if (p.hostId().equals(self.name())) continue;
                    L2Intent.Host remote = hosts.get(p.hostId());
                    // A host that has not told us its underlay address cannot be reached yet; it will be once it does.
                    if (remote == null || remote.underlayIp() == null || remote.underlayIp().equals(self.underlayIp())) continue;
                    flood.add(remote.underlayIp());
                    if (p.mac() != null) macs.add(new Uplink.RemoteMac(p.mac(), remote.underlayIp()));
                }
                macs.sort(Comparator.comparing(Uplink.RemoteMac::mac).thenComparing(Uplink.RemoteMac::remoteIp));
                yield new Uplink.Vxlan(DeviceNames.vxlan(net.id()), segment.segmentationId(), self.underlayIp(),
                        List.copyOf(flood), macs);
            }
            case FLAT -> {
                String device = self.physicalInterfaces().get(segment.physicalNetwork());
                yield device == null
                        ? unmapped(self, segment.physicalNetwork())
                        : new Uplink.Flat(segment.physicalNetwork(), device);
            }
            case VLAN -> {
                String parent = self.physicalInterfaces().get(segment.physicalNetwork());
                yield parent == null
                        ? unmapped(self, segment.physicalNetwork())
                        : new Uplink.Vlan(segment.physicalNetwork(), parent, segment.segmentationId(), DeviceNames.vlan(net.id()));
            }
        };
    }

    private static Uplink unmapped(L2Intent.Host self, String physicalNetwork) {
        return new Uplink.Unavailable("host " + self.name() + " maps no interface to physical network " + physicalNetwork);
    }
}
