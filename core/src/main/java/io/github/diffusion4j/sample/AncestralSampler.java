package io.github.diffusion4j.sample;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.engine.NoiseSource;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * DDIM(η) (Song et al. 2021, Eq. 12, 16) written in EDM units: with ε̂ = (x − x̂₀)/σ,
 * σ_up = η·√(σ'²(σ²−σ'²)/σ²) and σ_down = √(σ'² − σ_up²), x' = x̂₀ + σ_down ε̂ + σ_up n.
 * Dividing DDIM's VP update by √ᾱ' gives exactly this; η = 0 is deterministic DDIM and η = 1 is
 * ancestral sampling, which is also k-diffusion's Euler-ancestral step for step. Each step is
 * {@link GeneralizedDdimStep#EDM}, the generalised step in the pixel basis with α ≡ 1.
 */
public record AncestralSampler(double eta, boolean clipDenoised) implements Sampler {
    public AncestralSampler {
        if (!(eta >= 0 && eta <= 1)) {
            throw new IllegalArgumentException("eta must be in [0, 1], got " + eta);
        }
    }

    /** DDIM(η) without clipping. */
    public AncestralSampler(double eta) {
        this(eta, false);
    }

    /** Deterministic DDIM (η = 0). */
    public static AncestralSampler ddim() {
        return new AncestralSampler(0.0);
    }

    /**
     * Deterministic DDIM with the reference code's clipping: the signal term uses x̂₀ clipped to
     * [−1, 1], ε̂ the unclipped x̂₀ (DDIM's and dual_diffusion's {@code clip_denoised=True}).
     */
    public static AncestralSampler ddimClipped() {
        return new AncestralSampler(0.0, true);
    }

    /** Euler-ancestral / DDPM-like ancestral sampling (η = 1). */
    public static AncestralSampler eulerAncestral() {
        return new AncestralSampler(1.0);
    }

    /** σ_up of a step from {@code sigma} to {@code sigmaNext}. */
    public double sigmaUp(double sigma, double sigmaNext) {
        double s2 = sigma * sigma;
        double n2 = sigmaNext * sigmaNext;
        return eta * Math.sqrt(Math.max(n2 * (s2 - n2) / s2, 0.0));
    }

    @Override
    public Tensor sample(Denoiser d, Tensor xStart, double[] sigmas, Conditioning cond, NoiseSource noise,
            StepListener listener) {
        int n = sigmas.length - 1;
        return SamplerLoop.iterate(xStart, n, (step, xCur) -> {
            double sigma = sigmas[step];
            double sigmaNext = sigmas[step + 1];
            Tensor x64 = xCur.to(ScalarType.Double);
            Tensor denoised = d.denoise(x64, sigma, cond);
            Tensor signal = clipDenoised ? denoised.clamp(new ScalarOptional(Sampling.s(-1)), new ScalarOptional(Sampling.s(1))) : denoised;
            Tensor xNext = GeneralizedDdimStep.EDM.apply(x64, denoised, signal, sigma, sigmaNext, sigmaUp(sigma, sigmaNext), noise);
            listener.onStep(step, n, sigma, sigmaNext, xNext, denoised);
            return xNext;
        });
    }

    @Override
    public int evaluations(int steps) {
        return steps;
    }
}
