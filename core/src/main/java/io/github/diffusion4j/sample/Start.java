package io.github.diffusion4j.sample;

import io.github.diffusion4j.engine.NoiseSource;
import io.github.diffusion4j.process.BlockNoise;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Where a sampler's trajectory begins, at the first level σ₀ of its grid, with the noise drawn from
 * the batch's per-seed streams: pure noise σ₀·n (EDM {@code generate.py}) or a given image plus
 * noise, image + σ_start·n (Relay's start from the upsampled stage-1 sample, Teng et al. 2024,
 * RelayDiffusion {@code generate.py}; methods.md §3.4).
 */
public sealed interface Start {
    /** Today's start: x = σ₀·n. */
    Start PURE_NOISE = new PureNoise();

    /**
     * The float64 start latent [B, sampleShape…] for a grid that begins at {@code sigma0}; the noise
     * is the next draw of {@code noise}.
     */
    Tensor latent(NoiseSource noise, double sigma0, long[] sampleShape);

    /** x = σ₀·n (EDM {@code generate.py}: {@code latents * t_steps[0]}). */
    record PureNoise() implements Start {
        @Override
        public Tensor latent(NoiseSource noise, double sigma0, long[] sampleShape) {
            Tensor n = noise.randn(sampleShape);
            Tensor x = n.mul(Sampling.s(sigma0));
            n.close();
            return x;
        }
    }

    /**
     * x = image + σ_start·n, for a grid whose first level is σ_start (Relay: a grid
     * {@code truncatedAt} the relay point starts at its first kept level). {@code image} is a batch
     * [B, sampleShape…] that the caller owns; it is not copied.
     */
    record FromImage(Tensor image, double sigmaStart) implements Start {
        public FromImage {
            if (!(sigmaStart > 0 && Double.isFinite(sigmaStart))) {
                throw new IllegalArgumentException("sigmaStart must be positive and finite, got " + sigmaStart);
            }
        }

        @Override
        public Tensor latent(NoiseSource noise, double sigma0, long[] sampleShape) {
            if (sigma0 != sigmaStart) {
                throw new IllegalArgumentException("a start from an image at σ_start = " + sigmaStart
                        + " needs a grid that begins there, but it begins at σ₀ = " + sigma0);
            }
            long[] want = new long[sampleShape.length + 1];
            want[0] = image.size(0);
            System.arraycopy(sampleShape, 0, want, 1, sampleShape.length);
            if (!Arrays.equals(image.shape(), want)) {
                throw new IllegalArgumentException("start image has shape " + Arrays.toString(image.shape())
                        + ", expected [B, " + Arrays.toString(sampleShape).substring(1));
            }
            Tensor n = noise.randn(sampleShape);
            if (n.size(0) != image.size(0)) {
                throw new IllegalArgumentException("start image has " + image.size(0) + " samples but the batch has " + n.size(0));
            }
            return image.to(ScalarType.Double).add(n.mul(Sampling.s(sigmaStart)));
        }
    }

    /**
     * {@code start} with its noise drawn as ñ = ε + w·ε_blk, the {@link BlockNoise} of patch p over
     * the batch's streams (Relay's start, {@code generate.py:71}: upsampled image + σ₀·(z + s_block·ε_blk)).
     */
    record BlockNoised(Start start, int patch, double weight) implements Start {
        @Override
        public Tensor latent(NoiseSource noise, double sigma0, long[] sampleShape) {
            return start.latent(new BlockNoise(noise, patch, weight), sigma0, sampleShape);
        }
    }
}
