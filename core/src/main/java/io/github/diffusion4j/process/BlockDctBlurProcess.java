package io.github.diffusion4j.process;

import io.github.diffusion4j.engine.NoiseSource;
import io.github.diffusion4j.engine.Tensors;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * Relay Diffusion's blurring forward process (Teng et al. 2024, Sec. 3.3; RelayDiffusion
 * {@code training/loss.py BlurLoss}): x = A_u(x₀) + σ(u)·(ε + w·ε_blk) with A_u the block-DCT blur of
 * {@code schedule} and ε_blk the {@link BlockNoise} of weight w = {@code blockNoise}. As the official
 * code, the noise sum is not renormalised (per-pixel std σ·√(1 + w²)) while the network is still
 * preconditioned with σ. The process is handed σ (the training noise draws it, a
 * {@link io.github.diffusion4j.schedule.TruncatedLogNormalSigma}); it recovers u by the inverse
 * u(σ) = Φ((ln σ − P_mean)/P_std)/L of {@code schedule.levels()}, which is the sampler's map too.
 */
public record BlockDctBlurProcess(BlurSchedule schedule, double blockNoise) implements ForwardProcess {
    public BlockDctBlurProcess {
        if (!(blockNoise >= 0) || !Double.isFinite(blockNoise)) {
            throw new IllegalArgumentException("block-noise weight must be finite and >= 0, got " + blockNoise);
        }
    }

    /** A_{u(σ_i)}(x₀_i) for each sample i, in x₀'s dtype. */
    @Override
    public Tensor signal(Tensor x0, double[] sigma) {
        int p = schedule.patch();
        if (sigma.length != x0.size(0)) {
            throw new IllegalArgumentException(sigma.length + " noise levels for a batch of " + x0.size(0));
        }
        double[] table = new double[sigma.length * p * p];
        for (int i = 0; i < sigma.length; i++) {
            System.arraycopy(schedule.alphaAtSigma(sigma[i]), 0, table, i * p * p, p * p);
        }
        Tensor alpha = Tensors.fromDoubles(table, sigma.length, 1, 1, p, 1, p).to(x0.scalar_type());
        BlockDct dct = schedule.dct();
        return dct.pixels(dct.coefficients(x0).mul(alpha));
    }

    /** x = A_u(x₀) + σ·ñ with ñ = ε + w·ε_blk from {@code noise} (ε first, then ε_blk's white noise); ñ is returned. */
    @Override
    public Noised apply(Tensor x0, double[] sigma, NoiseSource noise) {
        long[] shape = Tensors.shape(x0);
        long[] sampleShape = Arrays.copyOfRange(shape, 1, shape.length);
        Tensor n = new BlockNoise(noise, schedule.patch(), blockNoise).randn(sampleShape).to(x0.scalar_type());
        Tensor s = Tensors.broadcastable(Tensors.fromDoubles(sigma, sigma.length), n).to(x0.scalar_type());
        return new Noised(signal(x0, sigma).add(n.mul(s)), n);
    }
}
