package dev.skein.plan.fw;

import dev.skein.ipam.IpAddresses;

import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * How addresses and names are written in nft input, in the one canonical form the compiler emits and the
 * realiser reduces the kernel's JSON to, so that equal values compare equal as text.
 */
public final class NftText {
    /** Interface names as Linux accepts them; nothing that could end a quoted nft string. */
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    private NftText() {}

    /** An address, or a prefix written as its network and length; a full-length prefix is written as the address. */
    public record Cidr(int version, BigInteger network, int length) {
        public int bits() { return version == 4 ? 32 : 128; }

        public BigInteger last() { return network.add(BigInteger.ONE.shiftLeft(bits() - length)).subtract(BigInteger.ONE); }

        public boolean covers(Cidr o) {
            return o.version == version && o.network.compareTo(network) >= 0 && o.last().compareTo(last()) <= 0;
        }

        public String text() {
            String address = IpAddresses.format(version, network);
            return length == bits() ? address : address + "/" + length;
        }

        /** The 128-bit (or 32-bit) value as an nft hexadecimal literal, for raw payload matches. */
        public String hexNetwork() { return hex(network, bits()); }

        public String hexMask() {
            BigInteger all = IpAddresses.maxValue(version);
            return hex(all.shiftRight(bits() - length).shiftLeft(bits() - length), bits());
        }
    }

    /** Parses "192.0.2.5", "192.0.2.0/24" or "2001:db8::/64" (host bits are dropped); null if it is neither. */
    public static Cidr cidr(String text) {
        IpAddresses.Ip ip = IpAddresses.parse(text);
        if (ip != null) return new Cidr(ip.version(), ip.value(), ip.version() == 4 ? 32 : 128);
        IpAddresses.Prefix p = IpAddresses.parsePrefix(text);
        return p == null ? null : new Cidr(p.version(), p.network(), p.length());
    }

    /** The canonical text of an address or prefix, or null if the text is neither. */
    public static String address(String text) {
        Cidr c = cidr(text);
        return c == null ? null : c.text();
    }

    public static boolean ifname(String name) { return name != null && IFNAME.matcher(name).matches(); }

    public static String quote(String ifname) {
        if (!ifname(ifname)) throw new IllegalArgumentException("'" + ifname + "' is not an interface name");
        return "\"" + ifname + "\"";
    }

    /** A MAC as the 48-bit hexadecimal literal a raw payload match compares with. */
    public static String hexMac(String mac) { return "0x" + mac.replace(":", ""); }

    static String hex(BigInteger value, int bits) {
        String digits = value.toString(16);
        return "0x" + "0".repeat(bits / 4 - digits.length()) + digits;
    }
}
