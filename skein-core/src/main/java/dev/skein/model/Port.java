package dev.skein.model;

import java.time.Instant;
import java.util.List;

public record Port(
        String id, String projectId, String networkId, String name, String description,
        boolean adminStateUp, String macAddress, List<FixedIp> fixedIps,
        String deviceId, String deviceOwner, String hostId, String vnicType,
        List<AddressPair> allowedAddressPairs, boolean portSecurityEnabled, List<String> securityGroups,
        String status, List<String> tags, Instant createdAt, Instant updatedAt, long revision) {

    /** The device owner of the ports that DHCP servers answer on; their binding says which host runs the server. */
    public static final String DHCP_OWNER = "network:dhcp";

    public Port withTags(List<String> newTags, Instant now) {
        return new Port(id, projectId, networkId, name, description, adminStateUp, macAddress, fixedIps, deviceId,
                deviceOwner, hostId, vnicType, allowedAddressPairs, portSecurityEnabled, securityGroups, status,
                List.copyOf(newTags), createdAt, now, revision + 1);
    }

    public Port withStatus(String newStatus) {
        return new Port(id, projectId, networkId, name, description, adminStateUp, macAddress, fixedIps, deviceId,
                deviceOwner, hostId, vnicType, allowedAddressPairs, portSecurityEnabled, securityGroups, newStatus, tags,
                createdAt, updatedAt, revision);
    }

    public Port withFixedIps(List<FixedIp> ips) {
        return new Port(id, projectId, networkId, name, description, adminStateUp, macAddress, List.copyOf(ips),
                deviceId, deviceOwner, hostId, vnicType, allowedAddressPairs, portSecurityEnabled, securityGroups,
                status, tags, createdAt, updatedAt, revision);
    }

    /** The port handed to (or taken back from) a device such as a router; a visible change, so the revision moves. */
    public Port withDevice(String newDeviceId, String newDeviceOwner, Instant now) {
        return new Port(id, projectId, networkId, name, description, adminStateUp, macAddress, fixedIps, newDeviceId,
                newDeviceOwner, hostId, vnicType, allowedAddressPairs, portSecurityEnabled, securityGroups, status, tags,
                createdAt, now, revision + 1);
    }

    public Port withSecurityGroups(List<String> groups) {
        return new Port(id, projectId, networkId, name, description, adminStateUp, macAddress, fixedIps, deviceId,
                deviceOwner, hostId, vnicType, allowedAddressPairs, portSecurityEnabled, List.copyOf(groups), status,
                tags, createdAt, updatedAt, revision);
    }

    /**
     * The port bound to another host (or to none, when host is empty) for another device there, as the scheduler
     * moves DHCP servers and routers. Only the agent of the new host can say the port is up there, so it is DOWN.
     */
    public Port withBinding(String newHostId, String newDeviceId, Instant now) {
        return new Port(id, projectId, networkId, name, description, adminStateUp, macAddress, fixedIps, newDeviceId,
                deviceOwner, newHostId, vnicType, allowedAddressPairs, portSecurityEnabled, securityGroups, "DOWN", tags,
                createdAt, now, revision + 1);
    }
}
