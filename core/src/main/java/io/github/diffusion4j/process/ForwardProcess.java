package io.github.diffusion4j.process;

import io.github.diffusion4j.engine.NoiseSource;
import org.bytedeco.pytorch.Tensor;

/**
 * The forward (noising) process of training, x = A_σ(x₀) + σ·ñ: a linear signal operator A_σ (the
 * identity for EDM, Karras et al. 2022, Eq. 2; a block-DCT blur for Relay Diffusion, Teng et al.
 * 2024, Eq. 4) and the noise ñ drawn from the caller's per-seed source.
 */
public interface ForwardProcess {
    /** A_σ(x₀) for a batch x₀ [B, C, H, W] at per-sample levels σ [B]. */
    Tensor signal(Tensor x0, double[] sigma);

    /** x = A_σ(x₀) + σ·ñ with ñ drawn from {@code noise}; both returned in x₀'s dtype. */
    Noised apply(Tensor x0, double[] sigma, NoiseSource noise);

    /** The noisy batch and the noise ñ it holds. */
    record Noised(Tensor x, Tensor noise) {}
}
