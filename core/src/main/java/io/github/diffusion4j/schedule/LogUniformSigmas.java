package io.github.diffusion4j.schedule;

/**
 * Noise levels uniform in ln σ from σ_max to σ_min (Karras et al. 2022, Table 1, VE column:
 * σ_i = σ_max (σ_min/σ_max)^{i/(N−1)}), then σ_N = 0.
 */
public record LogUniformSigmas(double sigmaMin, double sigmaMax) implements Discretization {
    public LogUniformSigmas {
        if (!(sigmaMin > 0 && sigmaMax > sigmaMin)) {
            throw new IllegalArgumentException("need 0 < sigmaMin < sigmaMax");
        }
    }

    @Override
    public double[] sigmas(int steps) {
        Discretization.requireSteps(steps);
        double[] s = new double[steps];
        for (int i = 0; i < steps; i++) {
            double frac = Discretization.fraction(i, steps);
            s[i] = sigmaMax * Math.pow(sigmaMin / sigmaMax, frac);
        }
        return Discretization.withFinalZero(s);
    }
}
