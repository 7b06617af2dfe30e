package dev.skein.plan;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Kernel device names derived from resource ids. Skein owns exactly the devices whose names start with one of
 * {@link #OWNED_PREFIXES}; everything else on a host (the operator's devices, the taps a hypervisor creates) is
 * only ever enslaved or released, never created or deleted.
 */
public final class DeviceNames {
    /** Linux keeps interface names in IFNAMSIZ (16) bytes including the terminating NUL. */
    public static final int MAX_LENGTH = 15;
    public static final String BRIDGE_PREFIX = "skbr-";
    public static final String VXLAN_PREFIX = "skvx-";
    public static final String VLAN_PREFIX = "skvl-";
    public static final List<String> OWNED_PREFIXES = List.of(BRIDGE_PREFIX, VXLAN_PREFIX, VLAN_PREFIX);
    /** Nova and Neutron name a port's host-side interface this way, so hypervisors already create it so. */
    public static final String TAP_PREFIX = "tap";

    private static final Pattern ID = Pattern.compile("[0-9A-Za-z-]+");
    private static final int NETWORK_ID_CHARS = MAX_LENGTH - BRIDGE_PREFIX.length();
    private static final int PORT_ID_CHARS = 11;

    private DeviceNames() {}

    public static String bridge(String networkId) { return BRIDGE_PREFIX + networkPart(networkId); }

    public static String vxlan(String networkId) { return VXLAN_PREFIX + networkPart(networkId); }

    public static String vlan(String networkId) { return VLAN_PREFIX + networkPart(networkId); }

    /** "tap" + the first 11 characters of the port id, hyphen included, as Nova's libvirt driver names it. */
    public static String tap(String portId) {
        requireId(portId);
        return TAP_PREFIX + portId.substring(0, Math.min(PORT_ID_CHARS, portId.length()));
    }

    public static boolean owned(String ifname) {
        return OWNED_PREFIXES.stream().anyMatch(ifname::startsWith);
    }

    /** Hyphens dropped so the ten characters kept carry 40 bits of a UUID rather than 36. */
    private static String networkPart(String networkId) {
        requireId(networkId);
        String compact = networkId.replace("-", "");
        return compact.substring(0, Math.min(NETWORK_ID_CHARS, compact.length()));
    }

    private static void requireId(String id) {
        if (id == null || !ID.matcher(id).matches() || id.replace("-", "").isEmpty()) {
            throw new IllegalArgumentException("'" + id + "' cannot name a device");
        }
    }
}
