package io.github.diffusion4j.nn;

import org.bytedeco.pytorch.Tensor;

/**
 * A layer whose parameters depend on the diffusion time τ (DiMR's TD-LN, Liu et al. 2024, Sec. 3.3):
 * τ [B] is an argument of every call, never state of the layer. Shapes, FLOPs and parameter counts
 * follow {@link Layer}'s conventions.
 */
public interface TimeDependentLayer {
    /** The layer applied to {@code x} [B, …] at per-sample times {@code tau} [B] (x's dtype). */
    Tensor forward(Tensor x, Tensor tau);

    /** The shape of {@link #forward}'s result for an input of shape {@code inputShape}. */
    long[] outputShape(long... inputShape);

    /** FLOPs of one forward pass (normalisations count 0). */
    double flops(long... inputShape);

    /** Number of trainable scalars the layer registered. */
    long parameterCount();
}
