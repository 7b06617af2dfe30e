package dev.skein.store;

import dev.skein.model.InstanceMetadata;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Per-instance metadata, one row per device_id, and the look-ups the metadata service needs to find an instance. */
public interface InstanceMetadataRepository {
    Optional<InstanceMetadata> get(String deviceId);

    /** Inserts it; false if the device already has metadata (unique constraint). */
    boolean tryInsert(InstanceMetadata m);

    void update(InstanceMetadata m);

    /** False when there was none. */
    boolean delete(String deviceId);

    /** The port that holds the address as a fixed IP on one of the subnets, if any (addresses are unique per subnet). */
    Optional<String> portAt(Collection<String> subnetIds, String address);

    /** Ids of the ports whose device_id is deviceId, oldest first. */
    List<String> portsOfDevice(String deviceId);
}
