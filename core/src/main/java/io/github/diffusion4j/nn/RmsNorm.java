package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** RMS normalisation over the last dimension, {@code x / sqrt(mean(x²) + eps) · g} (Zhang and Sennrich 2019). */
public final class RmsNorm implements Layer {
    private final ParameterStore store;
    private final String name;
    private final int dim;
    private final double eps;
    private final Tensor weight;

    /** With {@code affine}, registers the gain {@code name.weight} (1) [dim]; without, registers nothing. */
    public RmsNorm(ParameterStore store, String name, int dim, double eps, boolean affine) {
        this.store = store;
        this.name = name;
        this.dim = dim;
        this.eps = eps;
        this.weight = affine ? store.parameter(name + ".weight", new ParameterStore.Init.Constant(1), null, dim) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        ScalarType dt = x.scalar_type();
        return torch.rms_norm(x, new long[] {dim}, Params.optional(weight, dt), new DoubleOptional(eps));
    }

    @Override
    public long[] outputShape(long... in) {
        Params.check("RmsNorm " + name, in, in.length, in.length - 1, dim);
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
        return weight == null ? 0 : Params.trainable(store, name + ".weight");
    }
}
