package dev.skein.ipam;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Eui64Test {

    private static String eui64(String prefix, String mac) {
        return IpAddresses.format(6, Eui64.address(IpAddresses.parsePrefix(prefix), mac));
    }

    @Test
    void openstackMacInDocumentationPrefix() {
        // fa:16:3e:11:22:33 -> fa^02=f8, ff:fe inserted in the middle: f816:3eff:fe11:2233.
        assertEquals("2001:db8::f816:3eff:fe11:2233", eui64("2001:db8::/64", "fa:16:3e:11:22:33"));
    }

    @Test
    void universalBitIsSetForGloballyAdministeredMacs() {
        // 00:11:22:33:44:55 is universal (bit clear), so the modified EUI-64 sets it: 0211:22ff:fe33:4455.
        assertEquals("fe80::211:22ff:fe33:4455", eui64("fe80::/64", "00:11:22:33:44:55"));
    }

    @Test
    void localBitIsClearedForLocallyAdministeredMacs() {
        // 02:00:00:00:00:01 has the local bit; flipping it leaves a zero first octet: 0000:00ff:fe00:0001.
        assertEquals("2001:db8:1:2:0:ff:fe00:1", eui64("2001:db8:1:2::/64", "02:00:00:00:00:01"));
        assertEquals("2001:db8::ff:fe00:1", eui64("2001:db8::/64", "02:00:00:00:00:01"));
    }

    @Test
    void upperCaseMacGivesTheSameAddress() {
        assertEquals(eui64("2001:db8::/64", "fa:16:3e:ab:cd:ef"), eui64("2001:db8::/64", "FA:16:3E:AB:CD:EF"));
        assertEquals("2001:db8::f816:3eff:feab:cdef", eui64("2001:db8::/64", "FA:16:3E:AB:CD:EF"));
    }

    @Test
    void hostBitsOfThePrefixAreIgnored() {
        assertEquals("2001:db8:0:7:f816:3eff:fe11:2233", eui64("2001:db8:0:7::99/64", "fa:16:3e:11:22:33"));
    }

    @Test
    void addressLiesInsideThePrefix() {
        IpAddresses.Prefix p = IpAddresses.parsePrefix("2001:db8:abcd:12::/64");
        var v = Eui64.address(p, "fa:16:3e:00:00:01");
        assertTrue(p.contains(new IpAddresses.Ip(6, v)));
    }
}
