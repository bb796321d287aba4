package io.github.diffusion4j.cascade;

import io.github.diffusion4j.config.AugmentationConfig;
import io.github.diffusion4j.config.CouplingConfig;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.engine.CounterRng;
import io.github.diffusion4j.engine.NoiseSource;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.nn.Resample;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * CDM's super-resolution coupling (Ho et al. 2021, Sec. 2.1 and 3.2): the conditioning image is the
 * low-resolution image z, corrupted by conditioning augmentation and upsampled to the stage's
 * resolution; the augmentation level goes with it.
 *
 * <p>In training z is x₀ area-downsampled (2×2-box means, as {@code data.Pyramid}) to
 * {@link #lowResolution()}. Gaussian augmentation draws σ_aug ~ U[0, max] per example and forms
 * z + σ_aug ε in EDM units, or √ᾱ z + √(1−ᾱ) ε with ᾱ = 1/(1+σ_aug²) for a VP-preconditioned stage
 * (CDM's formula; the same point of the VP process scaled by s(σ) = 1/√(1+σ²)); blur augmentation
 * blurs a fraction of the examples with a 3×3 Gaussian of σ_b ~ U[lo, hi] (edge pixels repeated)
 * and tells the network nothing. Every draw is keyed by (seed, example row). At sampling the same
 * maps apply to the previous stage's samples ({@link #corrupt}, {@link #conditioning}).
 */
public final class SuperResolutionCoupling implements StageCoupling {
    static final long LEVEL_STREAM = 0xA061;
    static final long NOISE_STREAM = 0xA0E1;
    static final long BLUR_STREAM = 0xB10A;
    static final long BLUR_SIGMA_STREAM = 0xB10B;

    private final int lowResolution;
    private final String upsample;
    private final AugmentationConfig augmentation;
    private final boolean varianceScaled;

    /** The coupling {@code c} names; {@code varianceScaled} for a VP-preconditioned stage (levels in VP units). */
    public SuperResolutionCoupling(CouplingConfig.SuperResolution c, boolean varianceScaled) {
        if (c.lowResolution() < 1) {
            throw new IllegalArgumentException("lowResolution must be resolved (>= 1), got " + c.lowResolution());
        }
        this.lowResolution = c.lowResolution();
        this.upsample = c.upsample();
        this.augmentation = c.augmentation();
        this.varianceScaled = varianceScaled;
    }

    /** The resolution of the conditioning image before upsampling (the previous stage's). */
    public int lowResolution() {
        return lowResolution;
    }

    /** The augmentation trained with. */
    public AugmentationConfig augmentation() {
        return augmentation;
    }

    /** Whether the network is given the augmentation level (Gaussian augmentation). */
    public boolean embedsLevel() {
        return augmentation instanceof AugmentationConfig.Gaussian;
    }

    /** The levels the stage was trained on, [0, max] ([0, 0] when it is given no level: a sampling level must then be 0). */
    public double[] trainedRange() {
        return new double[] {0, augmentation.maxLevel()};
    }

    /** Whether levels are in VP units (the state is scaled by 1/√(1+σ²)). */
    public boolean varianceScaled() {
        return varianceScaled;
    }

    @Override
    public Conditioning condition(Tensor x0, Conditioning cond, long seed, long first) {
        int b = (int) x0.size(0);
        int r = (int) x0.size(2);
        Tensor z = downsample(x0.to(ScalarType.Double), r);
        double[] levels = new double[b];
        if (augmentation instanceof AugmentationConfig.Gaussian g) {
            long key = CounterRng.streamKey(seed, LEVEL_STREAM);
            long[] noiseSeeds = new long[b];
            for (int i = 0; i < b; i++) {
                levels[i] = g.max() * CounterRng.uniform(key, first + i);
                noiseSeeds[i] = CounterRng.streamKey(seed, NOISE_STREAM) + first + i;
            }
            z = corrupt(z, levels, new SeededNoise(noiseSeeds));
        } else if (augmentation instanceof AugmentationConfig.Blur blur) {
            long which = CounterRng.streamKey(seed, BLUR_STREAM);
            long how = CounterRng.streamKey(seed, BLUR_SIGMA_STREAM);
            double lo = blur.sigma().get(0);
            double hi = blur.sigma().get(1);
            double[] sigmas = new double[b];
            for (int i = 0; i < b; i++) {
                sigmas[i] = CounterRng.uniform(which, first + i) < blur.fraction() ? lo + (hi - lo) * CounterRng.uniform(how, first + i) : 0;
            }
            z = blur(z, sigmas);
        }
        Conditioning c = cond.withImage(upsample(z, r));
        return embedsLevel() ? c.withAugmentation(levels) : c;
    }

    /** {@code x} [B, C, R, R] area-downsampled to {@link #lowResolution()} (the mean of each (R/low)² box). */
    public Tensor downsample(Tensor x, int resolution) {
        if (resolution % lowResolution != 0) {
            throw new IllegalArgumentException(resolution + " is not a multiple of the low resolution " + lowResolution);
        }
        return resolution == lowResolution ? x : Resample.areaDown(resolution / lowResolution).forward(x);
    }

    /** {@code z} [B, C, low, low] upsampled to {@code resolution} ({@code bilinear}, align_corners = false, or {@code nearest}). */
    public Tensor upsample(Tensor z, int resolution) {
        if (z.size(2) != lowResolution || z.size(3) != lowResolution) {
            throw new IllegalArgumentException("conditioning image is " + z.size(2) + "x" + z.size(3) + ", expected " + lowResolution
                    + "x" + lowResolution);
        }
        if (resolution % lowResolution != 0) {
            throw new IllegalArgumentException(resolution + " is not a multiple of the low resolution " + lowResolution);
        }
        return upsample.equals("nearest") ? Resample.nearestUp(resolution / lowResolution).forward(z)
                : Resample.bilinearTo(resolution, resolution).forward(z);
    }

    /**
     * Gaussian augmentation of {@code z} (float64 [B, C, low, low]) at per-row {@code levels}: z + σε,
     * times 1/√(1+σ²) in VP units; ε is the next draw of {@code noise}. All levels 0: {@code z} itself.
     */
    public Tensor corrupt(Tensor z, double[] levels, NoiseSource noise) {
        if (Arrays.stream(levels).allMatch(l -> l == 0)) {
            return z;
        }
        long[] shape = Tensors.shape(z);
        Tensor n = noise.randn(Arrays.copyOfRange(shape, 1, shape.length));
        Tensor sigma = Tensors.fromDoubles(levels, levels.length, 1, 1, 1);
        return scaled(z.to(ScalarType.Double).add(n.mul(sigma)), levels);
    }

    /** A state x = z + σn in EDM units (a truncated sampler's) in this stage's units: ×1/√(1+σ²) in VP units, else itself. */
    public Tensor scaled(Tensor x, double[] levels) {
        if (!varianceScaled) {
            return x;
        }
        double[] s = new double[levels.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = 1 / Math.sqrt(1 + levels[i] * levels[i]);
        }
        return x.mul(Tensors.fromDoubles(s, s.length, 1, 1, 1));
    }

    /** The conditioning of an SR stage at {@code resolution} from the already augmented low-resolution {@code z} at {@code level}. */
    public Conditioning conditioning(Conditioning cond, Tensor z, double level, int resolution) {
        Conditioning c = cond.withImage(upsample(z, resolution));
        if (!embedsLevel()) {
            return c;
        }
        double[] levels = new double[(int) z.size(0)];
        Arrays.fill(levels, level);
        return c.withAugmentation(levels);
    }

    /** Rows of {@code z} blurred with a 3×3 Gaussian of σ_b = {@code sigmas[i]} (0: unchanged), edges repeated. */
    static Tensor blur(Tensor z, double[] sigmas) {
        if (Arrays.stream(sigmas).allMatch(s -> s == 0)) {
            return z;
        }
        long[] shape = Tensors.shape(z);
        int c = (int) shape[1];
        int h = (int) shape[2];
        int w = (int) shape[3];
        double[] v = Tensors.toDoubles(z.to(ScalarType.Double));
        double[] tmp = new double[h * w];
        for (int i = 0; i < sigmas.length; i++) {
            if (sigmas[i] == 0) {
                continue;
            }
            double side = Math.exp(-1 / (2 * sigmas[i] * sigmas[i]));
            double w0 = 1 / (1 + 2 * side);
            double w1 = side * w0;
            for (int ch = 0; ch < c; ch++) {
                int off = (i * c + ch) * h * w;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int p = off + y * w;
                        tmp[y * w + x] = w1 * v[p + Math.max(x - 1, 0)] + w0 * v[p + x] + w1 * v[p + Math.min(x + 1, w - 1)];
                    }
                }
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        v[off + y * w + x] = w1 * tmp[Math.max(y - 1, 0) * w + x] + w0 * tmp[y * w + x]
                                + w1 * tmp[Math.min(y + 1, h - 1) * w + x];
                    }
                }
            }
        }
        return Tensors.fromDoubles(v, shape);
    }
}
