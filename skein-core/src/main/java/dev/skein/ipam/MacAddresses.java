package dev.skein.ipam;

import dev.skein.error.NeutronException;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Pattern;

/** MAC address parsing and generation from a base such as fa:16:3e:00:00:00 (its non-zero octets are kept). */
public final class MacAddresses {
    private static final Pattern MAC = Pattern.compile("([0-9a-f]{2}[:-]){5}[0-9a-f]{2}");

    private MacAddresses() {}

    /** Lower-case colon form, or null if the text is not a unicast-capable MAC. */
    public static String normalize(String text) {
        if (text == null) return null;
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (!MAC.matcher(s).matches()) return null;
        s = s.replace('-', ':');
        return s.equals("00:00:00:00:00:00") ? null : s;
    }

    /** The octets of the base up to its last non-zero one stay fixed; the rest are random. */
    public static String generate(String base, Random random) {
        byte[] b = HexFormat.ofDelimiter(":").parseHex(normalize(base));
        int fixed = 0;
        for (int i = 0; i < 6; i++) if (b[i] != 0) fixed = i + 1;
        fixed = Math.min(Math.max(fixed, 3), 5);
        for (int i = fixed; i < 6; i++) b[i] = (byte) random.nextInt(256);
        b[0] = (byte) (b[0] & 0xfe);
        return HexFormat.ofDelimiter(":").formatHex(b);
    }

    public static void requireValidBase(String base) {
        String mac = normalize(base);
        if (mac == null) throw new IllegalArgumentException("base_mac '" + base + "' is not a MAC address");
        if ((HexFormat.fromHexDigits(mac.substring(0, 2)) & 1) != 0) {
            throw new IllegalArgumentException("base_mac '" + base + "' is a multicast address");
        }
    }

    public static String requireValid(String text) {
        String mac = normalize(text);
        if (mac == null || (HexFormat.fromHexDigits(mac.substring(0, 2)) & 1) != 0) {
            throw NeutronException.invalidAttribute("mac_address", "'" + text + "' is not a valid MAC address");
        }
        return mac;
    }
}
