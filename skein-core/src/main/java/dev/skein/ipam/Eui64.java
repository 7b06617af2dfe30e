package dev.skein.ipam;

import java.math.BigInteger;
import java.util.HexFormat;

/** RFC 4291 modified EUI-64 interface identifiers, as SLAAC hosts compute them from their MAC. */
public final class Eui64 {
    private Eui64() {}

    public static BigInteger address(IpAddresses.Prefix prefix64, String mac) {
        byte[] m = HexFormat.ofDelimiter(":").parseHex(mac);
        byte[] iid = {(byte) (m[0] ^ 0x02), m[1], m[2], (byte) 0xff, (byte) 0xfe, m[3], m[4], m[5]};
        return prefix64.network().or(new BigInteger(1, iid));
    }
}
