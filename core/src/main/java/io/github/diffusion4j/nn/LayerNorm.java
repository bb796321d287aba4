package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Layer normalisation over the last dimension (Ba et al. 2016), optionally with an elementwise affine. */
public final class LayerNorm implements Layer {
    private final ParameterStore store;
    private final String name;
    private final int dim;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    /**
     * With {@code affine}, registers {@code name.weight} (1) and {@code name.bias} (0), both [dim];
     * without (DiT's adaLN blocks: {@code elementwise_affine=False}), registers nothing.
     */
    public LayerNorm(ParameterStore store, String name, int dim, double eps, boolean affine) {
        this.store = store;
        this.name = name;
        this.dim = dim;
        this.eps = eps;
        this.weight = affine ? store.parameter(name + ".weight", new ParameterStore.Init.Constant(1), null, dim) : null;
        this.bias = affine ? store.parameter(name + ".bias", new ParameterStore.Init.Constant(0), null, dim) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        ScalarType dt = x.scalar_type();
        return torch.layer_norm(x, new long[] {dim}, Params.optional(weight, dt), Params.optional(bias, dt), eps, false);
    }

    @Override
    public long[] outputShape(long... in) {
        Params.check("LayerNorm " + name, in, in.length, in.length - 1, dim);
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
        return weight == null ? 0 : Params.trainable(store, name + ".weight", name + ".bias");
    }
}
