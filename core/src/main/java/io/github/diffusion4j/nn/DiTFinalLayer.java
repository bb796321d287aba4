package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * DiT's final layer (Peebles and Xie 2023, DiT's {@code FinalLayer}): adaLN (shift, scale from c)
 * over a non-affine LayerNorm (eps 1e-6), then a linear map of each token to its p·p·C output
 * pixels; modulation and linear map are zero-initialised (adaLN-Zero), so the network starts at 0.
 */
public final class DiTFinalLayer {
    private final LayerNorm norm;
    private final Linear linear;
    private final AdaLnModulation adaLN;
    private final int width;

    /** Registers {@code name.linear} (width → p²·channels) and {@code name.adaLN_modulation} (condDim → 2·width), both zero. */
    public DiTFinalLayer(ParameterStore store, String name, int width, int patch, int channels, int condDim) {
        this.width = width;
        this.norm = new LayerNorm(store, name + ".norm_final", width, DiTBlock.NORM_EPS, false);
        this.linear = new Linear(store, name + ".linear", width, patch * patch * channels, true, WeightInit.ZERO);
        this.adaLN = new AdaLnModulation(store, name + ".adaLN_modulation", condDim, width, 2);
    }

    /** The modulation [N, 2·width] for conditioning c [N, condDim]. */
    public Tensor modulation(Tensor c) {
        return adaLN.forward(c);
    }

    /** Tokens x [N, L, width] → [N, L, p²·C] with conditioning c. */
    public Tensor forward(Tensor x, Tensor c) {
        return forwardModulated(x, modulation(c));
    }

    /** The same with a precomputed modulation m [N, 2·width]. */
    public Tensor forwardModulated(Tensor x, Tensor m) {
        return forwardModulated(x, m, 1);
    }

    /** The same where every {@code itemsPerSample} consecutive sequences belong to one sample ({@link Linear#forwardGrouped}). */
    public Tensor forwardModulated(Tensor x, Tensor m, long itemsPerSample) {
        List<Tensor> v = adaLN.split(m);
        return linear.forwardGrouped(AdaLnModulation.modulate(norm.forward(x), v.get(0), v.get(1)), itemsPerSample);
    }

    /** FLOPs of the linear map on {@code items} sequences of {@code tokens} tokens, without the modulation. */
    public double flops(long items, long tokens) {
        return linear.flops(items, tokens, width);
    }

    public double modulationFlops(long rows) {
        return adaLN.flops(rows);
    }

    /** Trainable scalars: linear w·p²C + p²C, modulation 2w·(condDim + 1). */
    public long parameterCount() {
        return linear.parameterCount() + adaLN.parameterCount();
    }
}
