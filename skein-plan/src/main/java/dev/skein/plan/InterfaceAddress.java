package dev.skein.plan;

import dev.skein.ipam.IpAddresses;

/** An address as an interface holds it: with the prefix length of its subnet, the form iproute2 takes and prints. */
public final class InterfaceAddress {
    private InterfaceAddress() {}

    /** "10.0.0.2/24" for 10.0.0.2 on 10.0.0.0/24; null when ip is not an address inside cidr. */
    public static String of(String ip, String cidr) {
        IpAddresses.Ip address = IpAddresses.parse(ip);
        IpAddresses.Prefix prefix = IpAddresses.parsePrefix(cidr);
        if (address == null || prefix == null || !prefix.contains(address)) return null;
        return address.text() + "/" + prefix.length();
    }
}
