package io.github.diffusion4j.denoise;

import java.util.Arrays;

/**
 * What a denoiser is conditioned on besides x and σ: today, one class label per sample, where
 * {@link #NULL_CLASS} means "no label" (the extra null class that classifier-free guidance uses).
 */
public record Conditioning(long[] classLabels) {
    /** The label value that stands for "unconditional". */
    public static final long NULL_CLASS = -1;

    /** No conditioning at all (an unconditional model). */
    public static final Conditioning NONE = new Conditioning(null);

    public Conditioning {
        classLabels = classLabels == null ? null : classLabels.clone();
    }

    /** One label per sample. */
    public static Conditioning classes(long... labels) {
        return new Conditioning(labels);
    }

    @Override
    public long[] classLabels() {
        return classLabels == null ? null : classLabels.clone();
    }

    /** Whether any class label is present. */
    public boolean hasClassLabels() {
        return classLabels != null;
    }

    /** The same batch with every label replaced by the null class (the "u" branch of guidance). */
    public Conditioning unconditional() {
        if (classLabels == null) {
            return this;
        }
        long[] nulls = new long[classLabels.length];
        Arrays.fill(nulls, NULL_CLASS);
        return new Conditioning(nulls);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Conditioning c && Arrays.equals(classLabels, c.classLabels);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(classLabels);
    }

    @Override
    public String toString() {
        return classLabels == null ? "Conditioning[none]" : "Conditioning" + Arrays.toString(classLabels);
    }
}
