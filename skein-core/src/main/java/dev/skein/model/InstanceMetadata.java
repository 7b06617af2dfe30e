package dev.skein.model;

import java.time.Instant;
import java.util.Map;

/**
 * What a compute service told Skein about one instance (the device_id of its ports), served to it by the metadata
 * service and written to its config drive. userData is the base64 text the service sent, or null; availabilityZone
 * may be null.
 */
public record InstanceMetadata(String deviceId, String hostname, String name, Map<String, String> publicKeys,
                               String userData, Map<String, String> meta, String availabilityZone,
                               Instant createdAt, Instant updatedAt, long revision) {
    public InstanceMetadata {
        publicKeys = Map.copyOf(publicKeys);
        meta = Map.copyOf(meta);
    }
}
