package io.github.diffusion4j.process;

import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.schedule.TruncatedLogNormalSigma;
import org.bytedeco.pytorch.Tensor;

/**
 * Relay Diffusion's blur schedule (Teng et al. 2024, Sec. 3.3; RelayDiffusion {@code training/loss.py
 * DCTBlur}, {@code blurring.py get_alpha_t}): the latent time u drives the noise level σ(u)
 * ({@code levels}) and the blur σ_B(u) = σ_B,max·sin²(πu/2); block-DCT coefficient (a, b) is scaled by
 * α_ab(u) = (1 − m)·exp(−(ω_a² + ω_b²)·σ_B(u)²/2) + m, ω = πk/p, m = {@code minScale}.
 */
public record BlurSchedule(TruncatedLogNormalSigma levels, double blurSigmaMax, double minScale, int patch) {
    /** The paper's ImageNet values (σ_B,max 3, m 0.001); CelebA-HQ used σ_B,max 2 and L 0.89. */
    public static final double BLUR_SIGMA_MAX = 3.0;
    public static final double MIN_SCALE = 0.001;

    public BlurSchedule {
        if (!(blurSigmaMax >= 0) || !Double.isFinite(blurSigmaMax)) {
            throw new IllegalArgumentException("blur σ_B,max must be finite and >= 0, got " + blurSigmaMax);
        }
        if (!(minScale >= 0 && minScale <= 1)) {
            throw new IllegalArgumentException("min scale m must be in [0, 1], got " + minScale);
        }
        if (patch < 1) {
            throw new IllegalArgumentException("patch size must be >= 1, got " + patch);
        }
    }

    /** σ_B(u) = σ_B,max·sin²(πu/2) (loss.py:134). */
    public double blurSigma(double u) {
        double s = Math.sin(u * Math.PI / 2);
        return blurSigmaMax * s * s;
    }

    /** The p×p table α_ab(u), row-major [a, b] (a the vertical frequency); α_00 = 1. */
    public double[] alpha(double u) {
        double b = blurSigma(u);
        double t = b * b / 2;
        double[] out = new double[patch * patch];
        for (int i = 0; i < patch; i++) {
            for (int j = 0; j < patch; j++) {
                double wi = Math.PI * i / patch, wj = Math.PI * j / patch;
                out[i * patch + j] = Math.exp(-(wi * wi + wj * wj) * t) * (1 - minScale) + minScale;
            }
        }
        return out;
    }

    /**
     * The table at noise level σ, α(min(u(σ), 1)) (the sampler's {@code get_alpha_t}). The official
     * code does not cap u(σ) at 1, so above σ(1) its blur weakens again (sin² falls past u = 1); here
     * the blur stays at its maximum there. Its sampler never goes above σ(1), so the two agree.
     */
    public double[] alphaAtSigma(double sigma) {
        return alpha(Math.min(levels.u(sigma), 1.0));
    }

    /** {@link #alpha} as a float64 [p, 1, p] tensor, which broadcasts onto {@link BlockDct#coefficients}. */
    public Tensor alphaTensor(double u) {
        return Tensors.fromDoubles(alpha(u), patch, 1, patch);
    }

    /** The block DCT of this schedule's patch size. */
    public BlockDct dct() {
        return new BlockDct(patch);
    }

    /** A_u(x₀): the block-DCT blur of {@code x0} [B, C, H, W] at one time u, in x₀'s dtype. */
    public Tensor blur(Tensor x0, double u) {
        BlockDct dct = dct();
        return dct.pixels(dct.coefficients(x0).mul(alphaTensor(u).to(x0.scalar_type())));
    }
}
