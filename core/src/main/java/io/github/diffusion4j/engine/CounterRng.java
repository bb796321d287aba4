package io.github.diffusion4j.engine;

/**
 * A counter-based random generator: the value at (key, stream, index) is a pure function of the
 * three, so noise never depends on batch size, batch position or thread count (EDM's
 * {@code StackedRandomGenerator} gives the same guarantee with one generator per seed).
 *
 * <p>Bits come from the SplitMix64 finaliser (Steele et al. 2014) applied to a mixed counter;
 * normals from the Box–Muller transform, two per counter value. Both are fixed here and written
 * out in full so that results do not change with the JDK's own {@code nextGaussian}.
 */
public final class CounterRng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final double TWO_PI = 2 * Math.PI;
    private static final double INV_2_53 = 1.0 / (1L << 53);

    private CounterRng() {}

    /** SplitMix64's output function: a bijective 64-bit mixer. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A 64-bit key for stream {@code stream} of seed {@code seed}. */
    public static long streamKey(long seed, long stream) {
        return mix64(mix64(seed * GOLDEN + 0x632BE59BD9B4E019L) + stream * GOLDEN);
    }

    /** Uniform double in (0, 1) at position {@code index} of the stream {@code key}. */
    public static double uniformOpen(long key, long index) {
        long bits = mix64(key + index * GOLDEN) >>> 11;
        return (bits + 0.5) * INV_2_53;
    }

    /** Uniform double in [0, 1) at position {@code index} of the stream {@code key}. */
    public static double uniform(long key, long index) {
        return (mix64(key + index * GOLDEN) >>> 11) * INV_2_53;
    }

    /** Fills {@code out[offset, offset+n)} with standard normals from the stream {@code key}. */
    public static void fillGaussian(long key, double[] out, int offset, int n) {
        for (int j = 0; j < n; j += 2) {
            long pair = j >>> 1;
            double u1 = uniformOpen(key, 2 * pair);
            double u2 = uniform(key, 2 * pair + 1);
            double r = Math.sqrt(-2.0 * Math.log(u1));
            double theta = TWO_PI * u2;
            out[offset + j] = r * Math.cos(theta);
            if (j + 1 < n) {
                out[offset + j + 1] = r * Math.sin(theta);
            }
        }
    }

    /** One standard normal at position {@code index} of the stream {@code key}. */
    public static double gaussian(long key, long index) {
        double u1 = uniformOpen(key, 2 * index);
        double u2 = uniform(key, 2 * index + 1);
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(TWO_PI * u2);
    }
}
