package io.github.diffusion4j.engine;

import org.bytedeco.pytorch.Tensor;

/** Source of the Gaussian noise a sampler draws: the start latent and every stochastic step. */
public interface NoiseSource {
    /**
     * The next standard-normal tensor of shape {@code [batch, sampleShape...]} as float64; call
     * <i>k</i> for sample <i>i</i> depends only on that sample's seed and <i>k</i>.
     */
    Tensor randn(long... sampleShape);
}
