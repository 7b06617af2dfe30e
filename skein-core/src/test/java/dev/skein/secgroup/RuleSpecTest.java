package dev.skein.secgroup;

import dev.skein.error.NeutronException;
import dev.skein.model.SecurityGroupRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RuleSpecTest {
    private static RuleSpec spec(String ethertype, Object protocol, Object min, Object max) {
        return RuleSpec.normalise("ingress", ethertype, protocol, min, max, null, null);
    }

    private static String rejected(String ethertype, Object protocol, Object min, Object max) {
        NeutronException e = assertThrows(NeutronException.class, () -> spec(ethertype, protocol, min, max));
        assertEquals(400, e.status());
        return e.type();
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "IPv4, TCP, tcp", "IPv4, udp, udp", "IPv4, 6, 6", "IPv4, 006, 6", "IPv4, ' 17 ', 17", "IPv4, 0, 0",
            "IPv4, 255, 255", "IPv4, any, null", "IPv4, ANY, null", "IPv4, gre, gre", "IPv4, icmp, icmp", "IPv4, 1, 1",
            "IPv6, icmp, ipv6-icmp", "IPv6, icmpv6, ipv6-icmp", "IPv6, ipv6-icmp, ipv6-icmp", "IPv6, 1, 58",
            "IPv6, 58, 58", "IPv6, ipv6-frag, ipv6-frag", "IPv6, tcp, tcp"})
    void protocolsAreStoredAsNeutronShowsThem(String ethertype, String given, String stored) {
        assertEquals(stored, spec(ethertype, given, null, null).protocol());
    }

    @Test
    void protocolGivenAsJsonNumber() {
        assertEquals("132", spec("IPv4", 132, null, null).protocol());
        assertNull(spec("IPv4", null, null, null).protocol());
    }

    @ParameterizedTest
    @CsvSource({"256", "-1", "foo", "tcp6", "''", "1.5"})
    void unknownProtocolsAreRefused(String given) {
        assertEquals("SecurityGroupRuleInvalidProtocol", rejected("IPv4", given, null, null));
    }

    @Test
    void nonTextProtocolIsRefused() {
        assertEquals("SecurityGroupRuleInvalidProtocol", rejected("IPv4", true, null, null));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "tcp, 22, 22", "tcp, 1, 65535", "udp, 53, 53", "udplite, 1, 2", "sctp, 10, 20", "dccp, 5, 5", "6, 80, 443",
            "17, '1000', '2000'", "icmp, 8, 0", "icmp, 8, null", "icmp, 0, 255", "icmp, null, null", "1, 3, 4",
            "gre, null, null"})
    void validPortRanges(String protocol, String min, String max) {
        RuleSpec s = spec("IPv4", protocol, min, max);
        assertEquals(min == null ? null : Integer.valueOf(min), s.portRangeMin());
        assertEquals(max == null ? null : Integer.valueOf(max), s.portRangeMax());
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "tcp, 0, 10, SecurityGroupInvalidPortValue",
            "tcp, 10, 0, SecurityGroupInvalidPortValue",
            "tcp, 65536, 65536, SecurityGroupInvalidPortValue",
            "tcp, -1, 5, SecurityGroupInvalidPortValue",
            "tcp, x, 5, SecurityGroupInvalidPortValue",
            "tcp, 30, 20, SecurityGroupInvalidPortRange",
            "tcp, 22, null, SecurityGroupInvalidPortRange",
            "udp, null, 22, SecurityGroupInvalidPortRange",
            "null, 22, 22, SecurityGroupProtocolRequiredWithPorts",
            "any, 22, 22, SecurityGroupProtocolRequiredWithPorts",
            "gre, 1, 1, SecurityGroupInvalidProtocolForPort",
            "47, 1, 1, SecurityGroupInvalidProtocolForPort",
            "icmp, 256, 0, SecurityGroupInvalidIcmpValue",
            "icmp, 8, 256, SecurityGroupInvalidIcmpValue",
            "icmp, null, 0, SecurityGroupMissingIcmpType"})
    void invalidPortRanges(String protocol, String min, String max, String type) {
        assertEquals(type, rejected("IPv4", protocol, min, max));
    }

    @Test
    void icmpv6TypesAreCheckedLikeIcmp() {
        assertEquals(135, spec("IPv6", "ipv6-icmp", 135, 0).portRangeMin());
        assertEquals("SecurityGroupMissingIcmpType", rejected("IPv6", "icmp", null, 3));
    }

    @ParameterizedTest
    @CsvSource({"ipv6-icmp", "icmpv6", "58", "ipv6-frag", "ipv6-route", "ipv6-opts", "ipv6-nonxt", "43"})
    void ipv6OnlyProtocolsNeedIpv6(String protocol) {
        assertEquals("SecurityGroupEthertypeConflictWithProtocol", rejected("IPv4", protocol, null, null));
    }

    @ParameterizedTest
    @CsvSource({"ipv4, IPv4", "IPV6, IPv6", "IPv6, IPv6"})
    void ethertypeIsCaseInsensitive(String given, String stored) {
        assertEquals(stored, spec(given, null, null, null).ethertype());
        assertEquals("IPv4", spec(null, null, null, null).ethertype());
    }

    @Test
    void badEthertypeAndDirection() {
        assertEquals("SecurityGroupRuleInvalidEtherType", rejected("IPv5", null, null, null));
        NeutronException e = assertThrows(NeutronException.class,
                () -> RuleSpec.normalise("sideways", null, null, null, null, null, null));
        assertEquals(400, e.status());
    }

    @ParameterizedTest
    @CsvSource({"IPv4, 10.1.2.3/8, 10.0.0.0/8", "IPv4, 10.1.2.3, 10.1.2.3/32", "IPv4, 0.0.0.0/0, 0.0.0.0/0",
            "IPv6, 2001:db8::1/64, 2001:db8::/64", "IPv6, 2001:DB8::1, 2001:db8::1/128", "IPv6, ::/0, ::/0"})
    void remotePrefixesAreNormalised(String ethertype, String given, String stored) {
        assertEquals(stored, RuleSpec.normalise("egress", ethertype, null, null, null, given, null).remoteIpPrefix());
    }

    @ParameterizedTest
    @CsvSource({"IPv4, 2001:db8::/64, SecurityGroupRuleParameterConflict", "IPv6, 10.0.0.0/8, SecurityGroupRuleParameterConflict",
            "IPv4, 10.0.0.0/33, InvalidCIDR", "IPv4, example.org, InvalidCIDR"})
    void badRemotePrefixes(String ethertype, String given, String type) {
        NeutronException e = assertThrows(NeutronException.class,
                () -> RuleSpec.normalise("egress", ethertype, null, null, null, given, null));
        assertEquals(400, e.status());
        assertEquals(type, e.type());
    }

    @Test
    void emptyPrefixMeansNone() {
        assertNull(RuleSpec.normalise("egress", "IPv4", null, null, null, "", null).remoteIpPrefix());
    }

    @Test
    void remoteGroupAndPrefixExcludeEachOther() {
        NeutronException e = assertThrows(NeutronException.class,
                () -> RuleSpec.normalise("ingress", "IPv4", null, null, null, "10.0.0.0/8", "a-group"));
        assertEquals("SecurityGroupRemoteGroupAndRemoteIpPrefix", e.type());
    }

    private static SecurityGroupRule rule(String protocol, Integer min, Integer max, String prefix, String remoteGroup) {
        return new SecurityGroupRule("id", "p", "g", "ingress", "IPv4", protocol, min, max, prefix, remoteGroup, "",
                Instant.EPOCH, Instant.EPOCH, 0);
    }

    @Test
    void keysTreatSpellingsOfOneRuleAlike() {
        assertEquals(RuleKey.of(rule("tcp", 22, 22, null, null)), RuleKey.of(rule("6", 22, 22, null, null)));
        assertEquals(RuleKey.of(rule(null, null, null, null, null)), RuleKey.of(rule(null, null, null, "0.0.0.0/0", null)));
        assertEquals(RuleKey.NONE, RuleKey.of(rule(null, null, null, null, null)).protocol());
        assertNotEquals(RuleKey.of(rule("tcp", 22, 22, null, null)), RuleKey.of(rule("tcp", 22, 23, null, null)));
        assertNotEquals(RuleKey.of(rule("icmp", 8, null, null, null)), RuleKey.of(rule("icmp", null, null, null, null)));
        assertNotEquals(RuleKey.of(rule(null, null, null, "10.0.0.0/8", null)), RuleKey.of(rule(null, null, null, null, null)));
        assertNotEquals(RuleKey.of(rule(null, null, null, null, "g2")), RuleKey.of(rule(null, null, null, null, null)));
    }
}
