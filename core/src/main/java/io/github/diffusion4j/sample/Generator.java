package io.github.diffusion4j.sample;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.denoise.FixedBatchDenoiser;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.ShutdownGuard;
import io.github.diffusion4j.engine.Tensors;
import java.util.Arrays;
import java.util.function.LongUnaryOperator;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Generates one sample per seed in batches (EDM {@code generate.py}): the start latent and every
 * stochastic step draw from the seed's own stream, so a seed's sample does not depend on the batch
 * size or on its position in the batch.
 */
public record Generator(Denoiser denoiser, Sampler sampler, double[] sigmas, long[] sampleShape) {
    /** Receives each finished sample as float64 values in C order. */
    @FunctionalInterface
    public interface Sink {
        void accept(long seed, double[] values);
    }

    /** Rows per network evaluation, whatever the sampling batch (see {@link FixedBatchDenoiser}). */
    public static final int EVALUATION_BATCH = 8;

    public Generator {
        sigmas = sigmas.clone();
        sampleShape = sampleShape.clone();
    }

    /**
     * Samples every seed, {@code batch} at a time; {@code labelOf} gives each seed's class label
     * ({@code null} for an unconditional model).
     */
    public void generate(long[] seeds, int batch, LongUnaryOperator labelOf, StepListener listener, Sink sink) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        int per = Math.toIntExact(Arrays.stream(sampleShape).reduce(1, Math::multiplyExact));
        for (int from = 0; from < seeds.length; from += batch) {
            long[] chunk = Arrays.copyOfRange(seeds, from, Math.min(seeds.length, from + batch));
            ShutdownGuard.run(() -> {
                sampleBatch(chunk, per, labelOf, listener, sink);
                return null;
            });
        }
    }

    private void sampleBatch(long[] chunk, int per, LongUnaryOperator labelOf, StepListener listener, Sink sink) {
        try (PointerScope scope = new PointerScope()) {
            SeededNoise noise = new SeededNoise(chunk);
            Conditioning cond = labelOf == null ? Conditioning.NONE : Conditioning.classes(Arrays.stream(chunk).map(labelOf).toArray());
            Tensor x = Sampling.start(noise, sigmas[0], sampleShape);
            double[] values = Tensors.toDoubles(
                    sampler.sample(new FixedBatchDenoiser(denoiser, EVALUATION_BATCH), x, sigmas, cond, noise, listener));
            for (int i = 0; i < chunk.length; i++) {
                sink.accept(chunk[i], Arrays.copyOfRange(values, i * per, (i + 1) * per));
            }
        }
    }
}
