package io.github.diffusion4j.schedule;

/**
 * The continuous VP-SDE with linear β(t) = β_min + β_d t (Song et al. 2021; Karras et al. 2022,
 * Table 1): σ(t) = √(exp(½β_d t² + β_min t) − 1), t ∈ (0, 1].
 */
public record LinearVpSchedule(double betaD, double betaMin) implements VpSchedule {
    /** EDM's VP defaults β_d = 19.9, β_min = 0.1. */
    public static LinearVpSchedule edm() {
        return new LinearVpSchedule(19.9, 0.1);
    }

    @Override
    public double sigma(double t) {
        return Math.sqrt(Math.expm1(0.5 * betaD * t * t + betaMin * t));
    }

    @Override
    public double t(double sigma) {
        return (Math.sqrt(betaMin * betaMin + 2 * betaD * Math.log1p(sigma * sigma)) - betaMin) / betaD;
    }
}
