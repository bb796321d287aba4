package io.github.diffusion4j.net;

import java.util.Arrays;
import java.util.Objects;

/**
 * Shape of a {@link UNet}: the knobs of EDM's {@code DhariwalUNet} / {@code SongUNet}
 * (Karras et al. 2022, {@code training/networks.py}).
 *
 * @param resolution           input and output height = width; divisible by 2^(levels−1)
 * @param inChannels           channels of the network input
 * @param outChannels          channels of the single output head (may differ from {@code inChannels})
 * @param baseChannels         base width; level {@code l} has {@code baseChannels · channelMult[l]} channels
 * @param channelMult          per-level width multipliers; its length is the number of levels
 * @param numResBlocks         residual blocks per level in the encoder (the decoder has one more)
 * @param attentionResolutions resolutions (e.g. 7 or 8) whose blocks carry self-attention; each must be a level's resolution
 * @param dropout              dropout probability before each block's second conv, in [0, 1)
 * @param numClasses           number of class labels; 0 = unconditional. A conditional model learns
 *                             {@code numClasses + 1} class embeddings, the last one for the null class
 * @param embedding            noise embedding of c_noise ({@code positional} or {@code fourier})
 * @param conditionChannels    channels of a conditioning image concatenated to the input (a CDM SR
 *                             stage's upsampled low-resolution image, Ho et al. 2021, Sec. 2.1); 0 = none
 * @param augmentationEmbedding whether the augmentation level is embedded like c_noise and added to
 *                             the noise embedding (CDM's conditioning-augmentation level, Sec. 3.2)
 */
