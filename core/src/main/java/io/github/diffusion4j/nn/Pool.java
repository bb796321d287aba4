package io.github.diffusion4j.nn;

import java.util.Arrays;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Pooling over [B, C, H, W] maps as the feature networks use it (PyTorch {@code F.max_pool2d},
 * {@code F.avg_pool2d}, floor mode; and global average pooling, Lin et al. 2014).
 */
public final class Pool implements Layer {
    private enum Kind { MAX, AVERAGE, GLOBAL_AVERAGE }

    private final Kind kind;
    private final int k;
    private final int s;
    private final int p;
    private final boolean countIncludePad;

    private Pool(Kind kind, int k, int s, int p, boolean countIncludePad) {
        this.kind = kind;
        this.k = k;
        this.s = s;
        this.p = p;
        this.countIncludePad = countIncludePad;
    }

    /** Max pooling, square kernel {@code k}, stride {@code s}, padding {@code p}. */
    public static Pool max(int k, int s, int p) {
        return new Pool(Kind.MAX, k, s, p, false);
    }

    /**
     * Average pooling, square kernel {@code k}, stride {@code s}, padding {@code p};
     * {@code countIncludePad == false} divides by the number of real (unpadded) inputs, as
     * TensorFlow does.
     */
    public static Pool average(int k, int s, int p, boolean countIncludePad) {
        return new Pool(Kind.AVERAGE, k, s, p, countIncludePad);
    }

    /** Mean over the spatial dimensions: [B, C, H, W] → [B, C]. */
    public static Pool globalAverage() {
        return new Pool(Kind.GLOBAL_AVERAGE, 0, 0, 0, false);
    }

    @Override
    public Tensor forward(Tensor x) {
        return switch (kind) {
            case MAX -> torch.max_pool2d(x, new long[] {k, k}, new long[] {s, s}, new long[] {p, p}, new long[] {1, 1}, false);
            case AVERAGE -> torch.avg_pool2d(x, new long[] {k, k}, new long[] {s, s}, new long[] {p, p}, false,
                    countIncludePad, new LongOptional());
            case GLOBAL_AVERAGE -> x.mean(new long[] {2, 3}, false, new ScalarTypeOptional());
        };
    }

    @Override
    public long[] outputShape(long... in) {
        if (in.length != 4) {
            throw new IllegalArgumentException("Pool expects [B, C, H, W], got " + Arrays.toString(in));
        }
        if (kind == Kind.GLOBAL_AVERAGE) {
            return new long[] {in[0], in[1]};
        }
        return new long[] {in[0], in[1], (in[2] + 2L * p - k) / s + 1, (in[3] + 2L * p - k) / s + 1};
    }

    /** 0: pooling is not counted. */
    @Override
    public double flops(long... in) {
        outputShape(in);
        return 0;
    }

    @Override
    public long parameterCount() {
        return 0;
    }
}
