package io.github.diffusion4j.nn;

import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.net.ParameterStore;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A depthwise k×k convolution, one filter per channel ({@code groups = channels}, "same" padding,
 * stride 1), as in ConvNeXt (Liu et al. 2022) and DiMR's ConvNeXtBlock; PyTorch's default init
 * (U(±1/√(k²)) for weight and bias).
 */
public final class DepthwiseConv2d implements Layer {
    private final ParameterStore store;
    private final String name;
    private final int channels;
    private final int k;
    private final Tensor weight;
    private final Tensor bias;

    /** Registers {@code name.weight} [channels, 1, k, k] and {@code name.bias} [channels]; {@code k} odd. */
    public DepthwiseConv2d(ParameterStore store, String name, int channels, int k) {
        if (k % 2 == 0 || k < 1) {
            throw new IllegalArgumentException("DepthwiseConv2d " + name + ": same padding needs an odd kernel, got " + k);
        }
        this.store = store;
        this.name = name;
        this.channels = channels;
        this.k = k;
        WeightInit.KAIMING_UNIFORM.register(store, name + ".weight", false, (long) k * k, channels, 1, k, k);
        WeightInit.KAIMING_UNIFORM.register(store, name + ".bias", true, (long) k * k, channels);
        this.weight = store.get(name + ".weight");
        this.bias = store.get(name + ".bias");
    }

    /** [B, channels, H, W] → same shape. */
    @Override
    public Tensor forward(Tensor x) {
        outputShape(Tensors.shape(x));
        ScalarType dt = x.scalar_type();
        return torch.conv2d(x, Params.cast(weight, dt), Params.optional(bias, dt), new long[] {1, 1},
                new long[] {k / 2, k / 2}, new long[] {1, 1}, channels);
    }

    @Override
    public long[] outputShape(long... in) {
        Params.check("DepthwiseConv2d " + name, in, 4, 1, channels);
        return in.clone();
    }

    /** {@code 2·C·k²·H·W} per image. */
    @Override
    public double flops(long... in) {
        outputShape(in);
        return 2.0 * channels * k * k * in[2] * in[3] * in[0];
    }

    @Override
    public long parameterCount() {
        return Params.trainable(store, name + ".weight", name + ".bias");
    }
}
