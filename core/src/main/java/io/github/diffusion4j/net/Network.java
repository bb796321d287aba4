package io.github.diffusion4j.net;

import io.github.diffusion4j.denoise.Backbone;
import io.github.diffusion4j.denoise.BackboneSpec;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** A backbone with trainable, checkpointable parameters. */
public interface Network extends Backbone {
    /** The parameters by stable dotted name, in a fixed order; the tensors are the live leaves. */
    Map<String, Tensor> namedParameters();

    /** Copies {@code values} into the parameters; every name must match in name and shape. */
    void loadParameters(Map<String, Tensor> values);

    /** Switches dropout on (training) or off (sampling). */
    void train(boolean on);

    /** The heads {@link #forward} returns, for a parametrisation to check at construction. */
    BackboneSpec spec();

    /** Multiply-add FLOPs of one forward pass for one sample (2 per multiply-add). */
    double flopsPerSample();

    /**
     * FLOPs of one forward pass for one sample on a {@code height} × {@code width} canvas evaluating the stages
     * {@code exit} allows; by default the whole network at its training resolution ({@link #flopsPerSample()}).
     */
    default double flopsPerSample(int height, int width, io.github.diffusion4j.denoise.Exit exit) {
        return flopsPerSample();
    }

    /**
     * Whether {@link #forward} accepts images of {@code height} × {@code width} other than the
     * training resolution (a larger or non-square canvas, as LEGO's bricks allow); no by default.
     */
    default boolean acceptsCanvas(int height, int width) {
        return false;
    }
}
