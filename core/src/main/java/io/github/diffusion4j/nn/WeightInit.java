package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;

/**
 * How a layer's weight and bias are initialised, by fan-in (the input scalars each output sees:
 * C_in·k_h·k_w for a convolution, {@code in} for a linear layer).
 */
public enum WeightInit {
    /**
     * PyTorch's default for {@code nn.Conv2d}/{@code nn.Linear}, which is also ADM's as written in
     * EDM ({@code kaiming_uniform}, {@code init_weight = init_bias = sqrt(1/3)}): weight and bias
     * ~ U(−1/√fan_in, 1/√fan_in).
     */
    KAIMING_UNIFORM,
    /**
     * ADM's {@code init_zero} (Dhariwal and Nichol 2021): weight and bias 0, redrawn as
     * {@link #KAIMING_UNIFORM} by {@link ParameterStore#reinitialiseZeroInit}.
     */
    ZERO,
    /** He et al. 2015: weight ~ N(0, 2/fan_in), bias 0. */
    HE_NORMAL,
    /**
     * Glorot and Bengio 2010 as DiT initialises its linear layers and patch embedding
     * ({@code xavier_uniform_} on the weight viewed as a matrix [out, fan_in]): weight
     * ~ U(±√(6/(fan_in + out))), bias 0.
     */
    XAVIER_UNIFORM,
    /**
     * Frozen: fixed buffers (not trainable) holding 0 until a weight file is loaded into the store,
     * as for pretrained feature networks.
     */
    LOADED,
    /**
     * weight ~ N(0, 0.02²), bias 0: timm's {@code trunc_normal_(std=.02)} as DiMR's {@code common_layers}
     * initialise Linear and Embedding (the truncation at ±2 never bites at this std).
     */
    SMALL_NORMAL;

    /** Registers a tensor of this scheme for a layer of fan-in {@code fanIn}. */
    void register(ParameterStore store, String name, boolean bias, long fanIn, long... shape) {
        ParameterStore.Init u = new ParameterStore.Init.Uniform(1 / Math.sqrt((double) fanIn));
        switch (this) {
            case KAIMING_UNIFORM -> store.parameter(name, u, null, shape);
            case ZERO -> store.parameter(name, new ParameterStore.Init.Constant(0), u, shape);
            case HE_NORMAL -> store.parameter(name, bias ? new ParameterStore.Init.Constant(0)
                    : new ParameterStore.Init.Normal(Math.sqrt(2.0 / fanIn)), null, shape);
            case XAVIER_UNIFORM -> store.parameter(name, bias ? new ParameterStore.Init.Constant(0)
                    : new ParameterStore.Init.Uniform(Math.sqrt(6.0 / (fanIn + shape[0]))), null, shape);
            case LOADED -> store.buffer(name, new ParameterStore.Init.Constant(0), shape);
            case SMALL_NORMAL -> store.parameter(name, bias ? new ParameterStore.Init.Constant(0)
                    : new ParameterStore.Init.Normal(0.02), null, shape);
        }
    }
}
