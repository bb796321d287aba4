package io.github.diffusion4j.train;

import io.github.diffusion4j.assemble.SamplerAssembly;
import io.github.diffusion4j.config.ExperimentConfig.SamplingConfig;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.io.ImageGrid;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.sample.StepListener;
import java.nio.file.Path;
import java.util.stream.LongStream;

/**
 * A square grid of samples, seeds 0..n−1 row-major; for a class-conditional model, row r shows
 * class r mod classes. The grid names its labels explicitly (they follow the row, not the seed's
 * label rule), so cell (r, c) is {@code d4j sample --seeds r·columns+c --class (r mod classes)}.
 */
public final class SampleGrid {
    private SampleGrid() {}

    /** Columns of the grid for {@code n} samples. */
    public static int columns(int n) {
        return (int) Math.ceil(Math.sqrt(n));
    }

    /** The class label of {@code seed} in a grid of {@code columns} columns: its row mod {@code classes}. */
    public static long rowLabel(long seed, int columns, int classes) {
        return (seed / columns) % classes;
    }

    /** Samples seeds 0..n−1, {@code batch} at a time, and writes them as one PNG grid. */
    public static void write(Denoiser denoiser, SamplingConfig s, double guidance, int classes, long[] sampleShape, int n,
            int batch, Path file) {
        write(denoiser, s, guidance, classes, sampleShape, n, batch, file, StepListener.NONE);
    }

    /** As {@link #write(Denoiser, SamplingConfig, double, int, long[], int, int, Path)}, telling {@code listener} after each sampler step. */
    public static void write(Denoiser denoiser, SamplingConfig s, double guidance, int classes, long[] sampleShape, int n,
            int batch, Path file, StepListener listener) {
        int cols = columns(n);
        Generator g = SamplerAssembly.generator(denoiser, SamplerAssembly.overridden(s, null, null, guidance), sampleShape, 0)
                .withLabels(classes > 0 ? seed -> rowLabel(seed, cols, classes) : null);
        double[][] images = new double[n][];
        g.generate(LongStream.range(0, n).toArray(), Math.min(n, batch), listener,
                (seed, values) -> images[(int) seed] = values);
        ImageGrid.writePng(ImageGrid.grid(images, (int) sampleShape[0], (int) sampleShape[1], (int) sampleShape[2], cols), file);
    }
}
