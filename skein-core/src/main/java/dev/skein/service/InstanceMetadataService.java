package dev.skein.service;

import dev.skein.attr.Attributes;
import dev.skein.error.NeutronException;
import dev.skein.ipam.IpAddresses;
import dev.skein.metadata.Instance;
import dev.skein.metadata.MetadataEntry;
import dev.skein.metadata.MetadataTree;
import dev.skein.model.FixedIp;
import dev.skein.model.InstanceMetadata;
import dev.skein.model.Network;
import dev.skein.model.Port;
import dev.skein.model.Subnet;
import dev.skein.policy.Policy;
import dev.skein.policy.RequestContext;
import dev.skein.store.Store;
import dev.skein.store.Tx;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Instance metadata: what a compute service attaches to an instance (admin only), and the documents the metadata
 * service and config drives hand to the instance, built from the ports, subnets and floating IPs as the API has
 * them.
 *
 * <p>An instance asking the metadata service is found only from where its request arrived: the network (or router)
 * whose proxy received it and its source address, which must be a fixed IP of one of its ports on that network (or
 * on one of the router's interface subnets). Nothing the instance sends can make it another instance.
 */
public final class InstanceMetadataService {
    static final Set<String> ATTRIBUTES = Set.of("hostname", "name", "public_keys", "user_data", "meta", "availability_zone");
    /** Nova's bound on user data (the base64 text). */
    public static final int MAX_USER_DATA = 65_535;
    /** Nova's bounds on metadata items. */
    public static final int MAX_META_ITEMS = 128;
    public static final int MAX_META_CHARS = 255;
    public static final int MAX_KEYS = 16;
    public static final int MAX_KEY_CHARS = 16_384;
    public static final int MAX_DEVICE_ID = 255;
    private static final int MAX_HOSTNAME = 253;
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern KEY_NAME = Pattern.compile("[^\\s/=]{1,255}");

    /** The stored metadata and whether this request created it. */
    public record Put(InstanceMetadata metadata, boolean created) {}

    private final Store store;
    private final Clock clock;

    public InstanceMetadataService(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Creates or replaces the device's metadata as a whole; absent attributes take their defaults. */
    public Put put(RequestContext ctx, String deviceId, Map<String, Object> body) {
        Policy.requireAdmin(ctx, "update_instance_metadata");
        deviceId(deviceId);
        Attributes a = Attributes.of(body, ATTRIBUTES);
        String hostname = hostname(a.string("hostname", null));
        String name = a.string("name", null);
        if (name != null && name.length() > StandardAttributes.MAX_NAME) {
            throw NeutronException.invalidAttribute("name", "exceeds maximum length of " + StandardAttributes.MAX_NAME);
        }
        Map<String, String> keys = publicKeys(a.object("public_keys"));
        String userData = userData(a.string("user_data", null));
        Map<String, String> meta = meta(a.object("meta"));
        String zone = a.string("availability_zone", null);
        if (zone != null && (zone.isEmpty() || zone.length() > StandardAttributes.MAX_NAME)) {
            throw NeutronException.invalidAttribute("availability_zone", "must be 1 to " + StandardAttributes.MAX_NAME + " characters");
        }
        return store.write(tx -> {
            Instant now = StandardAttributes.now(clock);
            Optional<InstanceMetadata> old = tx.instanceMetadata().get(deviceId);
            if (old.isPresent()) {
                InstanceMetadata o = old.get();
                InstanceMetadata m = new InstanceMetadata(deviceId, hostname, name, keys, userData, meta, zone,
                        o.createdAt(), now, o.revision() + 1);
                tx.instanceMetadata().update(m);
                return new Put(m, false);
            }
            InstanceMetadata m = new InstanceMetadata(deviceId, hostname, name, keys, userData, meta, zone, now, now, 0);
            if (!tx.instanceMetadata().tryInsert(m)) {
                throw NeutronException.conflict("Conflict", "Metadata for device " + deviceId + " was created at the same time; retry.");
            }
            return new Put(m, true);
        });
    }

    public InstanceMetadata get(RequestContext ctx, String deviceId) {
        Policy.requireAdmin(ctx, "get_instance_metadata");
        return store.read(tx -> tx.instanceMetadata().get(deviceId)).orElseThrow(() -> notFound(deviceId));
    }

    public void delete(RequestContext ctx, String deviceId) {
        Policy.requireAdmin(ctx, "delete_instance_metadata");
        if (!store.write(tx -> tx.instanceMetadata().delete(deviceId))) throw notFound(deviceId);
    }

    /** The files of the device's config drive; 404 when no port and no metadata has that device id. */
    public Map<String, MetadataEntry> configDrive(RequestContext ctx, String deviceId) {
        Policy.requireAdmin(ctx, "get_instance_metadata");
        deviceId(deviceId);
        Instance instance = store.read(tx -> instance(tx, deviceId));
        if (instance.nics().isEmpty() && instance.metadata() == null) {
            throw NeutronException.notFound("DeviceNotFound", "No port or instance metadata has device_id " + deviceId + ".");
        }
        return MetadataTree.configDrive(instance);
    }

    /**
     * What path names for the instance whose port holds address on the network (networkId) or on one of the router's
     * interface subnets (routerId); exactly one of them is given, by the agent's proxy that received the request.
     * Empty when no instance port holds the address there or the path names nothing.
     */
    public Optional<MetadataEntry> serve(RequestContext ctx, String networkId, String routerId, String address, String path) {
        Policy.requireAdmin(ctx, "get_instance_metadata");
        if ((networkId == null) == (routerId == null)) {
            throw NeutronException.badRequest("A metadata request names exactly one network or one router");
        }
        IpAddresses.Ip ip = IpAddresses.parse(address);
        if (ip == null) throw NeutronException.badRequest("'" + address + "' is not an IP address");
        return store.read(tx -> {
            Optional<String> portId = tx.instanceMetadata().portAt(originSubnets(tx, networkId, routerId), ip.text());
            Optional<Port> port = portId.flatMap(id -> tx.ports().get(id));
            if (port.isEmpty() || port.get().deviceId().isEmpty() || port.get().deviceOwner().startsWith("network:")) {
                return Optional.<MetadataEntry>empty();
            }
            Instance instance = instance(tx, port.get().deviceId());
            Instance.Nic nic = instance.nics().stream().filter(n -> n.port().id().equals(port.get().id())).findFirst().orElseThrow();
            return MetadataTree.resolve(instance, new MetadataTree.Caller(nic, ip.text()), path);
        });
    }

    private static List<String> originSubnets(Tx tx, String networkId, String routerId) {
        if (networkId != null) return tx.subnets().onNetwork(networkId).stream().map(Subnet::id).toList();
        Set<String> subnets = new LinkedHashSet<>();
        tx.ipAllocations().ofPorts(tx.routers().interfacePorts(routerId)).values()
                .forEach(ips -> ips.forEach(ip -> subnets.add(ip.subnetId())));
        return List.copyOf(subnets);
    }

    private static Instance instance(Tx tx, String deviceId) {
        List<String> ids = tx.instanceMetadata().portsOfDevice(deviceId);
        Map<String, List<FixedIp>> fixed = tx.ipAllocations().ofPorts(ids);
        List<Port> ports = new ArrayList<>(tx.ports().getAll(ids));
        ports.sort(Comparator.comparingInt(p -> ids.indexOf(p.id())));
        Map<String, Network> networks = new HashMap<>();
        Map<String, Subnet> subnets = new HashMap<>();
        List<Instance.Nic> nics = new ArrayList<>();
        for (Port p : ports) {
            Port port = p.withFixedIps(fixed.getOrDefault(p.id(), List.of()));
            Network network = networks.computeIfAbsent(port.networkId(), id -> tx.networks().get(id).orElseThrow());
            Map<String, Subnet> own = new LinkedHashMap<>();
            for (FixedIp ip : port.fixedIps()) {
                own.put(ip.subnetId(), subnets.computeIfAbsent(ip.subnetId(), id -> tx.subnets().get(id).orElseThrow()));
            }
            nics.add(new Instance.Nic(port, network.mtu(), own, tx.floatingIps().onPort(port.id())));
        }
        String project = ports.isEmpty() ? "" : ports.getFirst().projectId();
        return new Instance(deviceId, project, tx.instanceMetadata().get(deviceId).orElse(null), nics);
    }

    private static void deviceId(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_DEVICE_ID) {
            throw NeutronException.invalidAttribute("device_id", "must be 1 to " + MAX_DEVICE_ID + " characters");
        }
    }

    private static String hostname(String h) {
        if (h == null) return null;
        String bare = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
        if (bare.isEmpty() || bare.length() > MAX_HOSTNAME) {
            throw NeutronException.invalidAttribute("hostname", "'" + h + "' is not a valid hostname");
        }
        for (String label : bare.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) throw NeutronException.invalidAttribute("hostname", "'" + h + "' is not a valid hostname");
        }
        return bare;
    }

    private static Map<String, String> publicKeys(Map<String, Object> raw) {
        if (raw == null) return Map.of();
        if (raw.size() > MAX_KEYS) throw NeutronException.invalidAttribute("public_keys", "more than " + MAX_KEYS + " keys");
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : raw.entrySet()) {
            if (!KEY_NAME.matcher(e.getKey()).matches()) {
                throw NeutronException.invalidAttribute("public_keys", "'" + e.getKey() + "' is not a valid key name");
            }
            if (!(e.getValue() instanceof String key) || key.isBlank() || key.length() > MAX_KEY_CHARS) {
                throw NeutronException.invalidAttribute("public_keys", "the key of '" + e.getKey() + "' must be a string of 1 to "
                        + MAX_KEY_CHARS + " characters");
            }
            out.put(e.getKey(), key.strip());
        }
        return out;
    }

    /** Base64 as Nova takes it; line breaks and spaces are dropped, anything else that is not base64 is refused. */
    private static String userData(String raw) {
        if (raw == null) return null;
        if (raw.length() > MAX_USER_DATA) {
            throw NeutronException.invalidAttribute("user_data", "more than " + MAX_USER_DATA + " characters of base64");
        }
        String compact = raw.replaceAll("\\s", "");
        try {
            Base64.getDecoder().decode(compact.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw NeutronException.invalidAttribute("user_data", "not valid base64");
        }
        return compact;
    }

    private static Map<String, String> meta(Map<String, Object> raw) {
        if (raw == null) return Map.of();
        if (raw.size() > MAX_META_ITEMS) throw NeutronException.invalidAttribute("meta", "more than " + MAX_META_ITEMS + " items");
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : raw.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().length() > MAX_META_CHARS || !(e.getValue() instanceof String v) || v.length() > MAX_META_CHARS) {
                throw NeutronException.invalidAttribute("meta", "keys must be 1 to " + MAX_META_CHARS + " characters and values strings of at most "
                        + MAX_META_CHARS);
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    private static NeutronException notFound(String deviceId) {
        return NeutronException.notFound("InstanceMetadataNotFound", "Instance metadata for device " + deviceId + " could not be found.");
    }
}
