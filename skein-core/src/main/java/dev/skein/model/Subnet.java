package dev.skein.model;

import java.time.Instant;
import java.util.List;

public record Subnet(
        String id, String projectId, String networkId, String name, String description,
        int ipVersion, String cidr, String gatewayIp, List<AllocationPool> allocationPools,
        List<String> dnsNameservers, List<HostRoute> hostRoutes, boolean enableDhcp,
        String ipv6RaMode, String ipv6AddressMode, List<String> tags,
        Instant createdAt, Instant updatedAt, long revision) {

    /**
     * SLAAC and DHCPv6-stateless subnets derive addresses from the MAC instead of allocating them. As in Neutron,
     * either mode decides: routers advertising SLAAC make hosts configure themselves even when
     * ipv6_address_mode is unset.
     */
    public boolean autoAddress() {
        return ipVersion == 6 && (auto(ipv6AddressMode) || auto(ipv6RaMode));
    }

    private static boolean auto(String mode) { return "slaac".equals(mode) || "dhcpv6-stateless".equals(mode); }

    public Subnet withTags(List<String> newTags, Instant now) {
        return new Subnet(id, projectId, networkId, name, description, ipVersion, cidr, gatewayIp, allocationPools,
                dnsNameservers, hostRoutes, enableDhcp, ipv6RaMode, ipv6AddressMode, List.copyOf(newTags),
                createdAt, now, revision + 1);
    }
}
