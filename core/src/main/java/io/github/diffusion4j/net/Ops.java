package io.github.diffusion4j.net;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Functional layers on explicit weight tensors (libtorch's {@code torch::nn::functional}), shared
 * by the backbones. Weights are cast to the activation dtype per call (EDM's
 * {@code weight.to(x.dtype)}), so float32 master weights also serve a bf16 forward pass and receive
 * float32 gradients. Every result is attached to the caller's innermost {@code PointerScope}.
 */
final class Ops {
    private Ops() {}

    /** {@code p} in dtype {@code dt}: the tensor itself when it already is, else a differentiable cast. */
    static Tensor cast(Tensor p, ScalarType dt) {
        return p.scalar_type().value == dt.value ? p : p.to(dt);
    }

    /** 2-D convolution, stride 1, zero padding {@code pad}, with bias. */
    static Tensor conv2d(Tensor x, Tensor w, Tensor b, int pad) {
        ScalarType dt = x.scalar_type();
        return torch.conv2d(x, cast(w, dt), new TensorOptional(cast(b, dt)), new long[] {1, 1}, new long[] {pad, pad}, new long[] {1, 1}, 1);
    }

    /** {@code x Wᵀ + b}. */
    static Tensor linear(Tensor x, Tensor w, Tensor b) {
        ScalarType dt = x.scalar_type();
        return torch.linear(x, cast(w, dt), new TensorOptional(cast(b, dt)));
    }

    /** Group normalisation with a per-channel affine (Wu and He 2018). */
    static Tensor groupNorm(Tensor x, int groups, Tensor w, Tensor b, double eps) {
        ScalarType dt = x.scalar_type();
        return torch.group_norm(x, groups, new TensorOptional(cast(w, dt)), new TensorOptional(cast(b, dt)), eps, false);
    }

    /** Concatenation along {@code dim}. */
    static Tensor cat(long dim, Tensor... parts) {
        return torch.cat(new TensorVector(parts), dim);
    }

    /**
     * Number of GroupNorm groups for {@code channels}: EDM's {@code min(32, channels / 4)} (at least
     * four channels per group, at most 32 groups), at least 1, then lowered to the largest divisor
     * of {@code channels} not above it (group_norm needs the groups to divide the channels).
     * Examples: 64 → 16, 128 → 32, 192 → 32, 96 → 24, 8 → 2, 3 → 1, 200 → 25.
     */
    static int groupsFor(int channels) {
        int g = Math.max(1, Math.min(32, channels / 4));
        while (channels % g != 0) {
            g--;
        }
        return g;
    }

    /**
     * Number of attention heads for {@code channels}: 64 channels per head as in ADM
     * ({@code channels_per_head = 64}), one head below 128 channels, lowered to a divisor of
     * {@code channels}. Examples: 64 → 1, 128 → 2, 192 → 3, 256 → 4, 96 → 1, 160 → 2.
     */
    static int headsFor(int channels) {
        int h = Math.max(1, channels / 64);
        while (channels % h != 0) {
            h--;
        }
        return h;
    }

    /** An int64 CPU tensor holding a copy of {@code values}. */
    static Tensor fromLongs(long[] values) {
        try (LongPointer p = new LongPointer(values)) {
            Tensor view = torch.from_blob(p, new long[] {values.length}, new TensorOptions(ScalarType.Long));
            Tensor copy = view.clone();
            view.close();
            return copy;
        }
    }
}
