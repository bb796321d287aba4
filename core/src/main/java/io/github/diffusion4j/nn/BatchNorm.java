package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Batch normalisation over [B, C, …] (Ioffe and Szegedy 2015), PyTorch's {@code nn.BatchNorm2d}:
 * in evaluation it normalises with the running statistics; in training with the batch statistics,
 * updating the running ones in place (new = (1 − m)·old + m·batch, unbiased variance). Float32 (or
 * mixed input with float32 statistics): its tensors are not cast, since the in-place update must
 * reach them.
 */
public final class BatchNorm implements Layer {
    /** PyTorch's default epsilon. */
    public static final double TORCH_EPS = 1e-5;
    /** PyTorch's default momentum. */
    public static final double TORCH_MOMENTUM = 0.1;

    private final ParameterStore store;
    private final String name;
    private final int channels;
    private final double eps;
    private final double momentum;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;

    /**
     * Registers {@code name.weight}, {@code name.bias} (trainable, 1 and 0) and the buffers
     * {@code name.running_mean}, {@code name.running_var} (0 and 1), all [channels]; when
     * {@code frozen}, all four are fixed buffers holding 0 until a weight file is loaded (as
     * {@link WeightInit#LOADED}).
     */
    public BatchNorm(ParameterStore store, String name, int channels, double eps, double momentum, boolean frozen) {
        this.store = store;
        this.name = name;
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        if (frozen) {
            for (String s : new String[] {".weight", ".bias", ".running_mean", ".running_var"}) {
                store.buffer(name + s, new ParameterStore.Init.Constant(0), channels);
            }
        } else {
            store.parameter(name + ".weight", new ParameterStore.Init.Constant(1), null, channels);
            store.parameter(name + ".bias", new ParameterStore.Init.Constant(0), null, channels);
            store.buffer(name + ".running_mean", new ParameterStore.Init.Constant(0), channels);
            store.buffer(name + ".running_var", new ParameterStore.Init.Constant(1), channels);
        }
        this.weight = store.get(name + ".weight");
        this.bias = store.get(name + ".bias");
        this.runningMean = store.get(name + ".running_mean");
        this.runningVar = store.get(name + ".running_var");
    }

    /** Evaluation mode: normalises with the running statistics. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, false);
    }

    /** With {@code training}, normalises with the batch statistics and updates the running ones. */
    public Tensor forward(Tensor x, boolean training) {
        return torch.batch_norm(x, new TensorOptional(weight), new TensorOptional(bias), new TensorOptional(runningMean),
                new TensorOptional(runningVar), training, momentum, eps, false);
    }

    @Override
    public long[] outputShape(long... in) {
        Params.checkChannels("BatchNorm " + name, in, channels);
        return in.clone();
    }

    /** 0: normalisations are not counted. */
    @Override
    public double flops(long... in) {
        outputShape(in);
        return 0;
    }

    @Override
    public long parameterCount() {
        return Params.trainable(store, name + ".weight", name + ".bias");
    }
}
