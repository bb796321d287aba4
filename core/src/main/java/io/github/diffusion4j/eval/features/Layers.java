package io.github.diffusion4j.eval.features;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The functional layers the feature networks need beyond {@code net.Ops} (which is package-private
 * to {@code net} and offers only stride-1, square-padded convolutions): strided and rectangular
 * convolutions, batch normalisation, pooling. Float32 only (the feature networks have no
 * mixed-precision path), so no per-call weight cast. Every result is attached to the caller's
 * innermost {@code PointerScope}.
 */
final class Layers {
    private Layers() {}

    /** Batch-norm epsilon of PyTorch's default {@code nn.BatchNorm2d}. */
    static final double TORCH_BN_EPS = 1e-5;

    /**
     * 2-D convolution with stride {@code (sh, sw)} and zero padding {@code (ph, pw)}; {@code b} may
     * be {@code null} (no bias).
     */
    static Tensor conv2d(Tensor x, Tensor w, Tensor b, int sh, int sw, int ph, int pw) {
        TensorOptional bias = b == null ? new TensorOptional() : new TensorOptional(b);
        return torch.conv2d(x, w, bias, new long[] {sh, sw}, new long[] {ph, pw}, new long[] {1, 1}, 1);
    }

    /**
     * Batch normalisation. In evaluation ({@code training == false}) it normalises with the running
     * statistics; in training it uses the batch statistics and updates the running ones in place
     * with {@code momentum} (PyTorch's convention: new = (1 − m)·old + m·batch, unbiased variance).
     */
    static Tensor batchNorm(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
            boolean training, double momentum, double eps) {
        return torch.batch_norm(x, new TensorOptional(weight), new TensorOptional(bias), new TensorOptional(runningMean),
                new TensorOptional(runningVar), training, momentum, eps, false);
    }

    /** Max pooling, square kernel {@code k}, stride {@code s}, padding {@code p}, floor mode. */
    static Tensor maxPool(Tensor x, int k, int s, int p) {
        return torch.max_pool2d(x, new long[] {k, k}, new long[] {s, s}, new long[] {p, p}, new long[] {1, 1}, false);
    }

    /**
     * Average pooling, square kernel {@code k}, stride {@code s}, padding {@code p}, floor mode;
     * {@code countIncludePad == false} divides by the number of real (unpadded) inputs, as
     * TensorFlow does.
     */
    static Tensor avgPool(Tensor x, int k, int s, int p, boolean countIncludePad) {
        return torch.avg_pool2d(x, new long[] {k, k}, new long[] {s, s}, new long[] {p, p}, false, countIncludePad,
                new org.bytedeco.pytorch.LongOptional());
    }

    /** Mean over the spatial dimensions: [B, C, H, W] → [B, C]. */
    static Tensor globalAvgPool(Tensor x) {
        return x.mean(new long[] {2, 3}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
    }

    /** {@code x Wᵀ + b}. */
    static Tensor linear(Tensor x, Tensor w, Tensor b) {
        return torch.linear(x, w, new TensorOptional(b));
    }
}
