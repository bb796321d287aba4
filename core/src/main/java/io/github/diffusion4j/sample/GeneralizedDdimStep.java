package io.github.diffusion4j.sample;

import io.github.diffusion4j.engine.NoiseSource;
import org.bytedeco.pytorch.Tensor;

/**
 * One DDIM(η) step (Song et al. 2021, Eq. 12) generalised to per-coefficient signal scales, as in
 * Relay's {@code blur_sampler} (Teng et al. 2024; RelayDiffusion {@code generate.py}; methods.md §3.4):
 * in a basis B with u = B x, û₀ = B x̂₀ and ε̂ = (u − α û₀)/σ,
 * u' = α' û₀ + σ_down ε̂ and x' = Bᵀu' + σ_up n, with σ_down = √(σ'² − σ_up²).
 * That is u' = γ u + (α' − γ α) û₀ with γ = σ_down/σ; Relay's stochasticity s is σ_up = s σ',
 * γ = √(1 − s²) σ'/σ. With {@link SignalBasis#IDENTITY} (α ≡ 1) it is DDIM(η) in EDM units,
 * x' = x̂₀ + σ_down (x − x̂₀)/σ + σ_up n, which {@link AncestralSampler} runs.
 */
public record GeneralizedDdimStep(SignalBasis basis) {
    /** The step in the pixel basis with α ≡ 1. */
    public static final GeneralizedDdimStep EDM = new GeneralizedDdimStep(SignalBasis.IDENTITY);

    /**
     * x at σ' from {@code x} at σ and the denoiser's x̂₀ ({@code denoised}), adding fresh noise
     * σ_up·n from {@code noise} when {@code sigmaUp} &gt; 0 ({@code noise} is not used, and may be
     * {@code null}, when it is 0); float64 in, float64 out.
     */
    public Tensor apply(Tensor x, Tensor denoised, double sigma, double sigmaNext, double sigmaUp, NoiseSource noise) {
        return apply(x, denoised, denoised, sigma, sigmaNext, sigmaUp, noise);
    }

    /**
     * The same step with ε̂ taken from {@code denoised} but the signal term α' û₀ from {@code signal}:
     * DDIM with clipping (Song et al. 2021 code; dual_diffusion {@code diffusion.py:307-309}) passes
     * the clipped x̂₀ as {@code signal} and keeps ε̂ from the unclipped one.
     */
    public Tensor apply(Tensor x, Tensor denoised, Tensor signal, double sigma, double sigmaNext, double sigmaUp, NoiseSource noise) {
        double down = Math.sqrt(Math.max(sigmaNext * sigmaNext - sigmaUp * sigmaUp, 0.0));
        Tensor u = basis.forward(x);
        Tensor u0 = basis.forward(denoised);
        Tensor eps = Sampling.toD(u, basis.scaled(u0, sigma), sigma);
        Tensor s0 = signal == denoised ? u0 : basis.forward(signal);
        Tensor xNext = basis.inverse(basis.scaled(s0, sigmaNext).add(eps.mul(Sampling.s(down))));
        if (sigmaUp > 0) {
            xNext = xNext.add(noise.randn(Sampling.sampleShape(x)).mul(Sampling.s(sigmaUp)));
        }
        return xNext;
    }
}
