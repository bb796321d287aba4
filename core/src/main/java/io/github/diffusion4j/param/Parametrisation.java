package io.github.diffusion4j.param;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * What the backbone's heads mean: how they become x̂₀, and the matching training loss
 * (design.md, principle 1). Classic single-head parametrisations are {@link OutputScaling}s;
 * dual-output and multi-resolution heads plug in here too.
 */
public interface Parametrisation {
    /** How many heads of the backbone this parametrisation reads. */
    int heads();

    /** x̂₀ (float64) from the heads, the noisy input {@code x} (float64, EDM units) and per-sample scalings. */
    Tensor denoised(List<Tensor> heads, Tensor x, Scalings[] scalings);

    /**
     * The per-sample training loss [B] for heads computed from x = x₀ + σ n, weighted by
     * {@code weighting}; computed in the heads' dtype so gradients flow into the backbone.
     */
    Tensor loss(List<Tensor> heads, TrainingExample example, Scalings[] scalings, LossWeighting weighting);

    /** The tensors of one training step: clean x₀, noise n, σ per sample, and x = x₀ + σ n. */
    record TrainingExample(Tensor x0, Tensor noise, double[] sigma, Tensor x, double sigmaData) {}
}
