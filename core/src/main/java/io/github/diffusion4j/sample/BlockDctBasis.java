package io.github.diffusion4j.sample;

import io.github.diffusion4j.process.BlockDct;
import io.github.diffusion4j.process.BlurSchedule;
import io.github.diffusion4j.engine.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * The block-DCT basis of Relay Diffusion's sampler (Teng et al. 2024, Sec. 3.3–3.4; RelayDiffusion
 * {@code generate.py blur_sampler}): u = DCT_p(x) per p×p patch (as [B, C, H/p, p, W/p, p],
 * {@link BlockDct#coefficients}) with the per-coefficient signal scale α(σ) = α(min(u(σ), 1)) of
 * {@code schedule} ({@code get_alpha_t}); {@code schedule.levels()} carries the sampler's L
 * ({@code truncation_t}), which the official CelebA-HQ setting sets apart from training's.
 */
public record BlockDctBasis(BlurSchedule schedule) implements SignalBasis {
    @Override
    public Tensor forward(Tensor x) {
        return schedule.dct().coefficients(x);
    }

    @Override
    public Tensor inverse(Tensor u) {
        return schedule.dct().pixels(u);
    }

    /** The [p, 1, p] table α(σ), float64. */
    @Override
    public Tensor alpha(double sigma) {
        int p = schedule.patch();
        return Tensors.fromDoubles(schedule.alphaAtSigma(sigma), p, 1, p);
    }
}
