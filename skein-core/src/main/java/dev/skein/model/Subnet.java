package dev.skein.model;

import java.time.Instant;
import java.util.List;

public record Subnet(
        String id, String projectId, String networkId, String name, String description,
        int ipVersion, String cidr, String gatewayIp, List<AllocationPool> allocationPools,
        List<String> dnsNameservers, List<HostRoute> hostRoutes, boolean enableDhcp,
        String ipv6RaMode, String ipv6AddressMode, List<String> tags,
        Instant createdAt, Instant updatedAt, long revision) {

    /** SLAAC and DHCPv6-stateless subnets derive addresses from the MAC instead of allocating them. */
    public boolean autoAddress() {
        return ipVersion == 6 && ("slaac".equals(ipv6AddressMode) || "dhcpv6-stateless".equals(ipv6AddressMode));
    }

    public Subnet withTags(List<String> newTags, Instant now) {
        return new Subnet(id, projectId, networkId, name, description, ipVersion, cidr, gatewayIp, allocationPools,
                dnsNameservers, hostRoutes, enableDhcp, ipv6RaMode, ipv6AddressMode, List.copyOf(newTags),
                createdAt, now, revision + 1);
    }
}
