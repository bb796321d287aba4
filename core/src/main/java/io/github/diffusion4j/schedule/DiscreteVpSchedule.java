package io.github.diffusion4j.schedule;

import java.util.Arrays;

/**
 * A discrete-time VP schedule (Ho et al. 2020): β_1..β_T, ᾱ_j = Π_{i≤j}(1−β_i), and the EDM
 * noise level σ_j = √((1−ᾱ_j)/ᾱ_j) of each training step j = 0..T−1. Fractional times interpolate
 * ln σ linearly between neighbouring steps (as k-diffusion's {@code DiscreteSchedule.t_to_sigma}).
 */
public final class DiscreteVpSchedule implements VpSchedule {
    private final double[] betas;
    private final double[] sigmas;
    private final double[] logSigmas;

    /** A schedule from explicit β's in (0, 1). */
    public DiscreteVpSchedule(double[] betas) {
        if (betas.length < 2) {
            throw new IllegalArgumentException("need at least two betas");
        }
        this.betas = betas.clone();
        this.sigmas = new double[betas.length];
        this.logSigmas = new double[betas.length];
        double alphaBar = 1.0;
        for (int j = 0; j < betas.length; j++) {
            if (!(betas[j] > 0 && betas[j] < 1)) {
                throw new IllegalArgumentException("beta[" + j + "] = " + betas[j] + " is outside (0, 1)");
            }
            alphaBar *= 1.0 - betas[j];
            sigmas[j] = VpSchedule.sigmaOfAlphaBar(alphaBar);
            logSigmas[j] = Math.log(sigmas[j]);
        }
    }

    /** DDPM's linear β from {@code betaStart} to {@code betaEnd} over {@code steps} (Ho et al. 2020, Sec. 4). */
    public static DiscreteVpSchedule linear(double betaStart, double betaEnd, int steps) {
        double[] b = new double[steps];
        for (int j = 0; j < steps; j++) {
            b[j] = betaStart + (betaEnd - betaStart) * j / (steps - 1);
        }
        return new DiscreteVpSchedule(b);
    }

    /** DDPM's default: linear β from 1e-4 to 0.02 over T = 1000 steps. */
    public static DiscreteVpSchedule ddpm() {
        return linear(1e-4, 0.02, 1000);
    }

    /** iDDPM's cosine β_j = min(1 − ᾱ(j+1)/ᾱ(j), 0.999) over T steps (Nichol &amp; Dhariwal 2021, Eq. 17). */
    public static DiscreteVpSchedule cosine(int steps, double s) {
        CosineVpSchedule c = new CosineVpSchedule(s);
        double[] b = new double[steps];
        for (int j = 0; j < steps; j++) {
            double a0 = VpSchedule.alphaBar(c.sigma((double) j / steps));
            double a1 = VpSchedule.alphaBar(c.sigma((double) (j + 1) / steps));
            b[j] = Math.min(1 - a1 / a0, 0.999);
        }
        return new DiscreteVpSchedule(b);
    }

    /** Number of training steps T. */
    public int steps() {
        return betas.length;
    }

    /** σ_j for integer step j. */
    public double sigmaAt(int j) {
        return sigmas[j];
    }

    /** A copy of σ_0..σ_{T−1}, increasing. */
    public double[] sigmas() {
        return sigmas.clone();
    }

    /** A copy of β_1..β_T. */
    public double[] betas() {
        return betas.clone();
    }

    @Override
    public double sigma(double t) {
        if (t <= 0) {
            return sigmas[0];
        }
        if (t >= steps() - 1) {
            return sigmas[steps() - 1];
        }
        int lo = (int) Math.floor(t);
        double w = t - lo;
        return Math.exp((1 - w) * logSigmas[lo] + w * logSigmas[lo + 1]);
    }

    @Override
    public double t(double sigma) {
        double ls = Math.log(sigma);
        if (ls <= logSigmas[0]) {
            return 0;
        }
        if (ls >= logSigmas[steps() - 1]) {
            return steps() - 1;
        }
        int idx = Arrays.binarySearch(logSigmas, ls);
        if (idx >= 0) {
            return idx;
        }
        int hi = -idx - 1;
        int lo = hi - 1;
        return lo + (ls - logSigmas[lo]) / (logSigmas[hi] - logSigmas[lo]);
    }
}
