package dev.skein.metadata;

import dev.skein.ipam.IpAddresses;
import dev.skein.model.FloatingIp;
import dev.skein.model.InstanceMetadata;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The paths of the metadata service for one instance: the OpenStack layout under openstack/ and the EC2 layout
 * under latest/ (and 2009-04-04/, the oldest version cloud-init's EC2 source asks for). The EC2 values that depend
 * on the NIC a request came through (local-ipv4, mac, public-ipv4) come from the caller.
 */
public final class MetadataTree {
    public static final List<String> EC2_VERSIONS = List.of("2009-04-04", MetadataDocuments.LATEST);

    /** The port a request came from and its source address, which is one of the port's fixed IPs. */
    public record Caller(Instance.Nic nic, String address) {}

    /** A directory: its children by name (entries or directories) and the names its listing shows. */
    private record Dir(Map<String, Object> children, List<String> listing) {
        static Dir of(Map<String, Object> children, boolean slashSubdirs) {
            List<String> names = new ArrayList<>();
            children.forEach((name, child) -> names.add(slashSubdirs && child instanceof Dir ? name + "/" : name));
            return new Dir(children, names);
        }
    }

    private MetadataTree() {}

    /** What the path names for a request from caller, if anything; leading, trailing and doubled slashes are ignored. */
    public static Optional<MetadataEntry> resolve(Instance instance, Caller caller, String path) {
        Object node = root(instance, caller);
        for (String segment : path.split("/")) {
            if (segment.isEmpty()) continue;
            if (!(node instanceof Dir dir) || !dir.children().containsKey(segment)) return Optional.empty();
            node = dir.children().get(segment);
        }
        return Optional.of(node instanceof Dir dir ? new MetadataEntry.Listing(dir.listing()) : (MetadataEntry) node);
    }

    /**
     * The files of an OpenStack config drive, by path (openstack/latest/meta_data.json, and the same for every dated
     * version); only JSON documents and user data.
     */
    public static Map<String, MetadataEntry> configDrive(Instance instance) {
        Map<String, MetadataEntry> files = new TreeMap<>();
        collect("openstack", openstack(instance), files);
        return files;
    }

    private static void collect(String prefix, Dir dir, Map<String, MetadataEntry> out) {
        dir.children().forEach((name, child) -> {
            if (child instanceof Dir d) collect(prefix + "/" + name, d, out);
            else out.put(prefix + "/" + name, (MetadataEntry) child);
        });
    }

    private static Dir root(Instance instance, Caller caller) {
        Map<String, Object> children = new LinkedHashMap<>();
        Dir ec2 = ec2(instance, caller);
        for (String v : EC2_VERSIONS) children.put(v, ec2);
        children.put("openstack", openstack(instance));
        // Nova's root lists the EC2 versions only; openstack/ is found by name.
        return new Dir(children, EC2_VERSIONS);
    }

    private static Dir openstack(Instance instance) {
        Map<String, Object> versions = new LinkedHashMap<>();
        byte[] userData = MetadataDocuments.userData(instance);
        List<String> all = new ArrayList<>(MetadataDocuments.VERSIONS);
        all.add(MetadataDocuments.LATEST);
        for (String v : all) {
            Map<String, Object> files = new LinkedHashMap<>();
            files.put("meta_data.json", new MetadataEntry.Json(MetadataDocuments.metaData(instance, v)));
            if (MetadataDocuments.hasNetworkData(v)) {
                files.put("network_data.json", new MetadataEntry.Json(MetadataDocuments.networkData(instance)));
            }
            if (userData != null) files.put("user_data", new MetadataEntry.Bytes(userData));
            versions.put(v, Dir.of(files, false));
        }
        return Dir.of(versions, false);
    }

    private static Dir ec2(Instance instance, Caller caller) {
        InstanceMetadata m = instance.metadata();
        String hostname = MetadataDocuments.hostname(instance);
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("ami-launch-index", text("0"));
        md.put("hostname", text(hostname));
        md.put("instance-id", text(instance.deviceId()));
        md.put("local-hostname", text(hostname));
        IpAddresses.Ip ip = IpAddresses.parse(caller.address());
        if (ip != null && ip.version() == 4) md.put("local-ipv4", text(caller.address()));
        md.put("mac", text(caller.nic().port().macAddress()));
        if (m != null && m.availabilityZone() != null) {
            md.put("placement", Dir.of(Map.of("availability-zone", text(m.availabilityZone())), true));
        }
        caller.nic().floatingIps().stream().filter(f -> caller.address().equals(f.fixedIpAddress()))
                .map(FloatingIp::floatingIpAddress).findFirst().ifPresent(f -> md.put("public-ipv4", text(f)));
        if (m != null && !m.publicKeys().isEmpty()) md.put("public-keys", publicKeys(m.publicKeys()));
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("meta-data", Dir.of(md, true));
        byte[] userData = MetadataDocuments.userData(instance);
        if (userData != null) version.put("user-data", new MetadataEntry.Bytes(userData));
        return Dir.of(version, true);
    }

    /** Listed as index=name; each index holds the key in OpenSSH form. */
    private static Dir publicKeys(Map<String, String> keys) {
        Map<String, Object> byIndex = new LinkedHashMap<>();
        List<String> listing = new ArrayList<>();
        new TreeMap<>(keys).forEach((name, key) -> {
            String index = String.valueOf(byIndex.size());
            listing.add(index + "=" + name);
            byIndex.put(index, Dir.of(Map.of("openssh-key", text(key)), false));
        });
        return new Dir(byIndex, listing);
    }

    private static MetadataEntry text(String s) { return new MetadataEntry.Text(s); }
}
