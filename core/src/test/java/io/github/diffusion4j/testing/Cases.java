package io.github.diffusion4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/** Shared helpers for seeded property tests: log-uniform draws and relative-error assertions. */
public final class Cases {
    private Cases() {}

    /** A value log-uniform in [lo, hi]. */
    public static double logUniform(SplittableRandom r, double lo, double hi) {
        return Math.exp(Math.log(lo) + r.nextDouble() * (Math.log(hi) - Math.log(lo)));
    }

    /** Fails unless |got − want| ≤ rel·|want|, naming the case. */
    public static void assertRel(double got, double want, double rel, String what) {
        if (!(Math.abs(got - want) <= rel * Math.abs(want))) {
            fail(String.format("%s: got %s, want %s (relative error %.3e > %.1e)", what, got, want,
                    Math.abs(got - want) / Math.abs(want), rel));
        }
    }

    /** e^x − 1 by its Taylor series near 0 (an independent reference for {@code Math.expm1}). */
    public static double expm1ByHand(double x) {
        if (Math.abs(x) >= 0.5) {
            return Math.exp(x) - 1;
        }
        double term = x, sum = x;
        for (int k = 2; k < 40; k++) {
            term *= x / k;
            sum += term;
        }
        return sum;
    }
}
