package io.github.diffusion4j.schedule;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Relay Diffusion's noise level of its latent time u ∈ [0, 1] (Teng et al. 2024, Sec. 3.3;
 * RelayDiffusion {@code training/loss.py:129-140}): σ(u) = exp(P_mean + P_std·Φ⁻¹(u·L)), EDM's
 * log-normal p(σ) restricted to its lower L-quantile ({@code prob_length}), with the inverse
 * u(σ) = Φ((ln σ − P_mean)/P_std)/L ({@code blurring.py:165}). As a {@link TrainingNoise}, u is the
 * uniform draw, clamped below at {@code uMin} (the training stabiliser, σ ≥ σ(uMin)).
 */
public record TruncatedLogNormalSigma(double pMean, double pStd, double probLength, double uMin) implements TrainingNoise {
    /** The standard normal distribution (commons-math3: Φ through erfc, Φ⁻¹ through erfInv). */
    private static final NormalDistribution STANDARD = new NormalDistribution(null, 0.0, 1.0);

    /** The official training floor, σ ≥ 0.0075 ({@code BlurLoss.__call__ truncate_sigma=7.5e-3}). */
    public static final double SIGMA_FLOOR = 7.5e-3;

    public TruncatedLogNormalSigma {
        if (!(pStd > 0) || !Double.isFinite(pMean)) {
            throw new IllegalArgumentException("need finite P_mean and P_std > 0, got " + pMean + ", " + pStd);
        }
        if (!(probLength > 0)) {
            throw new IllegalArgumentException("prob length L must be > 0, got " + probLength);
        }
        if (!(uMin >= 0 && uMin < 1)) {
            throw new IllegalArgumentException("uMin must be in [0, 1), got " + uMin);
        }
    }

    /**
     * The schedule whose training draws stop at σ = {@code sigmaFloor}: uMin = u(σ_floor), the
     * intent of the official clamp. The official code (loss.py:131) computes
     * {@code truncate_p = Φ((ln 0.0075 − P_mean)/P_std) · prob_length}, multiplying by L where the
     * inverse of σ(u) divides, so its floor is σ ≈ 0.00712 (L = 0.93), not 0.0075; we follow the
     * comment's intent, σ ≥ σ_floor. {@link #officialUMin} gives the official value.
     */
    public static TruncatedLogNormalSigma withFloor(double pMean, double pStd, double probLength, double sigmaFloor) {
        TruncatedLogNormalSigma noFloor = new TruncatedLogNormalSigma(pMean, pStd, probLength, 0.0);
        return new TruncatedLogNormalSigma(pMean, pStd, probLength, noFloor.u(sigmaFloor));
    }

    /** The official clamp value Φ((ln σ_floor − P_mean)/P_std)·L of {@code training/loss.py:131} (see {@link #withFloor}). */
    public static double officialUMin(double pMean, double pStd, double probLength, double sigmaFloor) {
        return cdf((Math.log(sigmaFloor) - pMean) / pStd) * probLength;
    }

    /** σ(u) = exp(P_mean + P_std·Φ⁻¹(u·L)), for u·L in (0, 1). */
    public double sigma(double u) {
        return Math.exp(pMean + pStd * STANDARD.inverseCumulativeProbability(u * probLength));
    }

    /** u(σ) = Φ((ln σ − P_mean)/P_std)/L, the inverse of {@link #sigma}; not capped (above σ(1) it exceeds 1). */
    public double u(double sigma) {
        return cdf((Math.log(sigma) - pMean) / pStd) / probLength;
    }

    /** σ(1), the largest level of training: 1.77 for P_mean = −1.2, P_std = 1.2, L = 0.93. */
    public double sigmaMax() {
        return sigma(1.0);
    }

    /** The same map with another L (the sampler's {@code truncation_t}). */
    public TruncatedLogNormalSigma withProbLength(double l) {
        return new TruncatedLogNormalSigma(pMean, pStd, l, uMin);
    }

    /** σ(max(u, uMin)) of the uniform draw {@code u}; {@code z} is not used. */
    @Override
    public double sample(double z, double u) {
        return sigma(Math.max(u, uMin));
    }

    /** Φ(x), the standard normal CDF. */
    static double cdf(double x) {
        return STANDARD.cumulativeProbability(x);
    }
}
