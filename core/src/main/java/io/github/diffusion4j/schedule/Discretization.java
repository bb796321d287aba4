package io.github.diffusion4j.schedule;

/** The noise levels a sampler visits (Karras et al. 2022, Sec. 3 "time steps" t_i). */
public interface Discretization {
    /**
     * {@code steps + 1} noise levels, strictly decreasing from the largest to the smallest nonzero
     * level, followed by σ_N = 0.
     */
    double[] sigmas(int steps);

    /** This grid with every level ≥ {@code sigma} dropped and the final 0 kept (Relay's truncated grid, {@link TruncatedSigmas}). */
    default Discretization truncatedAt(double sigma) {
        return new TruncatedSigmas(this, sigma);
    }

    /** Appends σ_N = 0 after {@code levels}; shared by every implementation. */
    static double[] withFinalZero(double[] levels) {
        double[] out = java.util.Arrays.copyOf(levels, levels.length + 1);
        out[levels.length] = 0.0;
        return out;
    }

    /** i/(N−1), the position of level i of N along a grid (0 for a one-level grid). */
    static double fraction(int i, int steps) {
        return steps == 1 ? 0.0 : (double) i / (steps - 1);
    }

    /** Checks the step count shared by every implementation. */
    static void requireSteps(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
    }
}
