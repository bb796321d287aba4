package io.github.diffusion4j.nn;

import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.net.ParameterStore;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A learned class table of {@code numClasses + 1} rows, the last being the null class of
 * classifier-free guidance (Ho and Salimans 2022): a dropped or absent label selects
 * {@link #nullRow()}. As ADM/EDM's {@code map_label}: rows ~ N(0, 1) (EDM's
 * {@code kaiming_normal · sqrt(label_dim)} on a one-hot input).
 */
public final class ClassEmbedding implements Layer {
    private final ParameterStore store;
    private final String name;
    private final int numClasses;
    private final int dim;
    private final Tensor table;

    /** Registers {@code name.weight} [numClasses + 1, dim] ~ N(0, 1). */
    public ClassEmbedding(ParameterStore store, String name, int numClasses, int dim) {
        this(store, name, numClasses, dim, 1);
    }

    /** Registers {@code name.weight} [numClasses + 1, dim] ~ N(0, std²) (DiT's {@code y_embedder}: std 0.02). */
    public ClassEmbedding(ParameterStore store, String name, int numClasses, int dim, double std) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("ClassEmbedding " + name + " needs at least one class, got " + numClasses);
        }
        this.store = store;
        this.name = name;
        this.numClasses = numClasses;
        this.dim = dim;
        this.table = store.parameter(name + ".weight", new ParameterStore.Init.Normal(std), null, numClasses + 1, dim);
    }

    /** The row of the null class: {@code numClasses}. */
    public int nullRow() {
        return numClasses;
    }

    /** The rows {@code rows} (int64 [B], each in [0, numClasses]) as float32 [B, dim]. */
    @Override
    public Tensor forward(Tensor rows) {
        return forward(rows, ScalarType.Float);
    }

    /** The rows {@code rows} as [B, dim] in dtype {@code dt} (the table is cast, so its gradient stays float32). */
    public Tensor forward(Tensor rows, ScalarType dt) {
        return torch.embedding(Params.cast(table, dt), rows);
    }

    /** The rows {@code rows} (each in [0, numClasses]) as [B, dim] in dtype {@code dt}. */
    public Tensor forward(long[] rows, ScalarType dt) {
        for (long r : rows) {
            if (r < 0 || r > numClasses) {
                throw new IllegalArgumentException("ClassEmbedding " + name + ": row " + r + " outside [0, " + numClasses + "]");
            }
        }
        return forward(Tensors.fromLongs(rows), dt);
    }

    @Override
    public long[] outputShape(long... in) {
        if (in.length != 1) {
            throw new IllegalArgumentException("ClassEmbedding expects rows [B], got " + java.util.Arrays.toString(in));
        }
        return new long[] {in[0], dim};
    }

    /** 0: a look-up is not counted. */
    @Override
    public double flops(long... in) {
        outputShape(in);
        return 0;
    }

    @Override
    public long parameterCount() {
        return Params.trainable(store, name + ".weight");
    }

    public int numClasses() {
        return numClasses;
    }
}
