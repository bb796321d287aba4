package io.github.diffusion4j.data;

import io.github.diffusion4j.engine.Tensors;
import org.bytedeco.pytorch.Tensor;

/** One batch from a {@link BatchLoader}: pixels and labels as Java arrays, turned into tensors on the caller's thread. */
public final class Batch {
    private final int[] indices;
    private final float[] pixels;
    private final long[] labels;
    private final int channels;
    private final int height;
    private final int width;
    private final BatchLoader.Position start;
    private final BatchLoader.Position end;

    Batch(int[] indices, float[] pixels, long[] labels, int channels, int height, int width,
            BatchLoader.Position start, BatchLoader.Position end) {
        this.indices = indices;
        this.pixels = pixels;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.start = start;
        this.end = end;
    }

    public int size() {
        return indices.length;
    }

    /** The dataset indices of the images, in batch order (do not modify). */
    public int[] indices() {
        return indices;
    }

    /** {@code B × C × H × W} floats in [−1, 1], augmentation applied (do not modify). */
    public float[] pixels() {
        return pixels;
    }

    /** The class of each image (do not modify). */
    public long[] labels() {
        return labels;
    }

    /** A new float32 CPU tensor {@code [B, C, H, W]} of the pixels, owned by the caller. */
    public Tensor images() {
        return Tensors.fromFloats(pixels, indices.length, channels, height, width);
    }

    /** Where this batch's first image sits in the loader's sequence. */
    public BatchLoader.Position start() {
        return start;
    }

    /** The position right after this batch: a loader started there continues with the next batch. */
    public BatchLoader.Position end() {
        return end;
    }
}
