package io.github.diffusion4j.nn;

import org.bytedeco.pytorch.Tensor;

/** A layer of the {@code nn} library: a map from one tensor to one tensor, with its shapes and analytic FLOPs (see the package comment). */
public interface Layer {

    /** The layer applied to {@code x}, attached to the caller's {@code PointerScope}. */
    Tensor forward(Tensor x);

    /** The shape of {@link #forward}'s result for an input of shape {@code inputShape}. */
    long[] outputShape(long... inputShape);

    /** FLOPs of one forward pass on an input of shape {@code inputShape} (batch included), by the package's convention. */
    double flops(long... inputShape);

    /** Number of trainable scalars the layer registered (0 for parameter-free layers and frozen ones). */
    long parameterCount();
}
