package dev.skein.metadata;

import dev.skein.ipam.IpAddresses;
import dev.skein.model.FixedIp;
import dev.skein.model.HostRoute;
import dev.skein.model.InstanceMetadata;
import dev.skein.model.Subnet;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The OpenStack-layout documents of one instance, in the shape Nova gives them so that cloud-init and its peers
 * read them unchanged: meta_data.json, network_data.json and user_data.
 */
public final class MetadataDocuments {
    /** The dated versions Nova serves, oldest first; "latest" comes after them. */
    public static final List<String> VERSIONS = List.of("2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15",
            "2016-06-30", "2016-10-06", "2017-02-22", "2018-08-27", "2020-10-14");
    public static final String LATEST = "latest";
    /** meta_data.json gained project_id in this version. */
    private static final String HAVANA = "2013-10-17";
    /** network_data.json, and devices in meta_data.json, appeared in this version. */
    private static final String LIBERTY = "2015-10-15";
    private static final int MAX_LABEL = 63;

    private MetadataDocuments() {}

    public static boolean known(String version) { return LATEST.equals(version) || VERSIONS.contains(version); }

    public static boolean hasNetworkData(String version) { return atLeast(version, LIBERTY); }

    private static boolean atLeast(String version, String since) {
        return LATEST.equals(version) || version.compareTo(since) >= 0;
    }

    /** The attached hostname, else one made from the device id so that every instance has a usable name. */
    public static String hostname(Instance i) {
        InstanceMetadata m = i.metadata();
        if (m != null && m.hostname() != null) return m.hostname();
        String s = i.deviceId().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        s = s.substring(0, Math.min(MAX_LABEL, s.length())).replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "instance" : s;
    }

    public static Map<String, Object> metaData(Instance i, String version) {
        InstanceMetadata m = i.metadata();
        Map<String, String> keys = m == null ? Map.of() : new TreeMap<>(m.publicKeys());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("uuid", i.deviceId());
        d.put("meta", m == null ? Map.of() : new TreeMap<>(m.meta()));
        d.put("hostname", hostname(i));
        d.put("name", m != null && m.name() != null ? m.name() : hostname(i));
        d.put("launch_index", 0);
        d.put("availability_zone", m == null ? null : m.availabilityZone());
        d.put("public_keys", keys);
        List<Map<String, Object>> typed = new ArrayList<>();
        keys.forEach((name, key) -> typed.add(ordered("name", name, "type", "ssh", "data", key)));
        d.put("keys", typed);
        if (atLeast(version, HAVANA)) d.put("project_id", i.projectId());
        if (atLeast(version, LIBERTY)) d.put("devices", List.of());
        return d;
    }

    /** Null when no user data was attached (the file is then absent, as in Nova). */
    public static byte[] userData(Instance i) {
        InstanceMetadata m = i.metadata();
        return m == null || m.userData() == null ? null : Base64.getDecoder().decode(m.userData().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * One link per port, one network per fixed IP with its subnet's routes and DNS servers, and every DNS server
     * once more as a global service. IPv4 subnets with DHCP are typed ipv4_dhcp and IPv6 subnets by their address
     * mode, as Nova types them; the addresses are given in every case, so a guest without DHCP can still use them.
     */
    public static Map<String, Object> networkData(Instance i) {
        List<Map<String, Object>> links = new ArrayList<>();
        List<Map<String, Object>> networks = new ArrayList<>();
        Set<String> dns = new LinkedHashSet<>();
        for (Instance.Nic nic : i.nics()) {
            String link = "tap" + nic.port().id().substring(0, Math.min(11, nic.port().id().length()));
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("id", link);
            l.put("vif_id", nic.port().id());
            // Skein's binding:vif_type: the hypervisor's tap device, plugged into a bridge by the agent.
            l.put("type", "tap");
            l.put("mtu", nic.mtu());
            l.put("ethernet_mac_address", nic.port().macAddress());
            links.add(l);
            for (FixedIp ip : nic.port().fixedIps()) {
                Subnet s = nic.subnets().get(ip.subnetId());
                if (s == null) continue;
                Map<String, Object> n = new LinkedHashMap<>();
                n.put("id", "network" + networks.size());
                n.put("type", networkType(s));
                n.put("link", link);
                n.put("ip_address", ip.ipAddress());
                n.put("netmask", netmask(s.ipVersion(), IpAddresses.parsePrefix(s.cidr()).length()));
                n.put("routes", routes(s));
                n.put("network_id", nic.port().networkId());
                n.put("services", s.dnsNameservers().stream().map(MetadataDocuments::dnsService).toList());
                networks.add(n);
                dns.addAll(s.dnsNameservers());
            }
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("links", links);
        d.put("networks", networks);
        d.put("services", dns.stream().map(MetadataDocuments::dnsService).toList());
        return d;
    }

    static String networkType(Subnet s) {
        if (s.ipVersion() == 4) return s.enableDhcp() ? "ipv4_dhcp" : "ipv4";
        if (s.ipv6AddressMode() != null) return "ipv6_" + s.ipv6AddressMode();
        return s.enableDhcp() ? "ipv6_dhcp" : "ipv6";
    }

    private static List<Map<String, Object>> routes(Subnet s) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (s.gatewayIp() != null) {
            String any = s.ipVersion() == 4 ? "0.0.0.0" : "::";
            out.add(ordered("network", any, "netmask", any, "gateway", s.gatewayIp()));
        }
        for (HostRoute r : s.hostRoutes()) {
            IpAddresses.Prefix p = IpAddresses.parsePrefix(r.destination());
            out.add(ordered("network", IpAddresses.format(p.version(), p.network()), "netmask", netmask(p.version(), p.length()),
                    "gateway", r.nexthop()));
        }
        return out;
    }

    static String netmask(int version, int length) {
        int bits = version == 4 ? 32 : 128;
        BigInteger host = BigInteger.ONE.shiftLeft(bits - length).subtract(BigInteger.ONE);
        return IpAddresses.format(version, IpAddresses.maxValue(version).xor(host));
    }

    private static Map<String, Object> dnsService(String address) { return ordered("type", "dns", "address", address); }

    private static Map<String, Object> ordered(String... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int k = 0; k < kv.length; k += 2) m.put(kv[k], kv[k + 1]);
        return m;
    }
}
