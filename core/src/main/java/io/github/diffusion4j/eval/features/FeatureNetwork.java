package io.github.diffusion4j.eval.features;

import org.bytedeco.pytorch.Tensor;

/**
 * A frozen network that maps images to the statistics generative-model metrics are computed on:
 * pooled penultimate features (Fréchet distance, KID, precision/recall), class logits (Inception
 * score, classification accuracy of conditional samples) and a flattened intermediate spatial map
 * (sFID-style statistics).
 *
 * <p>Implementations hold their weights in native memory and are closed by the caller. They are
 * not thread-safe: libtorch's intra-op pool already uses every core.
 */
public interface FeatureNetwork extends AutoCloseable {

    /** The network's name, e.g. {@code mnist-v1}; a name always denotes the same weights. */
    String name();

    /** The channel count of the images {@link #run} expects. */
    int inputChannels();

    /** The side of the square images the network computes on (inputs of another size are resized or rejected, see the implementation). */
    int inputResolution();

    /**
     * Whether {@link #run} takes square images of another size and resizes them to
     * {@link #inputResolution()} (InceptionV3, emoji-v1); false: they are rejected.
     */
    default boolean resizesInput() {
        return false;
    }

    /** The length of each row of {@link Outputs#features()}. */
    int featureDim();

    /** The length of each row of {@link Outputs#logits()}. */
    int numClasses();

    /** The length of each row of {@link Outputs#spatial()}. */
    int spatialDim();

    /**
     * Runs the network in evaluation mode, without gradients, in batches (each batch's native
     * temporaries are freed before the next starts).
     *
     * @param images float32 [B, C, H, W] with values in [−1, 1] (the library's pixel convention);
     *     any device
     * @return one row per image, in input order
     */
    Outputs run(Tensor images);

    /** Frees the weights. */
    @Override
    void close();

    /**
     * What a {@link FeatureNetwork} computes for a batch of images, one row per image, as float64.
     *
     * @param features pooled penultimate features [B][featureDim]
     * @param logits class logits (pre-softmax) [B][numClasses]
     * @param spatial flattened intermediate spatial features [B][spatialDim]
     */
    record Outputs(double[][] features, double[][] logits, double[][] spatial) {

        /** The number of images. */
        public int size() {
            return features.length;
        }

        /** The arg-max class of each image's logits (the first maximum on ties). */
        public int[] predictions() {
            int[] out = new int[logits.length];
            for (int i = 0; i < logits.length; i++) {
                int best = 0;
                for (int k = 1; k < logits[i].length; k++) {
                    if (logits[i][k] > logits[i][best]) {
                        best = k;
                    }
                }
                out[i] = best;
            }
            return out;
        }
    }
}
