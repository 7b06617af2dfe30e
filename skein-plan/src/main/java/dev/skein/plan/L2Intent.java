package dev.skein.plan;

import dev.skein.model.NetworkType;
import dev.skein.model.Segment;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the L2 compiler needs from the intent: the networks with their segment, the bound ports and the hosts
 * with their underlay addresses and physical interfaces. Deliberately narrower than the stored resources so
 * that a change to an attribute L2 does not read cannot change a plan.
 */
public record L2Intent(List<Network> networks, List<Port> ports, List<Host> hosts) {

    public L2Intent {
        networks = List.copyOf(networks);
        ports = List.copyOf(ports);
        hosts = List.copyOf(hosts);
    }

    public record Network(String id, int mtu, Segment segment) {
        public Network {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(segment, "segment");
            if (segment.type() != NetworkType.VXLAN && segment.physicalNetwork() == null) {
                throw new IllegalArgumentException(segment.type().wireName() + " network " + id + " has no physical_network");
            }
            if (segment.type() != NetworkType.FLAT && segment.segmentationId() == null) {
                throw new IllegalArgumentException(segment.type().wireName() + " network " + id + " has no segmentation id");
            }
        }

        public static Network of(dev.skein.model.Network n) { return new Network(n.id(), n.mtu(), n.segment()); }
    }

    /** hostId is binding:host_id; null or empty means the port is not bound anywhere. */
    public record Port(String id, String networkId, String hostId, String mac, boolean adminStateUp) {
        public Port {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(networkId, "networkId");
            mac = mac == null ? null : mac.toLowerCase(Locale.ROOT);
        }

        public static Port of(dev.skein.model.Port p) {
            return new Port(p.id(), p.networkId(), p.hostId(), p.macAddress(), p.adminStateUp());
        }

        boolean bound() { return hostId != null && !hostId.isEmpty(); }
    }

    /**
     * A host as its agent describes itself. underlayIp may be null (a host with only flat networks needs none);
     * it is kept in the canonical text form iproute2 prints, so plans compare equal to what the kernel reports.
     */
    public record Host(String name, String underlayIp, Map<String, String> physicalInterfaces) {
        private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.-]{1," + DeviceNames.MAX_LENGTH + "}");

        public Host {
            Objects.requireNonNull(name, "name");
            underlayIp = underlayIp == null ? null : canonicalIp(underlayIp);
            physicalInterfaces = Map.copyOf(physicalInterfaces);
            physicalInterfaces.values().forEach(Host::requireInterfaceName);
        }

        private static void requireInterfaceName(String name) {
            if (!INTERFACE.matcher(name).matches()) throw new IllegalArgumentException("'" + name + "' is not an interface name");
        }

        private static String canonicalIp(String text) {
            IPAddress address = new IPAddressString(text).getAddress();
            if (address == null || address.isPrefixed()) {
                throw new IllegalArgumentException("underlay address '" + text + "' is not an IP address");
            }
            return address.toCanonicalString();
        }
    }
}
