package io.github.diffusion4j.sample;

import io.github.diffusion4j.engine.NoiseSource;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/** Small helpers for running a sampler from scratch. */
public final class Sampling {
    private Sampling() {}

    /** The start latent x_0 = σ_0·n for a batch of samples of shape {@code sampleShape} (EDM {@code generate.py}). */
    public static Tensor start(NoiseSource noise, double sigma0, long... sampleShape) {
        Tensor n = noise.randn(sampleShape);
        Tensor x = n.mul(s(sigma0));
        n.close();
        return x;
    }

    static Scalar s(double v) {
        return new Scalar(v);
    }
}
