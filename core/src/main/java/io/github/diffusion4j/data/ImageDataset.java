package io.github.diffusion4j.data;

import io.github.diffusion4j.engine.Tensors;
import java.util.List;
import java.util.Objects;
import org.bytedeco.pytorch.Tensor;

/** Same-sized images held in memory as one uint8 array and read as floats in [−1, 1], CHW order. */
public final class ImageDataset {

    private static final float[] TO_FLOAT = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            TO_FLOAT[v] = (float) (v / 127.5 - 1.0);
        }
    }

    private final byte[] pixels;
    private final int[] labels;
    private final int size;
    private final int channels;
    private final int height;
    private final int width;
    private final List<String> classNames;

    /**
     * Wraps {@code pixels} without copying it; the caller must not change it afterwards.
     *
     * @param pixels {@code size × channels × height × width} bytes; byte {@code v} reads as {@code v/127.5 − 1}
     * @param labels one class index per image in {@code 0..classNames.size()-1}; {@code null} when unlabelled
     * @param classNames the class names, empty when the images are unlabelled
     */
    public ImageDataset(byte[] pixels, int[] labels, int channels, int height, int width, List<String> classNames) {
        Objects.requireNonNull(pixels, "pixels");
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    "image shape must be positive, got " + channels + "x" + height + "x" + width);
        }
        long per = (long) channels * height * width;
        if (pixels.length % per != 0) {
            throw new IllegalArgumentException(
                    pixels.length + " pixel bytes are not a whole number of " + per + "-byte images");
        }
        this.size = (int) (pixels.length / per);
        this.classNames = List.copyOf(classNames);
        if (labels == null) {
            if (!this.classNames.isEmpty()) {
                throw new IllegalArgumentException("labels are required when class names are given");
            }
            labels = new int[size];
        }
        if (labels.length != size) {
            throw new IllegalArgumentException(labels.length + " labels for " + size + " images");
        }
        int limit = Math.max(1, this.classNames.size());
        for (int i = 0; i < size; i++) {
            if (labels[i] < 0 || labels[i] >= limit) {
                throw new IllegalArgumentException("label " + labels[i] + " of image " + i
                        + " is outside 0.." + (limit - 1));
            }
        }
        this.pixels = pixels;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    /** The first {@code n} images (a copy), for quick runs and tests. */
    public ImageDataset subset(int n) {
        if (n <= 0 || n > size) {
            throw new IllegalArgumentException("subset of " + n + " images from a dataset of " + size);
        }
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return select(idx);
    }

    /** The images at {@code indices}, in that order (a copy). */
    public ImageDataset select(int[] indices) {
        int per = channels * height * width;
        byte[] px = new byte[indices.length * per];
        int[] lb = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * per, px, i * per, per);
            lb[i] = labels[indices[i]];
        }
        return new ImageDataset(px, classNames.isEmpty() ? null : lb, channels, height, width, classNames);
    }

    public int size() {
        return size;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Floats per image: {@code channels × height × width}. */
    public int imageSize() {
        return channels * height * width;
    }

    /** The number of classes, 0 when the images are unlabelled. */
    public int numClasses() {
        return classNames.size();
    }

    public List<String> classNames() {
        return classNames;
    }

    /** Image {@code i} as {@code channels × height × width} floats in [−1, 1]. */
    public float[] image(int i) {
        float[] out = new float[imageSize()];
        copyImage(i, out, 0);
        return out;
    }

    /** Writes image {@code i} into {@code dst[offset, offset + imageSize())}. */
    public void copyImage(int i, float[] dst, int offset) {
        Objects.checkIndex(i, size);
        int n = imageSize();
        Objects.checkFromIndexSize(offset, n, dst.length);
        int src = i * n;
        for (int k = 0; k < n; k++) {
            dst[offset + k] = TO_FLOAT[pixels[src + k] & 0xFF];
        }
    }

    /** The class of image {@code i}; 0 for every image of an unlabelled dataset. */
    public int label(int i) {
        Objects.checkIndex(i, size);
        return labels[i];
    }

    /** The images at {@code indices}, concatenated: {@code B × C × H × W} floats. */
    public float[] images(int[] indices) {
        int n = imageSize();
        float[] out = new float[Math.multiplyExact(indices.length, n)];
        for (int b = 0; b < indices.length; b++) {
            copyImage(indices[b], out, b * n);
        }
        return out;
    }

    /** A float32 CPU tensor {@code [B, C, H, W]} of the images at {@code indices}. */
    public Tensor batch(int[] indices) {
        return Tensors.fromFloats(images(indices), indices.length, channels, height, width);
    }

    /** The classes of the images at {@code indices}. */
    public long[] labels(int[] indices) {
        long[] out = new long[indices.length];
        for (int b = 0; b < indices.length; b++) {
            out[b] = label(indices[b]);
        }
        return out;
    }

    /** The backing pixel bytes (not a copy), for transforms within this package. */
    byte[] pixelBytes() {
        return pixels;
    }

    /** The backing label array (not a copy), for transforms within this package. */
    int[] labelArray() {
        return labels;
    }
}
