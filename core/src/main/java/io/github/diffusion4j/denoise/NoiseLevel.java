package io.github.diffusion4j.denoise;

import org.bytedeco.pytorch.Tensor;

/**
 * The noise level a backbone is told about (Karras et al. 2022, Eq. 7: c_noise(σ)): the
 * preconditioning's {@code cNoise} [B] as a tensor in the model's dtype, and the EDM σ per sample
 * on the host, from which a layer can derive any other time value itself (DiMR's TD-LN τ, a VP
 * step index) without a round trip through the device. The record does not own {@code cNoise}.
 */
public record NoiseLevel(Tensor cNoise, double[] sigma) {
    public NoiseLevel {
        if (sigma == null || cNoise == null) {
            throw new NullPointerException("NoiseLevel needs both cNoise and sigma");
        }
        sigma = sigma.clone();
    }

    @Override
    public double[] sigma() {
        return sigma.clone();
    }

    /** The batch size. */
    public int batch() {
        return sigma.length;
    }
}
