package io.github.diffusion4j.process;

import io.github.diffusion4j.engine.NoiseSource;
import io.github.diffusion4j.engine.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Relay Diffusion's noise ñ = ε + w·ε_blk (Teng et al. 2024, Sec. 3.3, "block noise"; RelayDiffusion
 * {@code blurring.py:143 block_noise}) as a {@link NoiseSource} over {@code base}: each draw takes ε,
 * then (when w &gt; 0) the white noise ε′ of ε_blk = box_p(ε′), from {@code base} in that order, as
 * the official loss and sampler call {@code randn_like}. With w = 0 it is {@code base} itself.
 */
public record BlockNoise(NoiseSource base, int patch, double weight) implements NoiseSource {
    public BlockNoise {
        if (patch < 1) {
            throw new IllegalArgumentException("patch size must be >= 1, got " + patch);
        }
        if (!(weight >= 0) || !Double.isFinite(weight)) {
            throw new IllegalArgumentException("block-noise weight must be finite and >= 0, got " + weight);
        }
    }

    /**
     * ε_blk(y, x) = (1/p)·Σ_{i,j&lt;p} ε′(y − i, x − j) with circular shifts over the last two
     * dimensions ({@code torch.roll(ε′, (i, j), (−2, −1))}, summed in the official order): a p×p box
     * sum of white noise, unit variance per pixel, correlation (p − |Δy|)(p − |Δx|)/p² within a patch
     * width. p = 1 returns {@code white} itself.
     */
    public static Tensor box(Tensor white, int p) {
        if (p == 1) {
            return white;
        }
        int d = Tensors.shape(white).length;
        if (d < 2) {
            throw new IllegalArgumentException("block noise needs at least two dimensions, got " + d);
        }
        Tensor sum = null;
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                Tensor r = white.roll(new long[] {i, j}, -2, -1);
                sum = sum == null ? r : sum.add(r);
            }
        }
        return sum.div(new Scalar((double) p));
    }

    @Override
    public Tensor randn(long... sampleShape) {
        Tensor eps = base.randn(sampleShape);
        if (weight == 0) {
            return eps;
        }
        Tensor blk = box(base.randn(sampleShape), patch);
        return eps.add(blk.mul(new Scalar(weight)));
    }
}
