package io.github.diffusion4j.data;

import io.github.diffusion4j.engine.CounterRng;

/** The order in which one epoch visits a dataset: a Fisher–Yates shuffle driven by {@link CounterRng}, stream = epoch. */
public final class EpochOrder {
    private EpochOrder() {}

    /**
     * A permutation of {@code 0..n-1} that depends only on ({@code seed}, {@code epoch}, {@code n}):
     * for {@code i = n-1 … 1}, swap {@code i} with {@code j = ⌊u_i·(i+1)⌋}, where
     * {@code u_i = CounterRng.uniform(CounterRng.streamKey(seed, epoch), i)}.
     */
    public static int[] permutation(long seed, long epoch, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        long key = CounterRng.streamKey(seed, epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = (int) (CounterRng.uniform(key, i) * (i + 1));
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
