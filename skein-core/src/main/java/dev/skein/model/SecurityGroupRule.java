package dev.skein.model;

import java.time.Instant;

/**
 * One allow rule of a security group, in the normalised form Neutron shows: protocol null means any, a name in
 * lower case or a decimal number; ports null when absent; remoteIpPrefix a CIDR with its host bits cleared.
 */
public record SecurityGroupRule(
        String id, String projectId, String securityGroupId, String direction, String ethertype,
        String protocol, Integer portRangeMin, Integer portRangeMax, String remoteIpPrefix, String remoteGroupId,
        String description, Instant createdAt, Instant updatedAt, long revision) {}
