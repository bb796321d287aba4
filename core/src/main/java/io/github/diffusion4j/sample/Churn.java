package io.github.diffusion4j.sample;

/**
 * EDM's stochastic "churn" (Karras et al. 2022, Alg. 2, lines 4–6): at σ_i in [S_tmin, S_tmax],
 * raise the noise to σ̂ = σ_i(1+γ), γ = min(S_churn/N, √2 − 1), by adding √(σ̂²−σ_i²)·S_noise·n.
 */
public record Churn(double sChurn, double sTmin, double sTmax, double sNoise) {
    /** No churn: the deterministic sampler. */
    public static final Churn NONE = new Churn(0, 0, Double.POSITIVE_INFINITY, 1);

    public Churn {
        if (sChurn < 0 || sTmin < 0 || sTmax < sTmin || sNoise <= 0) {
            throw new IllegalArgumentException("need sChurn >= 0, 0 <= sTmin <= sTmax, sNoise > 0");
        }
    }

    /** γ_i for a step at σ_i of an {@code steps}-step run. */
    public double gamma(double sigma, int steps) {
        return sChurn > 0 && sigma >= sTmin && sigma <= sTmax ? Math.min(sChurn / steps, Math.sqrt(2) - 1) : 0.0;
    }
}
