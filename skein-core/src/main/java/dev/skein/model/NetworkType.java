package dev.skein.model;

import java.util.Locale;

public enum NetworkType {
    FLAT, VLAN, VXLAN;

    public String wireName() { return name().toLowerCase(Locale.ROOT); }

    public static NetworkType fromWire(String s) {
        for (NetworkType t : values()) if (t.wireName().equals(s)) return t;
        return null;
    }
}
