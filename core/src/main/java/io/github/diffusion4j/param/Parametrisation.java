package io.github.diffusion4j.param;

import io.github.diffusion4j.denoise.BackboneSpec;
import io.github.diffusion4j.denoise.HeadSpec;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * What the backbone's heads mean: how they become x̂₀, and the matching training loss
 * (design.md, principle 1). The classic single-head parametrisations are {@link ScaledOutput}s;
 * dual-output (one head of 2C + 1 channels: x̂₀, ε̂, mixing logit), deep supervision (one head per brick) and multi-scale supervision (one
 * head per resolution) are further implementations of the same contract.
 */
public interface Parametrisation {
    /** The heads this parametrisation reads from a backbone, for images of {@code channels} channels. */
    List<HeadSpec> heads(int channels);

    /** Refuses a backbone whose declared heads are not the ones this parametrisation reads. */
    default void check(BackboneSpec spec, int channels) {
        List<HeadSpec> want = heads(channels);
        if (!spec.heads().equals(want)) {
            throw new IllegalArgumentException(this + " reads heads " + want + " but the backbone returns " + spec.heads());
        }
    }

    /**
     * The effective scalings of D = c_skip x + c_out F(c_in x; c_noise) at σ: c_in and c_noise from
     * the preconditioning, c_skip and c_out as this parametrisation reads its output.
     */
    default Scalings scalings(double sigma, Preconditioning pre) {
        return pre.at(sigma);
    }

    /** x̂₀ (float64) from the heads, the noisy input {@code x} (float64, EDM units) and per-sample scalings. */
    Tensor denoised(List<Tensor> heads, Tensor x, Scalings[] scalings);

    /**
     * The per-sample training loss [B] and its named terms for heads computed from the example's x,
     * weighted by {@code weighting}; computed in the heads' dtype so gradients flow into the backbone.
     */
    Loss loss(List<Tensor> heads, TrainingExample example, Scalings[] scalings, LossWeighting weighting);

    /** The tensors of one training step: clean x₀, noise n, σ per sample, and the noisy x the network saw. */
    record TrainingExample(Tensor x0, Tensor noise, double[] sigma, Tensor x, double sigmaData) {}
}
