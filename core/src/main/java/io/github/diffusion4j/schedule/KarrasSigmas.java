package io.github.diffusion4j.schedule;

/** Karras et al. 2022, Eq. 5: σ_i = (σ_max^{1/ρ} + i/(N−1)(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ, σ_N = 0. */
public record KarrasSigmas(double sigmaMin, double sigmaMax, double rho) implements Discretization {
    /** EDM's defaults: σ_min = 0.002, σ_max = 80, ρ = 7. */
    public static KarrasSigmas edm() {
        return new KarrasSigmas(0.002, 80.0, 7.0);
    }

    public KarrasSigmas {
        if (!(sigmaMin > 0 && sigmaMax > sigmaMin && rho > 0)) {
            throw new IllegalArgumentException("need 0 < sigmaMin < sigmaMax and rho > 0");
        }
    }

    @Override
    public double[] sigmas(int steps) {
        Discretization.requireSteps(steps);
        double[] s = new double[steps];
        double a = Math.pow(sigmaMax, 1 / rho);
        double b = Math.pow(sigmaMin, 1 / rho);
        for (int i = 0; i < steps; i++) {
            double frac = Discretization.fraction(i, steps);
            s[i] = Math.pow(a + frac * (b - a), rho);
        }
        return Discretization.withFinalZero(s);
    }
}
