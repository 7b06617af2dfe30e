package dev.skein.ipam;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RangeTest {

    @Test
    void sizeCountsBothEnds() {
        assertEquals(BigInteger.valueOf(10), Range.of(1, 10).size());
        assertEquals(BigInteger.ONE, Range.of(7, 7).size());
        BigInteger top = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
        assertEquals(BigInteger.ONE.shiftLeft(128), new Range(BigInteger.ZERO, top).size());
    }

    @Test
    void emptyRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Range.of(5, 4));
    }

    @Test
    void containsIsInclusive() {
        Range r = Range.of(10, 20);
        assertTrue(r.contains(BigInteger.valueOf(10)));
        assertTrue(r.contains(BigInteger.valueOf(15)));
        assertTrue(r.contains(BigInteger.valueOf(20)));
        assertFalse(r.contains(BigInteger.valueOf(9)));
        assertFalse(r.contains(BigInteger.valueOf(21)));
    }

    @Test
    void overlaps() {
        Range r = Range.of(10, 20);
        assertTrue(r.overlaps(Range.of(20, 30)), "sharing the last value");
        assertTrue(r.overlaps(Range.of(0, 10)), "sharing the first value");
        assertTrue(r.overlaps(Range.of(12, 13)), "nested");
        assertTrue(Range.of(12, 13).overlaps(r));
        assertTrue(r.overlaps(Range.of(0, 100)), "enclosing");
        assertTrue(r.overlaps(r));
        assertFalse(r.overlaps(Range.of(21, 30)), "adjacent after");
        assertFalse(Range.of(21, 30).overlaps(r));
        assertFalse(r.overlaps(Range.of(0, 9)), "adjacent before");
    }
}
