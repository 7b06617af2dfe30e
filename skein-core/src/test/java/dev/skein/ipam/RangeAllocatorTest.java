package dev.skein.ipam;

import dev.skein.ipam.IpAddresses.Prefix;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RangeAllocatorTest {

    private static BigInteger big(long v) { return BigInteger.valueOf(v); }

    private static RangeAllocator seeded(long seed) {
        Random random = new Random(seed);
        return new RangeAllocator(() -> random);
    }

    /** The store's side: a unique key on the value, and COUNT(*) over a value range. Counts its queries. */
    private abstract static class CountingClaims implements RangeAllocator.Claims {
        int claimAttempts;
        int countQueries;

        abstract boolean insert(BigInteger v);

        abstract long held(BigInteger first, BigInteger last);

        @Override
        public boolean tryClaim(BigInteger v) {
            claimAttempts++;
            return insert(v);
        }

        @Override
        public long countClaimed(BigInteger first, BigInteger last) {
            countQueries++;
            assertTrue(first.compareTo(last) <= 0, "count over an empty interval " + first + ".." + last);
            return held(first, last);
        }
    }

    /** Every held value listed: for sparse pools. */
    private static class HeldValues extends CountingClaims {
        final TreeSet<BigInteger> held = new TreeSet<>();

        @Override
        boolean insert(BigInteger v) { return held.add(v); }

        @Override
        long held(BigInteger first, BigInteger last) { return held.subSet(first, true, last, true).size(); }
    }

    /** Everything held except the listed values: for dense pools far too large to list. */
    private static class AllHeldExcept extends CountingClaims {
        final TreeSet<BigInteger> free = new TreeSet<>();

        AllHeldExcept(BigInteger... free) { this.free.addAll(List.of(free)); }

        @Override
        boolean insert(BigInteger v) { return free.remove(v); }

        @Override
        long held(BigInteger first, BigInteger last) {
            return last.subtract(first).add(BigInteger.ONE).longValueExact() - free.subSet(first, true, last, true).size();
        }
    }

    /** Bisection walks one interval per halving, plus one count per range and the final single-value check. */
    private static int bisectionBound(List<Range> ranges) {
        BigInteger largest = ranges.stream().map(Range::size).max(BigInteger::compareTo).orElseThrow();
        return ranges.size() + largest.bitLength() + 1;
    }

    @Test
    void noRangesNothingToAllocate() {
        HeldValues claims = new HeldValues();
        assertEquals(Optional.empty(), seeded(1).allocate(List.of(), claims));
        assertEquals(0, claims.claimAttempts + claims.countQueries);
    }

    @Test
    void freePoolIsServedByOneRandomProbeWithoutCounting() {
        HeldValues claims = new HeldValues();
        Range pool = Range.of(100, 199);
        BigInteger v = seeded(2).allocate(List.of(pool), claims).orElseThrow();
        assertTrue(pool.contains(v));
        assertEquals(Set.of(v), claims.held);
        assertEquals(1, claims.claimAttempts);
        assertEquals(0, claims.countQueries);
    }

    @Test
    void probesAreRandomNotSequential() {
        HeldValues claims = new HeldValues();
        RangeAllocator allocator = seeded(3);
        Range pool = Range.of(0, (1 << 24) - 1);
        int lowHalf = 0;
        for (int i = 0; i < 200; i++) {
            BigInteger v = allocator.allocate(List.of(pool), claims).orElseThrow();
            if (v.compareTo(big(1 << 23)) < 0) lowHalf++;
        }
        assertEquals(200, claims.held.size());
        assertTrue(lowHalf > 60 && lowHalf < 140, "values should spread over the pool, " + lowHalf + " of 200 in the low half");
        assertTrue(claims.held.last().subtract(claims.held.first()).compareTo(big(1 << 20)) > 0);
    }

    @Test
    void everyValueOfASmallPoolIsHandedOutOnceThenExhaustionIsReported() {
        HeldValues claims = new HeldValues();
        RangeAllocator allocator = seeded(4);
        List<Range> pools = List.of(Range.of(2, 50), Range.of(100, 120), Range.of(254, 254));
        Set<BigInteger> got = new HashSet<>();
        for (int i = 0; i < 49 + 21 + 1; i++) {
            BigInteger v = allocator.allocate(pools, claims).orElseThrow(() -> new AssertionError("ran out early"));
            assertTrue(pools.stream().anyMatch(r -> r.contains(v)), v + " outside the pools");
            assertTrue(got.add(v), v + " handed out twice");
        }
        claims.claimAttempts = claims.countQueries = 0;
        assertEquals(Optional.empty(), allocator.allocate(pools, claims));
        // Proving exhaustion: the random probes, then one count per range says nothing is free.
        assertEquals(pools.size(), claims.countQueries);
        assertTrue(claims.claimAttempts <= 6, claims.claimAttempts + " claim attempts");
    }

    @Test
    void densePoolBisectsToTheOnlyFreeValue() {
        Range pool = Range.of(1, 254);
        for (long free : new long[]{1, 2, 127, 128, 200, 253, 254}) {
            AllHeldExcept claims = new AllHeldExcept(big(free));
            assertEquals(Optional.of(big(free)), seeded(free).allocate(List.of(pool), claims));
            assertTrue(claims.free.isEmpty(), "the value must be claimed");
            assertTrue(claims.countQueries <= bisectionBound(List.of(pool)), claims.countQueries + " count queries");
        }
    }

    @Test
    void densePoolsFindTheFreeValueInWhicheverRangeHoldsIt() {
        List<Range> pools = List.of(Range.of(10, 20), Range.of(30, 40), Range.of(50, 60));
        for (long free : new long[]{10, 20, 30, 35, 40, 50, 60}) {
            AllHeldExcept claims = new AllHeldExcept(big(free));
            assertEquals(Optional.of(big(free)), seeded(free).allocate(pools, claims));
            assertTrue(claims.countQueries <= bisectionBound(pools), claims.countQueries + " count queries");
        }
    }

    @Test
    void fullPoolIsReportedExhaustedWithoutScanning() {
        AllHeldExcept claims = new AllHeldExcept();
        List<Range> pools = List.of(Range.of(1, 254), Range.of(1000, 100_000));
        assertEquals(Optional.empty(), seeded(5).allocate(pools, claims));
        assertEquals(pools.size(), claims.countQueries);
    }

    @Test
    void slash8WithOneFreeAddressIsFoundInLogarithmicCounts() {
        Prefix slash8 = IpAddresses.parsePrefix("10.0.0.0/8");
        Range hosts = new Range(slash8.network().add(BigInteger.ONE), slash8.broadcast().subtract(BigInteger.ONE));
        BigInteger free = IpAddresses.parse("10.201.77.13").value();
        AllHeldExcept claims = new AllHeldExcept(free);
        assertEquals(Optional.of(free), seeded(6).allocate(List.of(hosts), claims));
        assertTrue(claims.countQueries <= 26, claims.countQueries + " count queries for 2^24 values");
        assertTrue(claims.claimAttempts <= 7, claims.claimAttempts + " claim attempts");
    }

    @Test
    void fullSlash8IsExhaustedWithOneCount() {
        Prefix slash8 = IpAddresses.parsePrefix("10.0.0.0/8");
        Range hosts = new Range(slash8.network().add(BigInteger.ONE), slash8.broadcast().subtract(BigInteger.ONE));
        AllHeldExcept claims = new AllHeldExcept();
        assertEquals(Optional.empty(), seeded(8).allocate(List.of(hosts), claims));
        assertEquals(1, claims.countQueries);
    }

    @Test
    void ipv6Slash64WhoseProbesAllCollideBisectsInLogarithmicCounts() {
        // Rivals take every value the random probes try, which forces the counting path over 2^64 values.
        Prefix slash64 = IpAddresses.parsePrefix("2001:db8::/64");
        Range hosts = new Range(slash64.network().add(BigInteger.ONE), slash64.broadcast());
        HeldValues claims = new HeldValues() {
            @Override
            boolean insert(BigInteger v) {
                if (claimAttempts <= 6) {
                    held.add(v);
                    return false;
                }
                return super.insert(v);
            }
        };
        for (int i = 0; i < 1000; i++) claims.held.add(hosts.first().add(big(i)));
        BigInteger v = seeded(7).allocate(List.of(hosts), claims).orElseThrow();
        assertTrue(hosts.contains(v));
        assertEquals(1000 + 6 + 1, claims.held.size(), "six values lost to rivals, one won");
        assertTrue(claims.countQueries <= bisectionBound(List.of(hosts)), claims.countQueries + " count queries for 2^64 values");
        assertEquals(7, claims.claimAttempts);
    }

    @Test
    void ipv6Slash64MostlyFreeNeedsNoCounts() {
        Prefix slash64 = IpAddresses.parsePrefix("2001:db8::/64");
        Range hosts = new Range(slash64.network().add(BigInteger.ONE), slash64.broadcast());
        HeldValues claims = new HeldValues();
        RangeAllocator allocator = seeded(9);
        for (int i = 0; i < 100; i++) assertTrue(hosts.contains(allocator.allocate(List.of(hosts), claims).orElseThrow()));
        assertEquals(100, claims.held.size());
        assertEquals(100, claims.claimAttempts);
        assertEquals(0, claims.countQueries);
    }

    @Test
    void wholeIpv6SpaceBeyondSixtyThreeBits() {
        Range all = new Range(BigInteger.ZERO, IpAddresses.maxValue(6));
        HeldValues claims = new HeldValues();
        RangeAllocator allocator = seeded(10);
        Set<Integer> topBits = new HashSet<>();
        for (int i = 0; i < 64; i++) {
            BigInteger v = allocator.allocate(List.of(all), claims).orElseThrow();
            assertTrue(all.contains(v));
            topBits.add(v.shiftRight(126).intValue());
        }
        assertTrue(topBits.size() > 1, "random values must reach the upper bits of a 128-bit range");
    }

    @Test
    void aValueTakenByARivalBetweenCountAndClaimIsSkipped() {
        // Two free values; the first claim the allocator attempts on a free value loses a race to another request.
        AllHeldExcept claims = new AllHeldExcept(big(3), big(7)) {
            boolean raced;

            @Override
            boolean insert(BigInteger v) {
                if (!raced && free.contains(v)) {
                    raced = true;
                    free.remove(v);
                    return false;
                }
                return super.insert(v);
            }
        };
        Optional<BigInteger> got = seeded(11).allocate(List.of(Range.of(1, 10)), claims);
        assertTrue(got.isPresent());
        assertTrue(got.get().equals(big(3)) || got.get().equals(big(7)));
        assertTrue(claims.free.isEmpty(), "the rival holds one value, we hold the other");
    }

    @Test
    void countsThatKeepLyingEndInsteadOfLooping() {
        // Counts say everything is free, yet every claim fails: the allocator must give up, not spin.
        CountingClaims liar = new CountingClaims() {
            @Override
            boolean insert(BigInteger v) { return false; }

            @Override
            long held(BigInteger first, BigInteger last) { return 0; }
        };
        assertEquals(Optional.empty(), seeded(12).allocate(List.of(Range.of(1, 1000)), liar));
        assertTrue(liar.claimAttempts <= 6 + 64, liar.claimAttempts + " claim attempts");
    }

    @Test
    void sameSeedSameChoice() {
        List<Range> pool = List.of(Range.of(1, 1_000_000));
        assertEquals(seeded(13).allocate(pool, new HeldValues()), seeded(13).allocate(pool, new HeldValues()));
    }
}
