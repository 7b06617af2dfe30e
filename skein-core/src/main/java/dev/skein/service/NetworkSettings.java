package dev.skein.service;

import dev.skein.ipam.Range;

import java.util.List;

/**
 * Operator settings the domain needs.
 *
 * @param baseMac           generated MACs keep this base's leading non-zero octets (at least three)
 * @param vxlanVniRanges    VNIs tenant networks are given
 * @param globalPhysnetMtu  MTU of the underlay; VXLAN networks get 50 bytes less
 */
public record NetworkSettings(String baseMac, List<Range> vxlanVniRanges, int globalPhysnetMtu) {
    public static final int VXLAN_OVERHEAD = 50;

    public static NetworkSettings defaults() {
        return new NetworkSettings("fa:16:3e:00:00:00", List.of(Range.of(1, 65535)), 1500);
    }
}
