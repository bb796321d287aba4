package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * DiT's final layer (Peebles and Xie 2023, DiT's {@code FinalLayer}): adaLN (shift, scale from c)
 * over a non-affine LayerNorm (eps 1e-6), then a linear map of each token to its p·p·C output
 * pixels; modulation and linear map are zero-initialised (adaLN-Zero), so the network starts at 0.
 * The TD-LN form ({@link #timeDependent}; Liu et al. 2024, Sec. 3.3, as DiMR's output layer) has a
 * TD-LayerNorm at τ in place of the modulated norm.
 */
public final class DiTFinalLayer {
    private final LayerNorm norm;
    private final TimeDependentLayerNorm tdNorm;
    private final Linear linear;
    private final AdaLnModulation adaLN;
    private final int width;

    /** Registers {@code name.linear} (width → p²·channels) and {@code name.adaLN_modulation} (condDim → 2·width), both zero. */
    public DiTFinalLayer(ParameterStore store, String name, int width, int patch, int channels, int condDim) {
        this(store, name, width, patch, channels, condDim, false);
    }

    /** The TD-LN form: registers {@code name.norm_final.*} (a TD-LayerNorm) and {@code name.linear} (zero). */
    public static DiTFinalLayer timeDependent(ParameterStore store, String name, int width, int patch, int channels, boolean sharedTime) {
        return new DiTFinalLayer(store, name, width, patch, channels, -1, sharedTime);
    }

    private DiTFinalLayer(ParameterStore store, String name, int width, int patch, int channels, int condDim, boolean sharedTime) {
        this.width = width;
        boolean td = condDim < 0;
        this.tdNorm = td ? new TimeDependentLayerNorm(store, name + ".norm_final", width, DiTBlock.NORM_EPS, sharedTime) : null;
        this.norm = td ? null : new LayerNorm(store, name + ".norm_final", width, DiTBlock.NORM_EPS, false);
        this.linear = new Linear(store, name + ".linear", width, patch * patch * channels, true, WeightInit.ZERO);
        this.adaLN = td ? null : new AdaLnModulation(store, name + ".adaLN_modulation", condDim, width, 2);
    }

    /** The modulation [N, 2·width] for conditioning c [N, condDim] (adaLN form). */
    public Tensor modulation(Tensor c) {
        return adaLNOnly().forward(c);
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
        List<Tensor> v = adaLNOnly().split(m);
        return linear.forwardGrouped(AdaLnModulation.modulate(norm.forward(x), v.get(0), v.get(1)), itemsPerSample);
    }

    /** The TD-LN form on tokens x [N, L, width] at times {@code tau} [N] (one per sequence). */
    public Tensor forwardAt(Tensor x, Tensor tau, long itemsPerSample) {
        if (tdNorm == null) {
            throw new IllegalStateException("an adaLN final layer takes a modulation, not τ");
        }
        return linear.forwardGrouped(tdNorm.forward(x, tau), itemsPerSample);
    }

    private AdaLnModulation adaLNOnly() {
        if (adaLN == null) {
            throw new IllegalStateException("a TD-LN final layer has no modulation; call forwardAt with τ");
        }
        return adaLN;
    }

    /** FLOPs of the linear map on {@code items} sequences of {@code tokens} tokens, without the modulation. */
    public double flops(long items, long tokens) {
        return linear.flops(items, tokens, width);
    }

    /** FLOPs of the modulation for {@code rows} conditioning vectors (0 for the TD-LN form). */
    public double modulationFlops(long rows) {
        return adaLN == null ? 0 : adaLN.flops(rows);
    }

    /** Trainable scalars: linear w·p²C + p²C, and modulation 2w·(condDim + 1) or a TD-LayerNorm of 8w. */
    public long parameterCount() {
        return linear.parameterCount() + (adaLN != null ? adaLN.parameterCount() : tdNorm.parameterCount());
    }
}
