package io.github.diffusion4j.sample;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.denoise.FixedBatchDenoiser;
import io.github.diffusion4j.engine.SeededNoise;
import java.util.Arrays;
import java.util.function.LongUnaryOperator;
import org.bytedeco.pytorch.Tensor;

/**
 * The one-stage {@link SampleSource} (EDM {@code generate.py}): a denoiser, a sampler and its σ grid.
 * The start latent and every stochastic step draw from the seed's own stream, so a seed's sample
 * does not depend on the batch size or on its position in the batch. {@code labels} gives each
 * seed's class label ({@code null}: unconditional); {@link #withClasses} sets the one rule
 * ({@link SampleSource#labelOf(long, int)}).
 */
public record Generator(Denoiser denoiser, Sampler sampler, double[] sigmas, long[] sampleShape, LongUnaryOperator labels)
        implements SampleSource {
    /** Rows per network evaluation, whatever the sampling batch (see {@link FixedBatchDenoiser}). */
    public static final int EVALUATION_BATCH = 8;

    public Generator {
        sigmas = sigmas.clone();
        sampleShape = sampleShape.clone();
    }

    /** An unconditional generator. */
    public Generator(Denoiser denoiser, Sampler sampler, double[] sigmas, long[] sampleShape) {
        this(denoiser, sampler, sigmas, sampleShape, null);
    }

    /** The same generator with labels seed mod {@code classes} (the one rule), or unconditional when {@code classes} is 0. */
    public Generator withClasses(int classes) {
        return withLabels(classes == 0 ? null : seed -> SampleSource.labelOf(seed, classes));
    }

    /** The same generator with explicit labels per seed ({@code d4j sample --class}, a grid's rows), or unconditional for {@code null}. */
    public Generator withLabels(LongUnaryOperator labels) {
        return new Generator(denoiser, sampler, sigmas, sampleShape, labels);
    }

    @Override
    public double[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public long[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public boolean classConditional() {
        return labels != null;
    }

    @Override
    public long labelOf(long seed) {
        if (labels == null) {
            throw new IllegalStateException("an unconditional generator has no labels");
        }
        return labels.applyAsLong(seed);
    }

    @Override
    public Samples sample(long[] seeds, StepListener listener) {
        return sample(seeds, Start.PURE_NOISE, listener);
    }

    /** The samples of {@code seeds} from {@code start} (e.g. {@link Start.FromImage} for a relay stage), in the caller's scope. */
    public Samples sample(long[] seeds, Start start, StepListener listener) {
        return sample(seeds, new SeededNoise(seeds), start, null, listener);
    }

    /**
     * The samples of {@code seeds} drawing from {@code noise} (a cascade stage's salted per-seed
     * streams), from {@code start}, conditioned also on {@code coupled}'s image and augmentation
     * levels ({@code null}: none; its labels are ignored, the generator's own are used).
     */
    public Samples sample(long[] seeds, SeededNoise noise, Start start, Conditioning coupled, StepListener listener) {
        if (noise.batch() != seeds.length) {
            throw new IllegalArgumentException("noise has " + noise.batch() + " rows for " + seeds.length + " seeds");
        }
        long[] labelValues = labels == null ? null : Arrays.stream(seeds).map(labels).toArray();
        Conditioning cond = labelValues == null ? Conditioning.NONE : Conditioning.classes(labelValues);
        if (coupled != null) {
            cond = new Conditioning(labelValues, coupled.image(), coupled.augmentation());
        }
        Tensor x = start.latent(noise, sigmas[0], sampleShape);
        Denoiser fixed = new FixedBatchDenoiser(denoiser, EVALUATION_BATCH);
        return new Samples(seeds.clone(), labelValues, sampler.sample(fixed, x, sigmas, cond, noise, listener));
    }
}
