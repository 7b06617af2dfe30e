package dev.skein.model;

import java.time.Instant;
import java.util.List;

/**
 * A floating IP: an address held by a port on an external network (floatingPortId), optionally associated with
 * one fixed IPv4 address of an internal port, reached through routerId. portId, fixedIpAddress and routerId are
 * all set or all null.
 */
public record FloatingIp(
        String id, String projectId, String description, String floatingNetworkId, String floatingIpAddress,
        String floatingPortId, String portId, String fixedIpAddress, String routerId, String status,
        List<String> tags, Instant createdAt, Instant updatedAt, long revision) {

    public static final String PORT_OWNER = "network:floatingip";
    /** Nothing realises floating IPs yet, so status follows the association the way OVN reports it. */
    public static final String ACTIVE = "ACTIVE";
    public static final String DOWN = "DOWN";

    public boolean associated() { return portId != null; }

    public FloatingIp withTags(List<String> newTags, Instant now) {
        return new FloatingIp(id, projectId, description, floatingNetworkId, floatingIpAddress, floatingPortId, portId,
                fixedIpAddress, routerId, status, List.copyOf(newTags), createdAt, now, revision + 1);
    }
}
