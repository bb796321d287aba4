package io.github.diffusion4j.eval;

import io.github.diffusion4j.engine.CounterRng;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Kernel Inception Distance (Bińkowski et al. 2018, Sec. 4): the unbiased estimate of MMD² (Gretton
 * et al. 2012, Lemma 6) with the cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³,
 *
 * <pre>
 * MMD²_u = Σ_{i≠j} k(xᵢ, xⱼ) / (m(m−1)) + Σ_{i≠j} k(yᵢ, yⱼ) / (n(n−1)) − 2 Σ_{i,j} k(xᵢ, yⱼ) / (mn)
 * </pre>
 *
 * (diagonal terms left out of the within-set sums only, as {@code mmd2(..., mmd_est='unbiased')} in
 * torch-fidelity), averaged over random subsets as torch-fidelity's {@code kid_features_to_metric}:
 * each subset draws {@code subsetSize} rows without replacement from each set. Subsets come from
 * {@link CounterRng} streams of the seed, so a seed gives the same result on any machine (but not
 * the same subsets as torch-fidelity's NumPy generator). Kernel matrices are float64 BLAS products.
 */
public final class KernelInceptionDistance {
    /** torch-fidelity's default number of subsets. */
    public static final int DEFAULT_SUBSETS = 100;
    /** torch-fidelity's default subset size. */
    public static final int DEFAULT_SUBSET_SIZE = 1000;
    /** The seed used when none is given. */
    public static final long DEFAULT_SEED = 0;

    private KernelInceptionDistance() {}

    /** KID with the default 100 subsets of 1000 rows (capped at the sample counts) and seed 0. */
    public static Kid of(double[][] x, double[][] y) {
        return of(x, y, DEFAULT_SUBSETS, DEFAULT_SUBSET_SIZE, DEFAULT_SEED);
    }

    /**
     * KID over {@code subsets} subsets of {@code subsetSize} rows of each set; the size is capped at
     * the smaller sample count, and the returned {@link Kid} reports the size used.
     */
    public static Kid of(double[][] x, double[][] y, int subsets, int subsetSize, long seed) {
        int d = Dense.width(x, "first feature set");
        int dy = Dense.width(y, "second feature set");
        if (dy != d) {
            throw new IllegalArgumentException("feature sets have " + d + " and " + dy + " columns");
        }
        if (subsets < 1) {
            throw new IllegalArgumentException("subsets must be >= 1, got " + subsets);
        }
        int m = Math.min(subsetSize, Math.min(x.length, y.length));
        if (m < 2) {
            throw new IllegalArgumentException("KID needs subsets of at least 2 rows, have " + m);
        }
        double[] mmds = new double[subsets];
        try (PointerScope ignored = new PointerScope()) {
            Tensor xs = Dense.matrix(x, d);
            Tensor ys = Dense.matrix(y, d);
            for (int s = 0; s < subsets; s++) {
                try (PointerScope perSubset = new PointerScope()) {
                    Tensor a = xs.index_select(0, Dense.indices(subset(x.length, m, CounterRng.streamKey(seed, 2L * s))));
                    Tensor b = ys.index_select(0, Dense.indices(subset(y.length, m, CounterRng.streamKey(seed, 2L * s + 1))));
                    mmds[s] = unbiasedMmd2(a, b, d);
                }
            }
        }
        double mean = 0;
        for (double v : mmds) {
            mean += v;
        }
        mean /= subsets;
        double var = 0;
        for (double v : mmds) {
            var += (v - mean) * (v - mean);
        }
        return new Kid(mean, Math.sqrt(var / subsets), subsets, m);
    }

    /** The unbiased MMD²_u between all rows of {@code x} and all rows of {@code y} (each at least 2 rows). */
    public static double unbiasedMmd2(double[][] x, double[][] y) {
        int d = Dense.width(x, "first feature set");
        if (Dense.width(y, "second feature set") != d) {
            throw new IllegalArgumentException("feature sets have " + d + " and " + y[0].length + " columns");
        }
        if (x.length < 2 || y.length < 2) {
            throw new IllegalArgumentException("MMD² needs at least 2 rows in each set");
        }
        try (PointerScope ignored = new PointerScope()) {
            return unbiasedMmd2(Dense.matrix(x, d), Dense.matrix(y, d), d);
        }
    }

    private static double unbiasedMmd2(Tensor x, Tensor y, int d) {
        double m = x.size(0);
        double n = y.size(0);
        Tensor kxx = kernel(x, x, d);
        Tensor kyy = kernel(y, y, d);
        Tensor kxy = kernel(x, y, d);
        double xx = kxx.sum().item_double() - kxx.trace().item_double();
        double yy = kyy.sum().item_double() - kyy.trace().item_double();
        double xy = kxy.sum().item_double();
        return xx / (m * (m - 1)) + yy / (n * (n - 1)) - 2 * xy / (m * n);
    }

    /** (A Bᵀ / d + 1)³. */
    private static Tensor kernel(Tensor a, Tensor b, int d) {
        return a.mm(b.t()).div(new Scalar((double) d)).add(new Scalar(1.0)).pow(new Scalar(3.0));
    }

    /** {@code size} distinct indices in [0, n), by a partial Fisher–Yates shuffle driven by stream {@code key}. */
    static long[] subset(int n, int size, long key) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        long[] out = new long[size];
        for (int i = 0; i < size; i++) {
            int j = i + (int) (CounterRng.uniform(key, i) * (n - i));
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
            out[i] = perm[i];
        }
        return out;
    }
}
