package dev.skein.ipam;

import java.math.BigInteger;

/** An inclusive range of numbers: an allocation pool, a VNI range. */
public record Range(BigInteger first, BigInteger last) {
    public Range {
        if (first.compareTo(last) > 0) throw new IllegalArgumentException("empty range " + first + ".." + last);
    }

    public static Range of(long first, long last) { return new Range(BigInteger.valueOf(first), BigInteger.valueOf(last)); }

    public BigInteger size() { return last.subtract(first).add(BigInteger.ONE); }

    public boolean contains(BigInteger v) { return v.compareTo(first) >= 0 && v.compareTo(last) <= 0; }

    public boolean overlaps(Range o) { return first.compareTo(o.last) <= 0 && o.first.compareTo(last) <= 0; }
}
