package dev.skein.ipam;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;

import java.math.BigInteger;

/** Literal IP addresses and prefixes as numbers; never resolves host names. */
public final class IpAddresses {
    private static final IPAddressStringParameters STRICT = new IPAddressStringParameters.Builder()
            .allowEmpty(false).allowAll(false).allowMask(false).allowSingleSegment(false)
            .allowWildcardedSeparator(false).setRangeOptions(IPAddressStringParameters.RangeParameters.NO_RANGE)
            .getIPv4AddressParametersBuilder().allowLeadingZeros(false).allow_inet_aton(false).getParentBuilder()
            .toParams();

    private IpAddresses() {}

    /** An address without a prefix length, or null if the text is not one. */
    public static Ip parse(String text) {
        if (text == null) return null;
        IPAddress a = new IPAddressString(text.trim(), STRICT).getAddress();
        if (a == null || a.isPrefixed()) return null;
        return new Ip(a.isIPv4() ? 4 : 6, a.getValue());
    }

    /** A prefix such as 10.0.0.0/24 (host bits allowed; the caller decides whether they are), or null. */
    public static Prefix parsePrefix(String text) {
        if (text == null) return null;
        IPAddress a = new IPAddressString(text.trim(), STRICT).getAddress();
        if (a == null || !a.isPrefixed()) return null;
        int version = a.isIPv4() ? 4 : 6;
        int len = a.getNetworkPrefixLength();
        BigInteger value = a.withoutPrefixLength().getValue();
        return new Prefix(version, value, len);
    }

    public static String format(int version, BigInteger value) {
        IPAddress a = version == 4 ? new IPv4Address(toBytes(value, 4)) : new IPv6Address(toBytes(value, 16));
        return version == 4 ? a.toNormalizedString() : a.toCanonicalString();
    }

    private static byte[] toBytes(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }

    public static BigInteger maxValue(int version) {
        return BigInteger.ONE.shiftLeft(version == 4 ? 32 : 128).subtract(BigInteger.ONE);
    }

    public record Ip(int version, BigInteger value) {
        public String text() { return format(version, value); }
    }

    /** address/length as written; {@link #network()} and {@link #broadcast()} give the block's bounds. */
    public record Prefix(int version, BigInteger address, int length) {
        public int bits() { return version == 4 ? 32 : 128; }

        public BigInteger size() { return BigInteger.ONE.shiftLeft(bits() - length); }

        public BigInteger network() {
            BigInteger hostMask = size().subtract(BigInteger.ONE);
            return address.andNot(hostMask);
        }

        public BigInteger broadcast() { return network().add(size()).subtract(BigInteger.ONE); }

        public boolean hasHostBits() { return !address.equals(network()); }

        public boolean contains(Ip ip) {
            return ip.version() == version && ip.value().compareTo(network()) >= 0 && ip.value().compareTo(broadcast()) <= 0;
        }

        public boolean overlaps(Prefix o) {
            return o.version == version && network().compareTo(o.broadcast()) <= 0 && o.network().compareTo(broadcast()) <= 0;
        }

        public String canonical() { return format(version, network()) + "/" + length; }
    }
}
