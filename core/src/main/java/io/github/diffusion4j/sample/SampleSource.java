package io.github.diffusion4j.sample;

import io.github.diffusion4j.engine.ShutdownGuard;
import io.github.diffusion4j.engine.Tensors;
import java.util.Arrays;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Something that produces one sample per seed, a batch of seeds at a time, as tensors (EDM
 * {@code generate.py}; a cascade's stages hand tensors on without leaving native memory). A seed's
 * sample depends only on the seed and its class label, never on the batch.
 */
public interface SampleSource {
    /** The shape of one sample, [C, H, W]. */
    long[] sampleShape();

    /** Whether samples are class-conditional (then {@link #labelOf} gives each seed's class). */
    boolean classConditional();

    /** The class label the sample of {@code seed} is drawn for; only for a class-conditional source. */
    long labelOf(long seed);

    /**
     * The samples of {@code seeds} (one batch) as float64 [B, C, H, W], nominally in [−1, 1] (not
     * clipped), in the caller's {@link PointerScope}.
     */
    Samples sample(long[] seeds, StepListener listener);

    /**
     * The one rule for a sample's class label from its seed (issue 7, item 6): seed mod classes, so
     * seeds 0..n−1 cover the classes evenly. {@code d4j sample}, {@code d4j eval}, checkpoint
     * evaluation and the demo all use it; only {@code --class} and the grids' rows name labels explicitly.
     */
    static long labelOf(long seed, int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        }
        return Math.floorMod(seed, classes);
    }

    /** A batch of samples: their seeds, their class labels ({@code null} if unconditional) and the images. */
    record Samples(long[] seeds, long[] labels, Tensor images) {}

    /** Receives each finished sample as float64 values in C order. */
    @FunctionalInterface
    interface Sink {
        void accept(long seed, double[] values);
    }

    /** Samples every seed, {@code batch} at a time, each batch in its own scope, and hands each batch to {@code consumer}. */
    default void forEachBatch(long[] seeds, int batch, StepListener listener, Consumer<Samples> consumer) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        for (int from = 0; from < seeds.length; from += batch) {
            long[] chunk = Arrays.copyOfRange(seeds, from, Math.min(seeds.length, from + batch));
            ShutdownGuard.run(() -> {
                try (PointerScope scope = new PointerScope()) {
                    consumer.accept(sample(chunk, listener));
                }
                return null;
            });
        }
    }

    /** For consumers that want pixels per seed (PNG files): every seed's sample, copied out of its batch's tensor. */
    default void generate(long[] seeds, int batch, StepListener listener, Sink sink) {
        int per = Math.toIntExact(Arrays.stream(sampleShape()).reduce(1, Math::multiplyExact));
        forEachBatch(seeds, batch, listener, s -> {
            double[] values = Tensors.toDoubles(s.images());
            for (int i = 0; i < s.seeds().length; i++) {
                sink.accept(s.seeds()[i], Arrays.copyOfRange(values, i * per, (i + 1) * per));
            }
        });
    }
}
