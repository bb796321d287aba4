package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * TD-RMSNorm (Liu et al. 2024, Sec. 3.3; official {@code module.py} TDRMSNorm, the block norm of the
 * released configs): y = x / (‖x‖₂/√D + ε) · γ(τ_b) (+ δ(τ_b) with {@code offset}), ε added to the RMS,
 * not under the root, as the official code; γ = {@code name.scale} (init 1), δ = {@code name.offset}
 * (init 0), both {@link TimeDependentParameter}s. 4·D parameters without offset.
 */
public final class TimeDependentRmsNorm implements TimeDependentLayer {
    private final String name;
    private final int dim;
    private final double eps;
    private final TimeDependentParameter scale;
    private final TimeDependentParameter offset;

    /** Registers {@code name.scale.*} (and {@code name.offset.*}); {@code shared}: the paper's scalar w, b. */
    public TimeDependentRmsNorm(ParameterStore store, String name, int dim, double eps, boolean offset, boolean shared) {
        this.name = name;
        this.dim = dim;
        this.eps = eps;
        this.scale = new TimeDependentParameter(store, name + ".scale", 1, shared, dim);
        this.offset = offset ? new TimeDependentParameter(store, name + ".offset", 0, shared, dim) : null;
    }

    /** Scale only, per-element w, b, the official ε = 1e-8. */
    public TimeDependentRmsNorm(ParameterStore store, String name, int dim) {
        this(store, name, dim, 1e-8, false, false);
    }

    @Override
    public Tensor forward(Tensor x, Tensor tau) {
        long[] shape = outputShape(io.github.diffusion4j.engine.Tensors.shape(x));
        Tensor t = tau.to(x.scalar_type());
        Tensor flat = x.reshape(shape[0], -1, dim);
        Tensor rms = torch.linalg_vector_norm(flat, new Scalar(2.0), new long[] {-1}, true,
                new org.bytedeco.pytorch.ScalarTypeOptional()).mul(new Scalar(Math.pow(dim, -0.5)));
        Tensor n = flat.div(rms.add(new Scalar(eps)));
        Tensor g = scale.at(t).unsqueeze(1);
        Tensor y = offset == null ? g.mul(n) : torch.addcmul(offset.at(t).unsqueeze(1), g, n);
        return y.reshape(shape);
    }

    @Override
    public long[] outputShape(long... in) {
        if (in.length < 2 || in[in.length - 1] != dim) {
            throw new IllegalArgumentException("TimeDependentRmsNorm " + name + " expects [B, …, " + dim + "], got "
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
        return scale.parameterCount() + (offset == null ? 0 : offset.parameterCount());
    }
}
