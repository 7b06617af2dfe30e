package dev.skein.plan.fw;

import dev.skein.model.FixedIp;
import dev.skein.plan.DeviceNames;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What the firewall compiler needs to know about one host: the ports bound to it, the security groups those
 * ports use, and for every group that a rule names as remote_group_id the addresses of its members (on any
 * host: fixed IPs and allowed address pairs of the member ports). Narrower than the stored resources, so a
 * change to anything the firewall does not read cannot change the plan.
 */
public record FirewallIntent(List<Port> ports, List<SecurityGroup> groups, Map<String, List<String>> groupMembers) {

    public FirewallIntent {
        ports = List.copyOf(ports);
        groups = List.copyOf(groups);
        groupMembers = Map.copyOf(groupMembers);
    }

    /**
     * A port on this host. tap is the host-side interface the hypervisor plugs; fixedIps are addresses without a
     * prefix length; networkId selects the bridge and with it the conntrack zone.
     */
    public record Port(String id, String networkId, String tap, String mac, List<String> fixedIps,
                       List<AddressPair> allowedAddressPairs, boolean portSecurityEnabled, List<String> securityGroupIds) {
        public Port {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(networkId, "networkId");
            Objects.requireNonNull(tap, "tap");
            mac = mac == null ? null : mac.toLowerCase(Locale.ROOT);
            fixedIps = List.copyOf(fixedIps);
            allowedAddressPairs = List.copyOf(allowedAddressPairs);
            securityGroupIds = List.copyOf(securityGroupIds);
        }

        /**
         * The port as the firewall sees it. The network's own ports (device_owner network:*: DHCP servers, router
         * interfaces and gateways) are trusted as in Neutron, with neither filtering nor anti-spoofing: they answer
         * for addresses other than their own, as a router forwards and a gateway carries floating IPs.
         */
        public static Port of(dev.skein.model.Port p) {
            return new Port(p.id(), p.networkId(), DeviceNames.tap(p.id()), p.macAddress(),
                    p.fixedIps().stream().map(FixedIp::ipAddress).toList(),
                    p.allowedAddressPairs().stream().map(a -> new AddressPair(a.ipAddress(), a.macAddress())).toList(),
                    p.portSecurityEnabled() && !trusted(p.deviceOwner()), p.securityGroups() == null ? List.of() : p.securityGroups());
        }

        public static boolean trusted(String deviceOwner) { return deviceOwner != null && deviceOwner.startsWith("network:"); }
    }

    /** ipAddress is an address or a CIDR; macAddress null means the port's own MAC. */
    public record AddressPair(String ipAddress, String macAddress) {
        public AddressPair {
            Objects.requireNonNull(ipAddress, "ipAddress");
            macAddress = macAddress == null ? null : macAddress.toLowerCase(Locale.ROOT);
        }
    }

    public record SecurityGroup(String id, List<Rule> rules) {
        public SecurityGroup {
            Objects.requireNonNull(id, "id");
            rules = List.copyOf(rules);
        }
    }

    public enum Direction { INGRESS, EGRESS }

    /**
     * A security group rule with Neutron's meaning: ethertype "IPv4" or "IPv6"; protocol null (any), a name or a
     * number; for ICMP the port range carries type (min) and code (max); at most one of remoteIpPrefix and
     * remoteGroupId is normally set.
     */
    public record Rule(Direction direction, String ethertype, String protocol, Integer portRangeMin, Integer portRangeMax,
                       String remoteIpPrefix, String remoteGroupId) {
        public Rule {
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(ethertype, "ethertype");
        }
    }
}
