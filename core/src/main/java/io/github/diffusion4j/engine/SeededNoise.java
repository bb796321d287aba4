package io.github.diffusion4j.engine;

import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * Per-seed noise (EDM {@code StackedRandomGenerator}): row <i>i</i> of draw <i>k</i> is a pure
 * function of {@code seeds[i]} and <i>k</i>, so the same seed gives the same image in any batch.
 */
public final class SeededNoise implements NoiseSource {
    private final long[] seeds;
    private long draws;

    /** A source for one batch, one seed per row. */
    public SeededNoise(long... seeds) {
        if (seeds.length == 0) {
            throw new IllegalArgumentException("need at least one seed");
        }
        this.seeds = seeds.clone();
    }

    /** The batch's seeds. */
    public long[] seeds() {
        return seeds.clone();
    }

    /** Number of rows (the batch size). */
    public int batch() {
        return seeds.length;
    }

    @Override
    public Tensor randn(long... sampleShape) {
        long per = 1;
        for (long d : sampleShape) {
            per = Math.multiplyExact(per, d);
        }
        if ((long) seeds.length * per > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("noise tensor too large: " + seeds.length + " x " + per);
        }
        int n = (int) per;
        double[] values = new double[seeds.length * n];
        long stream = draws++;
        for (int i = 0; i < seeds.length; i++) {
            CounterRng.fillGaussian(CounterRng.streamKey(seeds[i], stream), values, i * n, n);
        }
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = seeds.length;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return Tensors.fromDoubles(values, shape);
    }

    @Override
    public String toString() {
        return "SeededNoise" + Arrays.toString(seeds) + " after " + draws + " draws";
    }
}
