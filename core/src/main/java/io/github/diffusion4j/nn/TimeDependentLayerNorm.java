package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * TD-LayerNorm (Liu et al. 2024, Sec. 3.3; official {@code module.py} LayerNorm): layer normalisation
 * over the last dimension with a time-dependent scale γ(τ) and shift β(τ) ({@link TimeDependentParameter}
 * {@code name.weight} init 1, {@code name.bias} init 0): y = LN(x)·γ(τ_b) + β(τ_b) per sample b, for
 * [B, N, D] tokens or channel-last [B, H, W, D] maps. 8·D parameters (per-element w, b).
 */
public final class TimeDependentLayerNorm implements TimeDependentLayer {
    private final String name;
    private final int dim;
    private final double eps;
    private final TimeDependentParameter weight;
    private final TimeDependentParameter bias;

    /** Registers {@code name.weight.*} and {@code name.bias.*}; {@code shared}: the paper's scalar w, b per parameter. */
    public TimeDependentLayerNorm(ParameterStore store, String name, int dim, double eps, boolean shared) {
        this.name = name;
        this.dim = dim;
        this.eps = eps;
        this.weight = new TimeDependentParameter(store, name + ".weight", 1, shared, dim);
        this.bias = new TimeDependentParameter(store, name + ".bias", 0, shared, dim);
    }

    /** Per-element w, b and the official ε = 1e-5. */
    public TimeDependentLayerNorm(ParameterStore store, String name, int dim) {
        this(store, name, dim, 1e-5, false);
    }

    @Override
    public Tensor forward(Tensor x, Tensor tau) {
        long[] shape = outputShape(io.github.diffusion4j.engine.Tensors.shape(x));
        Tensor t = tau.to(x.scalar_type());
        Tensor g = weight.at(t).unsqueeze(1), b = bias.at(t).unsqueeze(1);
        Tensor flat = x.reshape(shape[0], -1, dim);
        Tensor n = torch.layer_norm(flat, new long[] {dim}, new TensorOptional(), new TensorOptional(), eps, false);
        return torch.addcmul(b, g, n).reshape(shape);
    }

    @Override
    public long[] outputShape(long... in) {
        if (in.length < 2 || in[in.length - 1] != dim) {
            throw new IllegalArgumentException("TimeDependentLayerNorm " + name + " expects [B, …, " + dim + "], got "
                    + java.util.Arrays.toString(in));
        }
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
        return weight.parameterCount() + bias.parameterCount();
    }
}
