package io.github.diffusion4j.sample;

import org.bytedeco.pytorch.Tensor;

/** Told after each sampler step, for progress bars and previews; must not keep the tensors. */
@FunctionalInterface
public interface StepListener {
    /** Step {@code step} of {@code steps} went from {@code sigma} to {@code sigmaNext}, giving {@code x} (x̂₀ was {@code denoised}). */
    void onStep(int step, int steps, double sigma, double sigmaNext, Tensor x, Tensor denoised);

    /** A listener that does nothing. */
    StepListener NONE = (step, steps, sigma, sigmaNext, x, denoised) -> {};
}
