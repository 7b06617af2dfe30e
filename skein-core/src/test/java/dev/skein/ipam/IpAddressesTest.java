package dev.skein.ipam;

import dev.skein.ipam.IpAddresses.Ip;
import dev.skein.ipam.IpAddresses.Prefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpAddressesTest {

    private static BigInteger hex(String h) { return new BigInteger(h, 16); }

    @Test
    void parsesIpv4AsItsNumber() {
        Ip ip = IpAddresses.parse("10.0.0.1");
        assertEquals(4, ip.version());
        assertEquals(hex("0a000001"), ip.value());
        assertEquals("10.0.0.1", ip.text());
    }

    @Test
    void parsesIpv6AndWritesItCompressedInLowerCase() {
        Ip ip = IpAddresses.parse("2001:0DB8:0000:0000:0000:0000:0000:0001");
        assertEquals(6, ip.version());
        assertEquals(hex("20010db8000000000000000000000001"), ip.value());
        assertEquals("2001:db8::1", ip.text());
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        assertEquals(IpAddresses.parse("192.168.1.7"), IpAddresses.parse("  192.168.1.7 "));
    }

    @Test
    void ipv4MappedIpv6StaysIpv6() {
        Ip ip = IpAddresses.parse("::ffff:10.0.0.1");
        assertEquals(6, ip.version());
        assertEquals(hex("ffff0a000001"), ip.value());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "10.0.0", "10.0.0.256", "10.0.0.0/24", "2001:db8::/64", "::1/128", "010.0.0.1",
            "10.1", "167772161", "0x0a.0.0.1", "10.0.0.1-5", "10.0.0.*", "*", "host.example.com", "2001:db8:::1",
            "2001:db8::g", "1.2.3.4.5", "10.0.0.0/255.255.255.0"})
    void rejectsWhatIsNotOneLiteralAddress(String text) {
        assertNull(IpAddresses.parse(text), text);
    }

    @Test
    void prefixKeepsTheAddressAsWrittenAndDerivesTheBlock() {
        Prefix p = IpAddresses.parsePrefix("10.0.0.5/24");
        assertEquals(4, p.version());
        assertEquals(24, p.length());
        assertEquals(32, p.bits());
        assertEquals(hex("0a000005"), p.address());
        assertEquals(hex("0a000000"), p.network());
        assertEquals(hex("0a0000ff"), p.broadcast());
        assertEquals(BigInteger.valueOf(256), p.size());
        assertTrue(p.hasHostBits());
        assertEquals("10.0.0.0/24", p.canonical());
    }

    @Test
    void prefixWithoutHostBits() {
        Prefix p = IpAddresses.parsePrefix("192.168.0.0/16");
        assertFalse(p.hasHostBits());
        assertEquals(hex("c0a80000"), p.address());
        assertEquals("192.168.0.0/16", p.canonical());
        assertEquals(BigInteger.valueOf(65536), p.size());
    }

    @Test
    void ipv6Prefix() {
        Prefix p = IpAddresses.parsePrefix("2001:DB8:0:0::/64");
        assertEquals(6, p.version());
        assertEquals(128, p.bits());
        assertEquals(BigInteger.ONE.shiftLeft(64), p.size());
        assertEquals(hex("20010db8000000000000000000000000"), p.network());
        assertEquals(hex("20010db800000000ffffffffffffffff"), p.broadcast());
        assertFalse(p.hasHostBits());
        assertEquals("2001:db8::/64", p.canonical());
        assertTrue(IpAddresses.parsePrefix("2001:db8::1/64").hasHostBits());
    }

    @Test
    void wholeAddressSpaceAndSingleAddressPrefixes() {
        Prefix all = IpAddresses.parsePrefix("0.0.0.0/0");
        assertEquals(BigInteger.ONE.shiftLeft(32), all.size());
        assertEquals(BigInteger.ZERO, all.network());
        assertEquals(IpAddresses.maxValue(4), all.broadcast());

        Prefix host = IpAddresses.parsePrefix("10.1.2.3/32");
        assertEquals(BigInteger.ONE, host.size());
        assertEquals(host.network(), host.broadcast());
        assertFalse(host.hasHostBits());

        Prefix all6 = IpAddresses.parsePrefix("::/0");
        assertEquals(IpAddresses.maxValue(6), all6.broadcast());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"10.0.0.1", "10.0.0.0/33", "10.0.0.0/-1", "2001:db8::/129", "junk/24", "10.0.0.0/", "/24",
            "10.0.0.0/24/8", "010.0.0.0/8"})
    void rejectsWhatIsNotAPrefix(String text) {
        assertNull(IpAddresses.parsePrefix(text), text);
    }

    @Test
    void containsIsInclusiveAndVersionAware() {
        Prefix p = IpAddresses.parsePrefix("10.0.0.0/24");
        assertTrue(p.contains(IpAddresses.parse("10.0.0.0")));
        assertTrue(p.contains(IpAddresses.parse("10.0.0.255")));
        assertFalse(p.contains(IpAddresses.parse("10.0.1.0")));
        assertFalse(p.contains(IpAddresses.parse("9.255.255.255")));
        // ::a00:1 has the same number as 10.0.0.1 but is another family.
        assertFalse(p.contains(new Ip(6, hex("0a000001"))));
    }

    @Test
    void overlapsIsSymmetricAndVersionAware() {
        Prefix a = IpAddresses.parsePrefix("10.0.0.0/24");
        Prefix inner = IpAddresses.parsePrefix("10.0.0.128/25");
        Prefix next = IpAddresses.parsePrefix("10.0.1.0/24");
        Prefix outer = IpAddresses.parsePrefix("10.0.0.0/8");
        assertTrue(a.overlaps(inner));
        assertTrue(inner.overlaps(a));
        assertTrue(a.overlaps(outer));
        assertTrue(outer.overlaps(a));
        assertTrue(a.overlaps(a));
        assertFalse(a.overlaps(next));
        assertFalse(next.overlaps(a));
        assertFalse(a.overlaps(IpAddresses.parsePrefix("::/0")));
        // Host bits do not matter: the block is what overlaps.
        assertTrue(IpAddresses.parsePrefix("10.0.0.77/24").overlaps(IpAddresses.parsePrefix("10.0.0.200/30")));
    }

    @Test
    void formatsBoundaryValues() {
        assertEquals("0.0.0.0", IpAddresses.format(4, BigInteger.ZERO));
        assertEquals("255.255.255.255", IpAddresses.format(4, IpAddresses.maxValue(4)));
        assertEquals("128.0.0.1", IpAddresses.format(4, hex("80000001")));
        assertEquals("::", IpAddresses.format(6, BigInteger.ZERO));
        assertEquals("::1", IpAddresses.format(6, BigInteger.ONE));
        assertEquals("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IpAddresses.format(6, IpAddresses.maxValue(6)));
        assertEquals("2001:db8::ff:fe00:1", IpAddresses.format(6, hex("20010db800000000000000fffe000001")));
    }

    @Test
    void ipv6TextIsTheRfc5952CanonicalForm() {
        // A single zero group is written out; only a run of two or more becomes "::", the longest (first on a tie).
        assertEquals("2001:db8:0:7:f816:3eff:fe11:2233", IpAddresses.parse("2001:db8:0:7:f816:3eff:fe11:2233").text());
        assertEquals("2001:db8:0:1:1:1:1:1", IpAddresses.parse("2001:DB8:0000:1:1:1:1:1").text());
        assertEquals("2001:db8::1:0:0:1", IpAddresses.parse("2001:db8:0:0:1:0:0:1").text());
        assertEquals("2001:0:0:1::1", IpAddresses.parse("2001:0:0:1:0:0:0:1").text());
        assertEquals("2001:db8::/64", IpAddresses.parsePrefix("2001:db8:0:0:0:0:0:0/64").canonical());
        assertEquals("2001:db8:0:1::/64", IpAddresses.parsePrefix("2001:db8:0:1::/64").canonical());
    }

    @Test
    void maxValues() {
        assertEquals(hex("ffffffff"), IpAddresses.maxValue(4));
        assertEquals(BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE), IpAddresses.maxValue(6));
    }

    @Test
    void formatAndParseRoundTrip() {
        for (String text : new String[]{"0.0.0.1", "10.20.30.40", "255.255.255.254", "fe80::1", "2001:db8:1:2:3:4:5:6",
                "ff02::1:ff00:1", "2001:db8::"}) {
            Ip ip = IpAddresses.parse(text);
            assertEquals(text, IpAddresses.format(ip.version(), ip.value()));
            assertEquals(ip, IpAddresses.parse(ip.text()));
        }
    }
}
