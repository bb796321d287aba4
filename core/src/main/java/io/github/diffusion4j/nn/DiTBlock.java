package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A DiT block with adaLN-Zero (Peebles and Xie 2023, Fig. 3; DiT's {@code DiTBlock}): pre-norm
 * multi-head self-attention and MLP over tokens [N, L, width], each modulated and gated by vectors
 * computed from the conditioning c:
 * {@code x += gate_msa·attn(modulate(norm1(x), shift_msa, scale_msa))};
 * {@code x += gate_mlp·mlp(modulate(norm2(x), shift_mlp, scale_mlp))}.
 * Norms: LayerNorm without affine, eps 1e-6; MLP: fc1 (width → mlpRatio·width), tanh-GELU,
 * fc2, with timm's dropout after the activation and after fc2. Linear layers are Xavier-uniform
 * with zero bias and the modulation is zero-initialised, as DiT's {@code initialize_weights}.
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
    private final Attention attn;
    private final LayerNorm norm2;
    private final Linear fc1;
    private final Linear fc2;
    private final AdaLnModulation adaLN;

    /**
     * Registers {@code name.attn.qkv}, {@code name.attn.proj}, {@code name.mlp.fc1},
     * {@code name.mlp.fc2} and {@code name.adaLN_modulation} (condDim → 6·width), in that order.
     */
    public DiTBlock(ParameterStore store, String name, int width, int heads, double mlpRatio, int condDim) {
        this.width = width;
        this.hidden = (int) (width * mlpRatio);
        if (hidden < 1) {
            throw new IllegalArgumentException("DiTBlock " + name + ": MLP ratio " + mlpRatio + " gives no hidden units");
        }
        this.norm1 = new LayerNorm(store, name + ".norm1", width, NORM_EPS, false);
        this.attn = Attention.overTokens(store, name + ".attn", width, heads, WeightInit.XAVIER_UNIFORM, WeightInit.XAVIER_UNIFORM);
        this.norm2 = new LayerNorm(store, name + ".norm2", width, NORM_EPS, false);
        this.fc1 = new Linear(store, name + ".mlp.fc1", width, hidden, true, WeightInit.XAVIER_UNIFORM);
        this.fc2 = new Linear(store, name + ".mlp.fc2", hidden, width, true, WeightInit.XAVIER_UNIFORM);
        this.adaLN = new AdaLnModulation(store, name + ".adaLN_modulation", condDim, width, 6);
    }

    /** The six modulation vectors [N, 6·width] for conditioning c [N, condDim]. */
    public Tensor modulation(Tensor c) {
        return adaLN.forward(c);
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
        List<Tensor> v = adaLN.split(m);
        Tensor h = attn.forward(AdaLnModulation.modulate(norm1.forward(x), v.get(0), v.get(1)), itemsPerSample);
        x = x.add(v.get(2).unsqueeze(1).mul(h));
        h = fc1.forwardGrouped(AdaLnModulation.modulate(norm2.forward(x), v.get(3), v.get(4)), itemsPerSample);
        h = torch.gelu(h, "tanh");
        if (training && dropout > 0) {
            h = torch.dropout(h, dropout, true);
        }
        h = fc2.forwardGrouped(h, itemsPerSample);
        if (training && dropout > 0) {
            h = torch.dropout(h, dropout, true);
        }
        return x.add(v.get(5).unsqueeze(1).mul(h));
    }

    /** FLOPs of the block on {@code items} token sequences of length {@code tokens}, without the modulation. */
    public double flops(long items, long tokens) {
        return attn.flops(items, tokens, width) + fc1.flops(items, tokens, width) + fc2.flops(items, tokens, hidden);
    }

    /** FLOPs of the modulation for {@code rows} conditioning vectors. */
    public double modulationFlops(long rows) {
        return adaLN.flops(rows);
    }

    /** Trainable scalars: attention 4w² + 4w, MLP 2·w·h + h + w, modulation 6w·(condDim + 1). */
    public long parameterCount() {
        return attn.parameterCount() + fc1.parameterCount() + fc2.parameterCount() + adaLN.parameterCount();
    }

    public int width() {
        return width;
    }
}
