package io.github.diffusion4j.sample;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.engine.NoiseSource;
import org.bytedeco.pytorch.Tensor;

/**
 * A stateless sampler (design.md, principle 3): it solves from {@code xStart} at σ_0 down the given
 * noise levels to σ_N = 0 and returns the float64 result. Each step runs in a native-memory scope.
 */
public interface Sampler {
    /**
     * Samples from {@code xStart} (float64, already at noise level {@code sigmas[0]}, i.e. σ_0·n for
     * a fresh start) through {@code sigmas} (decreasing, last = 0).
     */
    Tensor sample(Denoiser denoiser, Tensor xStart, double[] sigmas, Conditioning cond, NoiseSource noise,
            StepListener listener);

    /** Denoiser evaluations for {@code steps} steps (Karras et al. 2022, "NFE"). */
    int evaluations(int steps);

    /** Denoiser evaluations on the grid {@code sigmas}, which may stop above 0 (a truncated cascade stage's). */
    default int evaluations(double[] sigmas) {
        return evaluations(sigmas.length - 1);
    }
}
