package dev.skein.metadata;

import dev.skein.model.FloatingIp;
import dev.skein.model.InstanceMetadata;
import dev.skein.model.Port;
import dev.skein.model.Subnet;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the metadata documents of one instance are made of, read from the store: its ports (oldest first),
 * each with its network's MTU, the subnets of its fixed IPs and the floating IPs associated with it, and the
 * metadata a compute service attached (null when none was).
 */
public record Instance(String deviceId, String projectId, InstanceMetadata metadata, List<Nic> nics) {
    public Instance {
        Objects.requireNonNull(deviceId);
        nics = List.copyOf(nics);
    }

    public record Nic(Port port, int mtu, Map<String, Subnet> subnets, List<FloatingIp> floatingIps) {
        public Nic {
            subnets = Map.copyOf(subnets);
            floatingIps = List.copyOf(floatingIps);
        }
    }
}
