package io.github.diffusion4j.net;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.nn.ClassEmbedding;
import io.github.diffusion4j.nn.Linear;
import io.github.diffusion4j.nn.NoiseEmbedding;
import io.github.diffusion4j.nn.WeightInit;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The conditioning vector of DiT and LEGO (Peebles and Xie 2023, Sec. 3.2; Zheng et al. 2024,
 * {@code lego_models.py}): c = t_embedder(c_noise) + y_embedder(label), where t_embedder is a
 * 256-wide sinusoidal embedding ([cos, sin], frequencies (1/10000)^(j/128)) followed by
 * Linear → SiLU → Linear, and y_embedder a class table with a null row for classifier-free
 * guidance (DiT's {@code LabelEmbedder}). Weights: the two linear layers N(0, 0.02²) with zero
 * bias, the table N(0, 0.02²), as DiT initialises them.
 */
final class DiTEmbedding {
    /** DiT's {@code frequency_embedding_size}. */
    static final int FREQUENCIES = 256;

    private final String owner;
    private final int width;
    private final int numClasses;
    private final NoiseEmbedding frequencies = NoiseEmbedding.positional(FREQUENCIES);
    private final Linear mlp0;
    private final Linear mlp2;
    private final ClassEmbedding table;

    /** Registers {@code t_embedder.mlp.0}, {@code t_embedder.mlp.2} and, with classes, {@code y_embedder.embedding_table}. */
    DiTEmbedding(ParameterStore store, String owner, int width, int numClasses) {
        this.owner = owner;
        this.width = width;
        this.numClasses = numClasses;
        this.mlp0 = new Linear(store, "t_embedder.mlp.0", FREQUENCIES, width, true, WeightInit.SMALL_NORMAL);
        this.mlp2 = new Linear(store, "t_embedder.mlp.2", width, width, true, WeightInit.SMALL_NORMAL);
        this.table = numClasses > 0 ? new ClassEmbedding(store, "y_embedder.embedding_table", numClasses, width, 0.02) : null;
    }

    /** c [B, width] in dtype {@code dt} for c_noise [B] and the batch's labels. */
    Tensor forward(Tensor cNoise, Conditioning cond, long batch, ScalarType dt) {
        if (cNoise.dim() != 1 || cNoise.size(0) != batch) {
            throw new IllegalArgumentException(owner + " expects cNoise of shape [" + batch + "], got " + Arrays.toString(Tensors.shape(cNoise)));
        }
        Tensor t = frequencies.forward(cNoise).to(dt);
        t = mlp2.forward(torch.silu(mlp0.forward(t)));
        long[] rows = (cond == null ? Conditioning.NONE : cond).classRows(batch, numClasses, owner);
        return table == null ? t : t.add(table.forward(Tensors.fromLongs(rows), dt));
    }


    /** FLOPs per sample: the two linear layers. */
    double flopsPerSample() {
        return mlp0.flops(1, FREQUENCIES) + mlp2.flops(1, width);
    }

    int width() {
        return width;
    }
}
