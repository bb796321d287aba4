package io.github.diffusion4j.net;

import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * What every network whose parameters live in one {@link ParameterStore} shares: the parameters
 * by stable dotted name, loading them, their count, training versus evaluation mode, the
 * redrawing of zero-initialised layers and freeing the native memory.
 */
public abstract class StoredNetwork implements Network, AutoCloseable {
    /** The parameters (and fixed buffers), drawn in construction order from the construction seed. */
    protected final ParameterStore store;
    private boolean training;

    /** A network whose parameters are drawn from {@code seed}; evaluation mode until {@link #train(boolean)}. */
    protected StoredNetwork(long seed) {
        this.store = new ParameterStore(seed);
    }

    /** Trainable parameters by dotted name (e.g. {@code enc.32x32_block0.conv0.weight}), in a fixed order. */
    @Override
    public Map<String, Tensor> namedParameters() {
        return store.trainable();
    }

    /** Everything a checkpoint needs: the trainable parameters plus fixed buffers (e.g. Fourier frequencies drawn from the seed). */
    public Map<String, Tensor> stateDict() {
        return store.all();
    }

    /** The trainable parameters, for an optimiser. The model owns them: do not close them. */
    public List<Tensor> parameters() {
        return store.parameters();
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        return store.parameterCount();
    }

    /**
     * Copies {@code values} (from {@link #namedParameters()} or {@link #stateDict()} of a model with
     * the same config) into this model. Buffers absent from {@code values} keep their values.
     *
     * @throws IllegalArgumentException naming every missing, unexpected or mis-shaped tensor; nothing is copied then
     */
    @Override
    public void loadParameters(Map<String, Tensor> values) {
        store.load(values);
    }

    /** Redraws the zero-initialised layers (output layers, modulations) from U(±1/√fan_in) under {@code seed}, so every parameter influences the output. */
    public void reinitialiseZeroLayers(long seed) {
        store.reinitialiseZeroInit(seed);
    }

    @Override
    public void train(boolean on) {
        training = on;
    }

    /** Whether the network is in training mode (dropout on; for some backbones a faster batched product). */
    public boolean isTraining() {
        return training;
    }

    /** Frees the parameters. */
    @Override
    public void close() {
        store.close();
    }
}
