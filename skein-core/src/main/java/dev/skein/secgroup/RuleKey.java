package dev.skein.secgroup;

import dev.skein.model.SecurityGroupRule;

/**
 * What makes two rules of one group the same rule: equal direction, ethertype, protocol number (tcp and 6 are
 * one protocol), ports and remote. A remote prefix that spans the whole address family (0.0.0.0/0, ::/0) is
 * the same as no prefix. Absent values are {@link #NONE} or "" rather than null, so that a database unique
 * constraint over these fields treats them as equal.
 */
public record RuleKey(String securityGroupId, String direction, String ethertype, int protocol, int portMin, int portMax,
                      String remoteIpPrefix, String remoteGroupId) {
    public static final int NONE = -1;

    public static RuleKey of(SecurityGroupRule r) {
        Integer proto = IpProtocols.number(r.protocol());
        String prefix = r.remoteIpPrefix();
        boolean anyAddress = prefix == null || prefix.endsWith("/0");
        return new RuleKey(r.securityGroupId(), r.direction(), r.ethertype(), proto == null ? NONE : proto,
                r.portRangeMin() == null ? NONE : r.portRangeMin(), r.portRangeMax() == null ? NONE : r.portRangeMax(),
                anyAddress ? "" : prefix, r.remoteGroupId() == null ? "" : r.remoteGroupId());
    }
}
