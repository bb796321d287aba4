package io.github.diffusion4j.sample;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.engine.NoiseSource;
import io.github.diffusion4j.process.BlockNoise;
import io.github.diffusion4j.process.BlurSchedule;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Relay Diffusion's second-stage sampler (Teng et al. 2024, Sec. 3.4; RelayDiffusion
 * {@code generate.py blur_sampler}; methods.md §3.4). Each step is a {@link GeneralizedDdimStep} in
 * {@code basis} with σ_up = s·σ', i.e. U' = γU + (α' − γα)Û₀, γ = √(1 − s²)·σ'/σ, plus
 * s·σ'·(z + s_block·ε_blk) from the {@link BlockNoise} of weight {@code sBlock} over the caller's
 * noise; then the second-order correction: D at the predicted point, the averaged slope
 * d̄ = (d + d')/2 with d = (x − D)/σ and d' = (x' − D')/σ', and the same step redone with
 * x̃₀ = x − σ·d̄ in place of D and fresh noise. The last step (σ' = 0) returns D(x). With
 * {@link SignalBasis#IDENTITY} and s = 0 the predictor is the DDIM step and the whole is EDM's Heun.
 */
public record RelaySampler(SignalBasis basis, double sNoise, int blockPatch, double sBlock) implements Sampler {
    public RelaySampler {
        if (!(sNoise >= 0 && sNoise < 1)) {
            throw new IllegalArgumentException("stochasticity s must be in [0, 1), got " + sNoise);
        }
        if (!(sBlock >= 0) || !Double.isFinite(sBlock)) {
            throw new IllegalArgumentException("block-noise weight must be finite and >= 0, got " + sBlock);
        }
    }

    /** The official sampler in the block-DCT basis of {@code schedule} (defaults s = 0.2, s_block = 0.15). */
    public static RelaySampler blur(BlurSchedule schedule, double sNoise, double sBlock) {
        return new RelaySampler(new BlockDctBasis(schedule), sNoise, schedule.patch(), sBlock);
    }

    /** The noise ε + s_block·ε_blk this sampler injects (and a relay start should add), drawn from {@code noise}. */
    public NoiseSource injected(NoiseSource noise) {
        return new BlockNoise(noise, blockPatch, sBlock);
    }

    /**
     * The relay start for this sampler: {@code image} (the nearest-upsampled previous stage's sample)
     * plus σ_start·(z + s_block·ε_blk), for a grid {@code truncatedAt} the relay point that begins at σ_start.
     */
    public Start start(Tensor image, double sigmaStart) {
        return new Start.BlockNoised(new Start.FromImage(image, sigmaStart), blockPatch, sBlock);
    }

    @Override
    public Tensor sample(Denoiser d, Tensor xStart, double[] sigmas, Conditioning cond, NoiseSource noise,
            StepListener listener) {
        int n = sigmas.length - 1;
        GeneralizedDdimStep step = new GeneralizedDdimStep(basis);
        NoiseSource z = injected(noise);
        return SamplerLoop.iterate(xStart, n, (i, xCur) -> {
            double sigma = sigmas[i];
            double sigmaNext = sigmas[i + 1];
            Tensor x = xCur.to(ScalarType.Double);
            Tensor denoised = d.denoise(x, sigma, cond);
            if (sigmaNext == 0) { // generate.py:86: the last step returns D(x)
                listener.onStep(i, n, sigma, sigmaNext, denoised, denoised);
                return denoised;
            }
            double up = sNoise * sigmaNext;
            Tensor predicted = step.apply(x, denoised, sigma, sigmaNext, up, z);
            Tensor denoised2 = d.denoise(predicted, sigmaNext, cond);
            Tensor slope = Sampling.toD(x, denoised, sigma).add(Sampling.toD(predicted, denoised2, sigmaNext)).mul(Sampling.s(0.5));
            Tensor averaged = x.sub(slope.mul(Sampling.s(sigma))); // x̃₀ = x − σ·d̄
            Tensor xNext = step.apply(x, averaged, sigma, sigmaNext, up, z);
            listener.onStep(i, n, sigma, sigmaNext, xNext, denoised);
            return xNext;
        });
    }

    @Override
    public int evaluations(int steps) {
        return 2 * steps - 1;
    }
}
