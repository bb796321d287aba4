package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** A fully connected layer {@code y = x Wᵀ + b} over the last dimension (PyTorch {@code nn.Linear}). */
public final class Linear implements Layer {
    private final ParameterStore store;
    private final String name;
    private final int in;
    private final int out;
    private final Tensor weight;
    private final Tensor bias;

    /**
     * Registers {@code name.weight} [out, in] and, with {@code bias}, {@code name.bias} [out], drawn
     * by {@code init} with fan-in {@code in}.
     */
    public Linear(ParameterStore store, String name, int in, int out, boolean bias, WeightInit init) {
        this.store = store;
        this.name = name;
        this.in = in;
        this.out = out;
        init.register(store, name + ".weight", false, in, out, in);
        if (bias) {
            init.register(store, name + ".bias", true, in, out);
        }
        this.weight = store.get(name + ".weight");
        this.bias = bias ? store.get(name + ".bias") : null;
    }

    /** With bias, PyTorch's default initialisation. */
    public Linear(ParameterStore store, String name, int in, int out) {
        this(store, name, in, out, true, WeightInit.KAIMING_UNIFORM);
    }

    @Override
    public Tensor forward(Tensor x) {
        ScalarType dt = x.scalar_type();
        return torch.linear(x, Params.cast(weight, dt), Params.optional(bias, dt));
    }

    /**
     * The same map on [B, …, in] with one matrix product per sample ({@code torch.bmm} against the
     * broadcast weight), so a sample's result depends neither on the other samples of the batch nor
     * on its position in it: a single GEMM over all B·N rows blocks them (measured on this project's
     * CPU: a row moved by five positions changes by 2e-7), which would make a seed's sample depend
     * on its batch. Used by token-wise layers of backbones (DiMR).
     */
    public Tensor forwardPerSample(Tensor x) {
        ScalarType dt = x.scalar_type();
        long[] shape = outputShape(io.github.diffusion4j.engine.Tensors.shape(x));
        long b = shape[0];
        Tensor w = Params.cast(weight, dt).t().unsqueeze(0).expand(new long[] {b, in, out});
        Tensor y = torch.bmm(x.reshape(b, -1, in), w);
        if (bias != null) {
            y = y.add(Params.cast(bias, dt));
        }
        return y.reshape(shape);
    }

    /**
     * {@link #forwardPerSample} with every {@code items} consecutive rows of x [N, …, in] (N a multiple
     * of items) taken as one sample: one matrix product per group, so that a sample whose items are
     * consecutive (LEGO's regions of one image) is computed the same at any batch position, without
     * a product (and, in the backward pass, a broadcast weight gradient) per tiny item.
     */
    public Tensor forwardGrouped(Tensor x, long items) {
        if (items == 1) {
            return forwardPerSample(x);
        }
        long[] shape = outputShape(io.github.diffusion4j.engine.Tensors.shape(x));
        if (shape[0] % items != 0) {
            throw new IllegalArgumentException("Linear " + name + ": " + shape[0] + " rows are not groups of " + items);
        }
        return forwardPerSample(x.reshape(shape[0] / items, -1, in)).reshape(shape);
    }

    @Override
    public long[] outputShape(long... inputShape) {
        Params.check("Linear " + name, inputShape, inputShape.length, inputShape.length - 1, in);
        long[] s = inputShape.clone();
        s[s.length - 1] = out;
        return s;
    }

    /** {@code 2·in·out} per row. */
    @Override
    public double flops(long... inputShape) {
        outputShape(inputShape);
        long rows = Params.numel(inputShape, 0) / in;
        return 2.0 * in * out * rows;
    }

    @Override
    public long parameterCount() {
        return Params.trainable(store, name + ".weight", bias == null ? null : name + ".bias");
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }
}
