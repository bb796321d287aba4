package io.github.diffusion4j.nn;

import io.github.diffusion4j.engine.Tensors;
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
     * The same map over tokens [N, L, in] as one matrix product per item ({@code torch.bmm}), so
     * that an item's result does not depend on its position in the batch: on the CPU a single
     * [N·L, in] GEMM rounds rows differently by their position (measured: 1.2e-7 for L = 16), which
     * would make a seed's sample depend on its batch even at a fixed evaluation batch size.
     */
    public Tensor forwardTokens(Tensor x) {
        Params.check("Linear " + name, Tensors.shape(x), 3, 2, in);
        ScalarType dt = x.scalar_type();
        Tensor w = Params.cast(weight, dt).t().unsqueeze(0).expand(new long[] {x.size(0), in, out});
        Tensor y = torch.bmm(x, w);
        return bias == null ? y : y.add(Params.cast(bias, dt));
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
