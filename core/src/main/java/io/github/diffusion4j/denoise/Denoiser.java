package io.github.diffusion4j.denoise;

import io.github.diffusion4j.engine.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * The contract at the centre of the library: the ideal-denoiser estimate D(x; σ, cond) ≈ E[x₀ | x]
 * in EDM units, x = x₀ + σ n (Karras et al. 2022, Eq. 2–3). Samplers see nothing else.
 */
@FunctionalInterface
public interface Denoiser {
    /**
     * x̂₀ for a batch {@code x} of shape [B, ...] (float64) at per-sample noise levels
     * {@code sigma} of shape [B] (float64); returns float64 of x's shape.
     */
    Tensor denoise(Tensor x, Tensor sigma, Conditioning cond);

    /** Convenience: the same σ for every sample in the batch. */
    default Tensor denoise(Tensor x, double sigma, Conditioning cond) {
        Tensor s = Tensors.full(x.size(0), sigma);
        Tensor out = denoise(x, s, cond);
        s.close();
        return out;
    }
}
