package io.github.diffusion4j.denoise;

import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * What a denoiser is conditioned on besides x and σ, per sample: a class label ({@link #NULL_CLASS}
 * = "no label", the extra null class of classifier-free guidance), a conditioning image (a cascade
 * stage's upsampled low-resolution input, Ho et al. 2021, Sec. 2.1; concatenated to the network
 * input) and an augmentation level (CDM's conditioning-augmentation strength, Sec. 3.2; fed through
 * the noise-embedding path). Each part may be absent ({@code null}). The record does not own
 * {@code image}: its lifetime is the caller's scope.
 */
public record Conditioning(long[] classLabels, Tensor image, double[] augmentation) {
    /** The label value that stands for "unconditional". */
    public static final long NULL_CLASS = -1;

    /** No conditioning at all (an unconditional model). */
    public static final Conditioning NONE = new Conditioning(null, null, null);

    public Conditioning {
        classLabels = classLabels == null ? null : classLabels.clone();
        augmentation = augmentation == null ? null : augmentation.clone();
    }

    /** One label per sample. */
    public static Conditioning classes(long... labels) {
        return new Conditioning(labels, null, null);
    }

    /** The same conditioning with a conditioning image [B, C, H, W]. */
    public Conditioning withImage(Tensor lowResolution) {
        return new Conditioning(classLabels, lowResolution, augmentation);
    }

    /** The same conditioning with one augmentation level per sample. */
    public Conditioning withAugmentation(double... levels) {
        return new Conditioning(classLabels, image, levels);
    }

    @Override
    public long[] classLabels() {
        return classLabels == null ? null : classLabels.clone();
    }

    @Override
    public double[] augmentation() {
        return augmentation == null ? null : augmentation.clone();
    }

    /** Whether any class label is present. */
    public boolean hasClassLabels() {
        return classLabels != null;
    }

    /** Whether a conditioning image is present. */
    public boolean hasImage() {
        return image != null;
    }

    /**
     * The same batch with every label replaced by the null class (the "u" branch of guidance); the
     * conditioning image and augmentation level are kept, so guidance acts on the class only.
     */
    public Conditioning unconditional() {
        if (classLabels == null) {
            return this;
        }
        long[] nulls = new long[classLabels.length];
        Arrays.fill(nulls, NULL_CLASS);
        return new Conditioning(nulls, image, augmentation);
    }

    /** Equal labels and augmentation levels, and the very same image tensor (images are compared by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Conditioning c && Arrays.equals(classLabels, c.classLabels) && image == c.image
                && Arrays.equals(augmentation, c.augmentation);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(classLabels) * 31 + Arrays.hashCode(augmentation);
    }

    @Override
    public String toString() {
        if (classLabels == null && image == null && augmentation == null) {
            return "Conditioning[none]";
        }
        StringBuilder s = new StringBuilder("Conditioning[");
        if (classLabels != null) {
            s.append("classes=").append(Arrays.toString(classLabels));
        }
        if (image != null) {
            s.append(s.length() > 13 ? ", " : "").append("image");
        }
        if (augmentation != null) {
            s.append(s.length() > 13 ? ", " : "").append("augmentation=").append(Arrays.toString(augmentation));
        }
        return s.append(']').toString();
    }

    /**
     * The rows of a class table of {@code classes} + 1 rows (the last the null class of classifier-free
     * guidance) for a batch of {@code batch}: the labels as given, a {@link #NULL_CLASS} or absent label →
     * row {@code classes}. Refuses a wrong label count, a label outside [0, classes], and any real label
     * for an unconditional {@code owner} (classes = 0).
     */
    public long[] classRows(long batch, int classes, String owner) {
        long[] idx = new long[Math.toIntExact(batch)];
        Arrays.fill(idx, classes);
        if (!hasClassLabels()) {
            return idx;
        }
        long[] labels = classLabels();
        if (labels.length != batch) {
            throw new IllegalArgumentException("class labels: got " + labels.length + " labels for a batch of " + batch);
        }
        for (int i = 0; i < labels.length; i++) {
            long l = labels[i];
            if (l == NULL_CLASS) {
                continue;
            }
            if (classes == 0) {
                throw new IllegalArgumentException("class labels: this " + owner + " is unconditional (classes = 0) but got label " + l);
            }
            if (l < 0 || l > classes) {
                throw new IllegalArgumentException("class labels: label " + l + " outside [0, " + classes + "] (" + classes
                        + " is the null class, as is " + NULL_CLASS + ")");
            }
            idx[i] = l;
        }
        return idx;
    }
}