public record UNetConfig(
        int resolution,
        int inChannels,
        int outChannels,
        int baseChannels,
        int[] channelMult,
        int numResBlocks,
        int[] attentionResolutions,
        double dropout,
        int numClasses,
        NoiseEmbeddingType embedding,
        int conditionChannels,
        boolean augmentationEmbedding) {

    /** Width of the embedding vector fed to every block: 4 × base, as in EDM ({@code channel_mult_emb = 4}). */
    public static final int EMBEDDING_MULT = 4;

    public UNetConfig {
        channelMult = channelMult == null ? null : channelMult.clone();
        attentionResolutions = attentionResolutions == null ? new int[0] : attentionResolutions.clone();
    }

    /** A U-Net with no conditioning image and no augmentation embedding. */
    public UNetConfig(int resolution, int inChannels, int outChannels, int baseChannels, int[] channelMult, int numResBlocks,
            int[] attentionResolutions, double dropout, int numClasses, NoiseEmbeddingType embedding) {
        this(resolution, inChannels, outChannels, baseChannels, channelMult, numResBlocks, attentionResolutions, dropout, numClasses,
                embedding, 0, false);
    }

    /** The same shape taking a {@code channels}-channel conditioning image and, if {@code augmentation}, an augmentation level. */
    public UNetConfig withConditioning(int channels, boolean augmentation) {
        return new UNetConfig(resolution, inChannels, outChannels, baseChannels, channelMult, numResBlocks, attentionResolutions,
                dropout, numClasses, embedding, channels, augmentation);
    }

    /** The MNIST-sized configuration used by the benchmarks: base 64, mult [1,2,2], 2 blocks, attention at 7. */
    public static UNetConfig mnist(int numClasses) {
        return new UNetConfig(28, 1, 1, 64, new int[] {1, 2, 2}, 2, new int[] {7}, 0.1, numClasses, NoiseEmbeddingType.POSITIONAL);
    }

    /**
     * Checks every field and returns {@code this}.
     *
     * @throws IllegalArgumentException naming the first bad field
     */
    public UNetConfig validate() {
        positive("resolution", resolution);
        positive("inChannels", inChannels);
        positive("outChannels", outChannels);
        positive("baseChannels", baseChannels);
        if (baseChannels % 2 != 0) {
            throw new IllegalArgumentException("baseChannels: must be even (the noise embedding has base/2 cos-sin pairs), got " + baseChannels);
        }
        if (channelMult == null || channelMult.length == 0) {
            throw new IllegalArgumentException("channelMult: need at least one level");
        }
        for (int m : channelMult) {
            if (m < 1) {
                throw new IllegalArgumentException("channelMult: multipliers must be >= 1, got " + Arrays.toString(channelMult));
            }
        }
        if (channelMult.length > 30) {
            throw new IllegalArgumentException("channelMult: too many levels (" + channelMult.length + ")");
        }
        positive("numResBlocks", numResBlocks);
        int factor = 1 << (channelMult.length - 1);
        if (resolution % factor != 0) {
            throw new IllegalArgumentException("resolution: " + resolution + " is not divisible by 2^(levels-1) = " + factor
                    + " for " + channelMult.length + " levels (channelMult " + Arrays.toString(channelMult) + ")");
        }
        for (int r : attentionResolutions) {
            boolean found = false;
            for (int l = 0; l < channelMult.length; l++) {
                found |= resolutionAt(l) == r;
            }
            if (!found) {
                throw new IllegalArgumentException("attentionResolutions: " + r + " is not one of the level resolutions "
                        + Arrays.toString(levelResolutions()));
            }
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout: must be in [0, 1), got " + dropout);
        }
        if (numClasses < 0) {
            throw new IllegalArgumentException("numClasses: must be >= 0 (0 = unconditional), got " + numClasses);
        }
        if (conditionChannels < 0) {
            throw new IllegalArgumentException("conditionChannels: must be >= 0 (0 = no conditioning image), got " + conditionChannels);
        }
        if (embedding == null) {
            throw new IllegalArgumentException("embedding: missing (positional or fourier)");
        }
        long widest = (long) baseChannels * Arrays.stream(channelMult).max().orElse(1) * 3;
        if (widest > Integer.MAX_VALUE || (long) baseChannels * EMBEDDING_MULT > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("baseChannels: " + baseChannels + " is too large");
        }
        return this;
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + ": must be >= 1, got " + value);
        }
    }

    /** Number of resolution levels. */
    public int levels() {
        return channelMult.length;
    }

    /** Resolution of level {@code level}: {@code resolution >> level}. */
    public int resolutionAt(int level) {
        return resolution >> level;
    }

    /** All level resolutions, finest first. */
    public int[] levelResolutions() {
        int[] r = new int[channelMult.length];
        for (int l = 0; l < r.length; l++) {
            r[l] = resolutionAt(l);
        }
        return r;
    }

    /** Channels of level {@code level}. */
    public int channelsAt(int level) {
        return baseChannels * channelMult[level];
    }

    /** Width of the embedding vector (4 × base). */
    public int embeddingWidth() {
        return baseChannels * EMBEDDING_MULT;
    }

    /** Whether blocks at resolution {@code res} carry self-attention. */
    public boolean attentionAt(int res) {
        for (int r : attentionResolutions) {
            if (r == res) {
                return true;
            }
        }
        return false;
    }

    /** Whether the model is class-conditional. */
    public boolean conditional() {
        return numClasses > 0;
    }

    @Override
    public int[] channelMult() {
        return channelMult == null ? null : channelMult.clone();
    }

    @Override
    public int[] attentionResolutions() {
        return attentionResolutions.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UNetConfig c
                && resolution == c.resolution
                && inChannels == c.inChannels
                && outChannels == c.outChannels
                && baseChannels == c.baseChannels
                && Arrays.equals(channelMult, c.channelMult)
                && numResBlocks == c.numResBlocks
                && Arrays.equals(attentionResolutions, c.attentionResolutions)
                && Double.compare(dropout, c.dropout) == 0
                && numClasses == c.numClasses
                && embedding == c.embedding
                && conditionChannels == c.conditionChannels
                && augmentationEmbedding == c.augmentationEmbedding;
    }

    @Override
    public int hashCode() {
        return Objects.hash(resolution, inChannels, outChannels, baseChannels, Arrays.hashCode(channelMult), numResBlocks,
                Arrays.hashCode(attentionResolutions), dropout, numClasses, embedding, conditionChannels, augmentationEmbedding);
    }

    @Override
    public String toString() {
        return "UNetConfig[resolution=" + resolution + ", inChannels=" + inChannels + ", outChannels=" + outChannels
                + ", baseChannels=" + baseChannels + ", channelMult=" + Arrays.toString(channelMult)
                + ", numResBlocks=" + numResBlocks + ", attentionResolutions=" + Arrays.toString(attentionResolutions)
                + ", dropout=" + dropout + ", numClasses=" + numClasses + ", embedding=" + (embedding == null ? null : embedding.configName())
                + (conditionChannels == 0 && !augmentationEmbedding ? ""
                        : ", conditionChannels=" + conditionChannels + ", augmentationEmbedding=" + augmentationEmbedding) + "]";
    }
}
