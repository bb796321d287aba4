package io.github.diffusion4j.cascade;

import io.github.diffusion4j.config.CouplingConfig;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.nn.Resample;
import io.github.diffusion4j.process.BlurSchedule;
import io.github.diffusion4j.sample.RelaySampler;
import io.github.diffusion4j.sample.Start;
import io.github.diffusion4j.schedule.TruncatedSigmas;
import org.bytedeco.pytorch.Tensor;

/**
 * Relay Diffusion's coupling (Teng et al. 2024, Sec. 3.4; RelayDiffusion {@code generate.py}; methods.md
 * §3.4): the stage trains on its blurring process with no conditioning image ({@link #condition} adds
 * nothing), and samples by continuing the diffusion from the previous stage's final sample z,
 * nearest-upsampled by p = resolution / {@link #lowResolution()} ({@link #upsample}; the official
 * {@code F.interpolate}), on its grid truncated below σ_trunc ({@link #grid}) from
 * x = up(z) + σ₀(n + s_block·ε_blk) ({@link #start}) with the {@link RelaySampler} in the block-DCT
 * basis whose α(σ) inverts σ(u) with L = truncation_t.
 */
public final class RelayCoupling implements StageCoupling {
    private final CouplingConfig.Relay config;
    private final BlurSchedule sampling;
    private final double trainedSigmaMax;

    /**
     * The relay of {@code c} for a stage trained on {@code trained} (its P_mean, P_std, probLength, blur);
     * the sampler's schedule is the same with probLength replaced by truncation_t.
     */
    public RelayCoupling(CouplingConfig.Relay c, BlurSchedule trained) {
        if (c.lowResolution() < 1) {
            throw new IllegalArgumentException("lowResolution must be resolved (>= 1), got " + c.lowResolution());
        }
        this.config = c;
        this.sampling = new BlurSchedule(trained.levels().withProbLength(c.truncationT()), trained.blurSigmaMax(), trained.minScale(),
                trained.patch());
        this.trainedSigmaMax = trained.levels().sigmaMax();
    }

    /** The resolution of the previous stage's sample. */
    public int lowResolution() {
        return config.lowResolution();
    }

    /** The configured truncation σ (the default relay point). */
    public double truncationSigma() {
        return config.truncationSigma();
    }

    /** The relay points the stage was trained for: (0, σ(1)] of its training levels. */
    public double[] trainedRange() {
        return new double[] {0, trainedSigmaMax};
    }

    /** Training: the class alone; the low resolution is in the blurring process, not in a conditioning image. */
    @Override
    public Conditioning condition(Tensor x0, Conditioning cond, long seed, long first) {
        return cond;
    }

    /** The relay sampler of this stage: the block-DCT basis of its schedule (L = truncation_t), s, s_block. */
    public RelaySampler sampler() {
        return RelaySampler.blur(sampling, config.sNoise(), config.sBlock());
    }

    /** The stage's full grid {@code sigmas} (ending in 0) with every level ≥ {@code truncation} dropped and the final 0 kept (generate.py). */
    public double[] grid(double[] sigmas, double truncation) {
        try {
            return new TruncatedSigmas(steps -> sigmas, truncation).sigmas(sigmas.length - 1);
        } catch (IllegalArgumentException e) {
            throw new io.github.diffusion4j.io.InputException("relay " + e.getMessage() + "; raise it or sample with more steps");
        }
    }

    /** {@code z} [B, C, low, low] nearest-upsampled to {@code resolution}. */
    public Tensor upsample(Tensor z, int resolution) {
        if (z.size(2) * (resolution / z.size(2)) != resolution || z.size(2) != lowResolution()) {
            throw new IllegalArgumentException("previous sample is " + z.size(2) + " px, expected " + lowResolution() + " px for a relay to "
                    + resolution + " px");
        }
        return Resample.nearestUp((int) (resolution / z.size(2))).forward(z);
    }

    /** The relay start from the upsampled {@code image} at the truncated grid's first level σ₀. */
    public Start start(Tensor image, double sigma0) {
        return sampler().start(image, sigma0);
    }
}
