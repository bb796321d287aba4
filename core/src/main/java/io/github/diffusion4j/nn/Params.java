package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Helpers shared by the layers: per-call weight casts, optional tensors, shape arithmetic, parameter counts. */
final class Params {
    private Params() {}

    /** {@code p} in dtype {@code dt}: the tensor itself when it already is, else a differentiable cast. */
    static Tensor cast(Tensor p, ScalarType dt) {
        return p.scalar_type().value == dt.value ? p : p.to(dt);
    }

    /** {@code p} cast to {@code dt} as an optional argument; empty when {@code p} is null. */
    static TensorOptional optional(Tensor p, ScalarType dt) {
        return p == null ? new TensorOptional() : new TensorOptional(cast(p, dt));
    }

    /** The product of {@code shape[from..]}. */
    static long numel(long[] shape, int from) {
        long n = 1;
        for (int i = from; i < shape.length; i++) {
            n = Math.multiplyExact(n, shape[i]);
        }
        return n;
    }

    /** Number of trainable scalars among {@code names} in {@code store}. */
    static long trainable(ParameterStore store, String... names) {
        long n = 0;
        for (String name : names) {
            if (name != null && store.trainable().containsKey(name)) {
                n += numel(store.shape(name), 0);
            }
        }
        return n;
    }

    /** Checks that {@code shape} has {@code rank} dimensions and size {@code size} at {@code dim}. */
    static void check(String layer, long[] shape, int rank, int dim, long size) {
        if (shape.length != rank || (dim >= 0 && shape[dim] != size)) {
            throw new IllegalArgumentException(layer + " expects a rank-" + rank + " input"
                    + (dim >= 0 ? " with " + size + " at dimension " + dim : "") + ", got " + Arrays.toString(shape));
        }
    }

    /** Checks that {@code shape} is [B, {@code channels}, …] (the channel norms). */
    static void checkChannels(String layer, long[] shape, int channels) {
        if (shape.length < 2 || shape[1] != channels) {
            throw new IllegalArgumentException(layer + " expects [B, " + channels + ", …], got " + Arrays.toString(shape));
        }
    }
}
