package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A DiT block (Peebles and Xie 2023, Fig. 3; DiT's {@code DiTBlock}): pre-norm multi-head self-attention
 * and MLP over tokens [N, L, width]. With adaLN-Zero (DiT's) each branch is modulated and gated by
 * vectors computed from the conditioning c:
 * {@code x += gate_msa·attn(modulate(norm1(x), shift_msa, scale_msa))};
 * {@code x += gate_mlp·mlp(modulate(norm2(x), shift_mlp, scale_mlp))}, norms without affine.
 * With TD-LN ({@link #timeDependent}; Liu et al. 2024, Sec. 3.3, DiMR's way of injecting time) the norms
 * are TD-LayerNorms at τ and nothing else carries the time: {@code x += attn(norm1(x, τ))};
 * {@code x += mlp(norm2(x, τ))}. Norm eps 1e-6; MLP: fc1 (width → mlpRatio·width), tanh-GELU, fc2, with
 * timm's dropout after the activation and after fc2. Linear layers are Xavier-uniform with zero bias and
 * the modulation is zero-initialised, as DiT's {@code initialize_weights}.
 *
 * <p>The modulation is a separate step ({@link #modulation}) so that a caller whose items share a
 * conditioning vector (LEGO's windows of one image) computes it once per image.
 */
public final class DiTBlock {
    /** DiT's LayerNorm eps. */
    public static final double NORM_EPS = 1e-6;

    private final int width;
    private final int hidden;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final TimeDependentLayerNorm tdNorm1;
    private final TimeDependentLayerNorm tdNorm2;
    private final Attention attn;
    private final Linear fc1;
    private final Linear fc2;
    private final AdaLnModulation adaLN;

    /**
     * An adaLN-Zero block: registers {@code name.attn.qkv}, {@code name.attn.proj}, {@code name.mlp.fc1},
     * {@code name.mlp.fc2} and {@code name.adaLN_modulation} (condDim → 6·width), in that order.
     */
    public DiTBlock(ParameterStore store, String name, int width, int heads, double mlpRatio, int condDim) {
        this(store, name, width, heads, mlpRatio, condDim, false);
    }

    /**
     * A TD-LN block: registers {@code name.norm1.*} and {@code name.norm2.*} (TD-LayerNorms, per-element
     * w, b or, with {@code sharedTime}, the paper's scalar ones), then attention and MLP as the adaLN-Zero block.
     */
    public static DiTBlock timeDependent(ParameterStore store, String name, int width, int heads, double mlpRatio, boolean sharedTime) {
        return new DiTBlock(store, name, width, heads, mlpRatio, -1, sharedTime);
    }

    private DiTBlock(ParameterStore store, String name, int width, int heads, double mlpRatio, int condDim, boolean sharedTime) {
        this.width = width;
        this.hidden = (int) (width * mlpRatio);
        if (hidden < 1) {
            throw new IllegalArgumentException("DiTBlock " + name + ": MLP ratio " + mlpRatio + " gives no hidden units");
        }
        boolean td = condDim < 0;
        this.tdNorm1 = td ? new TimeDependentLayerNorm(store, name + ".norm1", width, NORM_EPS, sharedTime) : null;
        this.tdNorm2 = td ? new TimeDependentLayerNorm(store, name + ".norm2", width, NORM_EPS, sharedTime) : null;
        this.norm1 = td ? null : new LayerNorm(store, name + ".norm1", width, NORM_EPS, false);
        this.attn = Attention.overTokens(store, name + ".attn", width, heads, WeightInit.XAVIER_UNIFORM, WeightInit.XAVIER_UNIFORM);
        this.norm2 = td ? null : new LayerNorm(store, name + ".norm2", width, NORM_EPS, false);
        this.fc1 = new Linear(store, name + ".mlp.fc1", width, hidden, true, WeightInit.XAVIER_UNIFORM);
        this.fc2 = new Linear(store, name + ".mlp.fc2", hidden, width, true, WeightInit.XAVIER_UNIFORM);
        this.adaLN = td ? null : new AdaLnModulation(store, name + ".adaLN_modulation", condDim, width, 6);
    }

    /** Whether the block takes τ through TD-LN rather than a modulation. */
    public boolean isTimeDependent() {
        return adaLN == null;
    }

    /** The six modulation vectors [N, 6·width] for conditioning c [N, condDim] (adaLN-Zero blocks). */
    public Tensor modulation(Tensor c) {
        return adaLNOnly().forward(c);
    }

    /** The block on tokens x [N, L, width] with conditioning c [N, condDim]; dropout with probability {@code dropout} when {@code training}. */
    public Tensor forward(Tensor x, Tensor c, double dropout, boolean training) {
        return forwardModulated(x, modulation(c), dropout, training);
    }

    /** The block on tokens x [N, L, width] with precomputed modulation m [N, 6·width] (from {@link #modulation}). */
    public Tensor forwardModulated(Tensor x, Tensor m, double dropout, boolean training) {
        return forwardModulated(x, m, dropout, training, 1);
    }

    /**
     * The same where every {@code itemsPerSample} consecutive sequences belong to one sample (LEGO's
     * regions of one image): the linear maps run as one product per sample ({@link Linear#forwardGrouped}).
     */
    public Tensor forwardModulated(Tensor x, Tensor m, double dropout, boolean training, long itemsPerSample) {
        List<Tensor> v = adaLNOnly().split(m);
        return residuals(x, y -> AdaLnModulation.modulate(norm1.forward(y), v.get(0), v.get(1)), v.get(2),
                y -> AdaLnModulation.modulate(norm2.forward(y), v.get(3), v.get(4)), v.get(5), dropout, training, itemsPerSample);
    }

    /** A TD-LN block on tokens x [N, L, width] at times {@code tau} [N] (one per sequence), {@code itemsPerSample} as above. */
    public Tensor forwardAt(Tensor x, Tensor tau, double dropout, boolean training, long itemsPerSample) {
        if (adaLN != null) {
            throw new IllegalStateException("an adaLN-Zero DiT block takes a modulation, not τ");
        }
        return residuals(x, y -> tdNorm1.forward(y, tau), null, y -> tdNorm2.forward(y, tau), null, dropout, training, itemsPerSample);
    }

    /** x + gate₁·attn(pre₁(x)), then + gate₂·mlp(pre₂(x)); a null gate is 1. */
    private Tensor residuals(Tensor x, UnaryOperator<Tensor> pre1, Tensor gate1, UnaryOperator<Tensor> pre2, Tensor gate2,
            double dropout, boolean training, long itemsPerSample) {
        Tensor h = attn.forward(pre1.apply(x), itemsPerSample);
        x = x.add(gate1 == null ? h : gate1.unsqueeze(1).mul(h));
        h = fc1.forwardGrouped(pre2.apply(x), itemsPerSample);
        h = torch.gelu(h, "tanh");
        if (training && dropout > 0) {
            h = torch.dropout(h, dropout, true);
        }
        h = fc2.forwardGrouped(h, itemsPerSample);
        if (training && dropout > 0) {
            h = torch.dropout(h, dropout, true);
        }
        return x.add(gate2 == null ? h : gate2.unsqueeze(1).mul(h));
    }

    private AdaLnModulation adaLNOnly() {
        if (adaLN == null) {
            throw new IllegalStateException("a TD-LN DiT block has no modulation; call forwardAt with τ");
        }
        return adaLN;
    }

    /** FLOPs of the block on {@code items} token sequences of length {@code tokens}, without the modulation. */
    public double flops(long items, long tokens) {
        return attn.flops(items, tokens, width) + fc1.flops(items, tokens, width) + fc2.flops(items, tokens, hidden);
    }

    /** FLOPs of the modulation for {@code rows} conditioning vectors (0 for a TD-LN block). */
    public double modulationFlops(long rows) {
        return adaLN == null ? 0 : adaLN.flops(rows);
    }

    /**
     * Trainable scalars: attention 4w² + 4w, MLP 2·w·h + h + w, and modulation 6w·(condDim + 1) (adaLN-Zero)
     * or two TD-LayerNorms of 8w each (TD-LN, per-element w, b).
     */
    public long parameterCount() {
        long own = adaLN != null ? adaLN.parameterCount() : tdNorm1.parameterCount() + tdNorm2.parameterCount();
        return attn.parameterCount() + fc1.parameterCount() + fc2.parameterCount() + own;
    }

    public int width() {
        return width;
    }
}
