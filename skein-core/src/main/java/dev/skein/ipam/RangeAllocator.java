package dev.skein.ipam;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Picks a free value from a set of ranges without walking them, for IP addresses and segment ids alike.
 *
 * <p>Uniqueness is the store's job (a unique constraint): {@link Claims#tryClaim} either inserts the value or
 * reports that someone holds it. While the ranges are mostly free a few random probes find a value. When they
 * are dense, a bisection on claimed counts ({@link Claims#countClaimed}) goes straight to a free value in
 * O(log size) range counts, and proves exhaustion when the counts say every value is taken. Random choice
 * also spreads concurrent allocators apart so they rarely collide.
 */
public final class RangeAllocator {
    private static final int RANDOM_PROBES = 6;
    private static final int MAX_ROUNDS = 64;

    public interface Claims {
        /** Atomically claim v; false if it is already held (the unique constraint said no). */
        boolean tryClaim(BigInteger v);

        /** How many values in [first, last] are held. */
        long countClaimed(BigInteger first, BigInteger last);
    }

    private final Supplier<Random> random;

    public RangeAllocator(Supplier<Random> random) { this.random = random; }

    /** The claimed value, or empty when every value in the ranges is held. */
    public Optional<BigInteger> allocate(List<Range> ranges, Claims claims) {
        if (ranges.isEmpty()) return Optional.empty();
        BigInteger total = ranges.stream().map(Range::size).reduce(BigInteger.ZERO, BigInteger::add);
        for (int i = 0; i < RANDOM_PROBES; i++) {
            BigInteger v = nth(ranges, uniform(total));
            if (claims.tryClaim(v)) return Optional.of(v);
        }
        for (int round = 0; round < MAX_ROUNDS; round++) {
            BigInteger[] free = new BigInteger[ranges.size()];
            BigInteger totalFree = BigInteger.ZERO;
            for (int i = 0; i < ranges.size(); i++) {
                Range r = ranges.get(i);
                free[i] = r.size().subtract(BigInteger.valueOf(claims.countClaimed(r.first(), r.last())))
                        .max(BigInteger.ZERO);
                totalFree = totalFree.add(free[i]);
            }
            if (totalFree.signum() == 0) return Optional.empty();
            BigInteger pick = uniform(totalFree);
            for (int i = 0; i < ranges.size(); i++) {
                if (pick.compareTo(free[i]) < 0) {
                    BigInteger v = bisect(ranges.get(i), pick, claims);
                    if (v != null && claims.tryClaim(v)) return Optional.of(v);
                    break;
                }
                pick = pick.subtract(free[i]);
            }
        }
        return Optional.empty();
    }

    private static BigInteger nth(List<Range> ranges, BigInteger n) {
        BigInteger rest = n;
        for (Range r : ranges) {
            if (rest.compareTo(r.size()) < 0) return r.first().add(rest);
            rest = rest.subtract(r.size());
        }
        throw new IllegalStateException("index beyond ranges");
    }

    /**
     * The pick-th free value of r (0-based), narrowing by halves, or null when concurrent claims moved the
     * counts under us (the caller simply tries another round).
     */
    private static BigInteger bisect(Range r, BigInteger pick, Claims claims) {
        BigInteger lo = r.first(), hi = r.last();
        while (lo.compareTo(hi) < 0) {
            BigInteger mid = lo.add(hi).shiftRight(1);
            BigInteger leftFree = mid.subtract(lo).add(BigInteger.ONE)
                    .subtract(BigInteger.valueOf(claims.countClaimed(lo, mid)));
            if (pick.compareTo(leftFree) < 0) {
                hi = mid;
            } else {
                pick = pick.subtract(leftFree).max(BigInteger.ZERO);
                lo = mid.add(BigInteger.ONE);
            }
        }
        return claims.countClaimed(lo, lo) == 0 ? lo : null;
    }

    private BigInteger uniform(BigInteger bound) {
        Random rnd = random.get();
        if (bound.bitLength() < 63) return BigInteger.valueOf(rnd.nextLong(bound.longValueExact()));
        BigInteger r;
        do {
            r = new BigInteger(bound.bitLength(), rnd);
        } while (r.compareTo(bound) >= 0);
        return r;
    }
}
