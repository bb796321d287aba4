package io.github.diffusion4j.nn;

import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.net.ParameterStore;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Multi-head scaled-dot-product self-attention, softmax(QKᵀ/√d)V per head (Vaswani et al. 2017),
 * with a fused {@code qkv} projection and an output projection {@code proj}, either over the H·W
 * positions of a [B, C, H, W] map with 1×1 convolutions (ADM/EDM's {@code AttentionBlock}, qkv
 * channels laid out as [3, heads, d]) or over the L tokens of a [B, L, C] sequence with linear
 * layers (ViT/DiT's {@code Attention}, qkv features laid out as [3, heads, d]; one product per item,
 * {@link Linear#forwardPerSample}). The normalisation in
 * front of it belongs to the caller.
 */
public final class Attention implements Layer {
    /** What the attention runs over. */
    public enum Layout {
        /** [B, C, H, W] feature maps; qkv and proj are 1×1 convolutions. */
        MAPS,
        /** [B, L, C] token sequences; qkv and proj are linear layers. */
        TOKENS
    }

    private final Layout layout;
    private final String name;
    private final int channels;
    private final int heads;
    private final Layer qkv;
    private final Layer proj;

    private Attention(Layout layout, String name, int channels, int heads, Layer qkv, Layer proj) {
        this.layout = layout;
        this.name = name;
        this.channels = channels;
        this.heads = heads;
        this.qkv = qkv;
        this.proj = proj;
    }

    /**
     * Attention over the positions of [B, channels, H, W] maps: registers {@code name.qkv}
     * (1×1 conv channels → 3·channels, {@link WeightInit#KAIMING_UNIFORM}) then {@code name.proj}
     * (1×1 conv, {@code projInit}; ADM zero-initialises it).
     */
    public static Attention overMaps(ParameterStore store, String name, int channels, int heads, WeightInit projInit) {
        checkHeads(name, channels, heads);
        Conv2d qkv = Conv2d.same(store, name + ".qkv", channels, 3 * channels, 1, WeightInit.KAIMING_UNIFORM);
        Conv2d proj = Conv2d.same(store, name + ".proj", channels, channels, 1, projInit);
        return new Attention(Layout.MAPS, name, channels, heads, qkv, proj);
    }

    /**
     * Attention over [B, L, channels] tokens: registers {@code name.qkv} (linear channels →
     * 3·channels, {@link WeightInit#KAIMING_UNIFORM}) then {@code name.proj} (linear, {@code projInit}).
     */
    public static Attention overTokens(ParameterStore store, String name, int channels, int heads, WeightInit projInit) {
        return overTokens(store, name, channels, heads, WeightInit.KAIMING_UNIFORM, projInit);
    }

    /** The same with {@code name.qkv} drawn by {@code qkvInit} (DiT: {@link WeightInit#XAVIER_UNIFORM} for both). */
    public static Attention overTokens(ParameterStore store, String name, int channels, int heads, WeightInit qkvInit,
            WeightInit projInit) {
        checkHeads(name, channels, heads);
        Linear qkv = new Linear(store, name + ".qkv", channels, 3 * channels, true, qkvInit);
        Linear proj = new Linear(store, name + ".proj", channels, channels, true, projInit);
        return new Attention(Layout.TOKENS, name, channels, heads, qkv, proj);
    }

    private static void checkHeads(String name, int channels, int heads) {
        if (heads < 1 || channels % heads != 0) {
            throw new IllegalArgumentException("Attention " + name + ": " + heads + " heads do not divide " + channels
                    + " channels");
        }
    }

    /**
     * Number of attention heads for {@code channels}: 64 channels per head as in ADM
     * ({@code channels_per_head = 64}), one head below 128 channels, lowered to a divisor of
     * {@code channels}. Examples: 64 → 1, 128 → 2, 192 → 3, 256 → 4, 96 → 1, 160 → 2.
     */
    public static int headsFor(int channels) {
        int h = Math.max(1, channels / 64);
        while (channels % h != 0) {
            h--;
        }
        return h;
    }

    /** {@code proj(MHA(qkv(x)))}, of {@code x}'s shape. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, 1);
    }

    /**
     * The same, over tokens, with the linear maps computed per group of {@code itemsPerSample}
     * consecutive sequences ({@link Linear#forwardGrouped}); the attention itself stays per sequence.
     */
    public Tensor forward(Tensor x, long itemsPerSample) {
        outputShape(Tensors.shape(x));
        long d = channels / heads;
        long batch = x.size(0);
        if (layout == Layout.MAPS) {
            long hh = x.size(2);
            long ww = x.size(3);
            Tensor r = qkv.forward(x).reshape(batch, 3, heads, d, hh * ww);
            Tensor q = r.select(1, 0).transpose(2, 3); // [B, heads, L, d]
            Tensor k = r.select(1, 1).transpose(2, 3);
            Tensor v = r.select(1, 2).transpose(2, 3);
            Tensor a = torch.scaled_dot_product_attention(q, k, v); // softmax(q kᵀ/√d) v
            a = a.transpose(2, 3).reshape(batch, channels, hh, ww);
            return proj.forward(a);
        }
        long len = x.size(1);
        Tensor r = ((Linear) qkv).forwardGrouped(x, itemsPerSample).reshape(batch, len, 3, heads, d).permute(2, 0, 3, 1, 4); // [3, B, heads, L, d]
        Tensor a = torch.scaled_dot_product_attention(r.select(0, 0), r.select(0, 1), r.select(0, 2));
        a = a.transpose(1, 2).reshape(batch, len, channels);
        return ((Linear) proj).forwardGrouped(a, itemsPerSample);
    }

    @Override
    public long[] outputShape(long... in) {
        boolean ok = layout == Layout.MAPS ? in.length == 4 && in[1] == channels : in.length == 3 && in[2] == channels;
        if (!ok) {
            throw new IllegalArgumentException("Attention " + name + " expects "
                    + (layout == Layout.MAPS ? "[B, " + channels + ", H, W]" : "[B, L, " + channels + "]") + ", got "
                    + Arrays.toString(in));
        }
        return in.clone();
    }

    /** qkv, QKᵀ and A·V (4·L²·C per sample, summed over heads), proj. */
    @Override
    public double flops(long... in) {
        outputShape(in);
        long len = layout == Layout.MAPS ? in[2] * in[3] : in[1];
        double p = len;
        return qkv.flops(in) + 4.0 * p * p * channels * in[0] + proj.flops(in);
    }

    @Override
    public long parameterCount() {
        return qkv.parameterCount() + proj.parameterCount();
    }

    public int heads() {
        return heads;
    }

    public Layout layout() {
        return layout;
    }
}
