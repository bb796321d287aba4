package io.github.diffusion4j.net;

import io.github.diffusion4j.denoise.BackboneSpec;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Exit;
import io.github.diffusion4j.denoise.NoiseLevel;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.nn.Attention;
import io.github.diffusion4j.nn.ClassEmbedding;
import io.github.diffusion4j.nn.Conv2d;
import io.github.diffusion4j.nn.GroupNorm;
import io.github.diffusion4j.nn.Linear;
import io.github.diffusion4j.nn.NoiseEmbedding;
import io.github.diffusion4j.nn.Resample;
import io.github.diffusion4j.nn.WeightInit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A U-Net backbone F_θ(x; c_noise, class) in the style of ADM as re-implemented in EDM
 * ({@code DhariwalUNet}, Karras et al. 2022, {@code training/networks.py}; Dhariwal and Nichol
 * 2021), with one output head of {@code outChannels} channels.
 *
 * <h2>Architecture</h2>
 * <ul>
 *   <li><b>Embedding.</b> c_noise → positional or Fourier features of width {@code base}
 *       ({@code map_noise}) → {@code map_layer0} (base → 4·base) → SiLU → {@code map_layer1}
 *       (4·base → 4·base); a conditional model then adds a learned class vector
 *       {@code map_label.weight[label]} (a table of {@code numClasses + 1} rows; the last row is the
 *       null class of classifier-free guidance, selected by {@link Conditioning#NULL_CLASS} or by a
 *       missing label array); a super-resolution stage with {@code augmentationEmbedding} also adds
 *       {@code map_augment_layer1(SiLU(map_augment_layer0(embed(c_aug))))}, c_aug =
 *       {@link #augmentationInput}(σ_aug), the conditioning-augmentation level (Ho et al. 2021,
 *       Sec. 3.2; "through the noise-embedding path"); finally SiLU. This is ADM's order.</li>
 *   <li><b>Conditioning image</b> ({@code conditionChannels} &gt; 0, a CDM SR stage, Ho et al. 2021,
 *       Sec. 2.1): the upsampled low-resolution image is concatenated channel-wise to the input
 *       before {@code enc.RxR_conv}. With neither, the network is exactly the plain U-Net.</li>
 *   <li><b>Residual block</b> (EDM {@code UNetBlock}, {@code adaptive_scale=True}):
 *       {@code h = conv0(resample(SiLU(norm0(x))))}; {@code (scale, shift) = affine(emb)};
 *       {@code h = SiLU(shift + norm1(h)·(1 + scale))}; {@code h = conv1(dropout(h))};
 *       {@code x = h + skip(resample(x))}, where {@code skip} is a 1×1 conv when the channel count
 *       changes and the identity otherwise. With attention: {@code x = x + proj(MHA(qkv(norm2(x))))},
 *       multi-head scaled-dot-product self-attention over the H·W positions, 64 channels per head
 *       (one head below 128 channels, see {@link Attention#headsFor}).</li>
 *   <li><b>Resampling.</b> Down: 2×2 average pooling (EDM's [1,1] resample filter) inside a residual
 *       block, on both the main path (before conv0) and the skip. Up: nearest-neighbour ×2 in the same
 *       places, followed by conv0's 3×3 conv.</li>
 *   <li><b>Encoder</b>, level {@code l} at resolution {@code R = resolution >> l}:
 *       {@code enc.RxR_conv} (3×3, in → base·mult[0]) at level 0, else {@code enc.RxR_down};
 *       then {@code numResBlocks} blocks {@code enc.RxR_block<i>}. Every encoder output is kept as a
 *       skip.</li>
 *   <li><b>Decoder</b>, levels in reverse: at the coarsest level {@code dec.RxR_in0} (always with
 *       attention) and {@code dec.RxR_in1}, elsewhere {@code dec.RxR_up}; then
 *       {@code numResBlocks + 1} blocks {@code dec.RxR_block<i>}, each taking the concatenation of the
 *       current activation and the most recent unused skip (EDM's scheme). Blocks at a resolution in
 *       {@code attentionResolutions} carry attention, in encoder and decoder.</li>
 *   <li><b>Output.</b> {@code out_norm} (GroupNorm) → SiLU → {@code out_conv} (3×3 → outChannels).</li>
 *   <li>GroupNorm group counts: {@link GroupNorm#groupsFor} (EDM's min(32, C/4), lowered to a divisor of
 *       C); eps 1e-5.</li>
 * </ul>
 *
 * <h2>Initialisation</h2>
 * ADM's scheme as in EDM ({@code init_mode='kaiming_uniform', init_weight=init_bias=sqrt(1/3)}),
 * which equals PyTorch's default for {@code nn.Conv2d}/{@code nn.Linear}: every conv and linear
 * weight and bias ~ U(−1/√fan_in, 1/√fan_in), fan_in = in_channels·k·k. GroupNorm weight 1, bias 0.
 * The class table ~ N(0, 1) (EDM's {@code kaiming_normal · sqrt(label_dim)} on a one-hot).
 * <b>Zero-initialised</b> (ADM's {@code init_zero}): each block's {@code conv1} and attention
 * {@code proj}, and {@code out_conv} — so every block starts as its skip path and the initial model
 * outputs exactly 0 (F = 0 in EDM's F-space). {@link #reinitialiseZeroLayers(long)} redraws these
 * with the uniform scheme. Random values come from {@link ParameterStore}: a pure function of
 * (seed, tensor name).
 *
 * <h2>Implementation</h2>
 * Built from the {@link io.github.diffusion4j.nn} layers ({@link NoiseEmbedding}, {@link Linear},
 * {@link ClassEmbedding}, {@link Conv2d}, {@link GroupNorm}, {@link Attention}, {@link Resample})
 * over one {@link ParameterStore}: parameters are plain leaf tensors with the dotted EDM names
 * (libtorch's module registry forbids dots in names), seeded initialisation is a plain copy, and
 * weights are cast to the activation dtype per call (bf16 runs with float32 master weights). The
 * FLOP count is the sum of the layers' analytic counts.
 *
 * <h2>Memory</h2>
 * The model owns its parameters ({@link #close()} frees them). {@link #forward} attaches its
 * temporaries (and the autograd graph's Java handles) to the caller's innermost
 * {@code PointerScope}; call it inside one.
 */
public final class UNet extends StoredNetwork {
    private static final double NORM_EPS = 1e-5;

    private final UNetConfig config;
    private final List<Block> encoder = new ArrayList<>();
    private final List<Block> decoder = new ArrayList<>();
    private NoiseEmbedding mapNoise;
    private Linear mapLayer0;
    private Linear mapLayer1;
    private ClassEmbedding mapLabel;
    private NoiseEmbedding mapAugment;
    private Linear mapAugmentLayer0;
    private Linear mapAugmentLayer1;
    private GroupNorm outNorm;
    private Conv2d outConv;
    private final double flops;

    /** A network of shape {@code config} with initial weights drawn from {@code seed}. */
    public UNet(UNetConfig config, long seed) {
        super(seed);
        this.config = config.validate();
        double f = 0;
        try {
            f = build();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        this.flops = f;
    }

    // ------------------------------------------------------------------ construction

    /** Registers every layer (in the order that fixes the state-dict order); returns the FLOPs per sample. */
    private double build() {
        UNetConfig c = config;
        int base = c.baseChannels();
        int emb = c.embeddingWidth();
        double f = 0;

        // Mapping network.
        mapNoise = c.embedding() == NoiseEmbeddingType.FOURIER
                ? NoiseEmbedding.fourier(store, "map_noise", base, NoiseEmbedding.FOURIER_SCALE)
                : NoiseEmbedding.positional(base);
        mapLayer0 = new Linear(store, "map_layer0", base, emb);
        f += mapLayer0.flops(1, base);
        mapLayer1 = new Linear(store, "map_layer1", emb, emb);
        f += mapLayer1.flops(1, emb);
        if (c.conditional()) {
            mapLabel = new ClassEmbedding(store, "map_label", c.numClasses(), emb);
        }
        if (c.augmentationEmbedding()) {
            mapAugment = c.embedding() == NoiseEmbeddingType.FOURIER
                    ? NoiseEmbedding.fourier(store, "map_augment", base, NoiseEmbedding.FOURIER_SCALE)
                    : NoiseEmbedding.positional(base);
            mapAugmentLayer0 = new Linear(store, "map_augment_layer0", base, emb);
            f += mapAugmentLayer0.flops(1, base);
            mapAugmentLayer1 = new Linear(store, "map_augment_layer1", emb, emb);
            f += mapAugmentLayer1.flops(1, emb);
        }

        // Encoder.
        List<Integer> skips = new ArrayList<>();
        int cout = c.inChannels() + c.conditionChannels();
        for (int level = 0; level < c.levels(); level++) {
            int res = c.resolutionAt(level);
            String tag = "enc." + res + "x" + res;
            if (level == 0) {
                int cin = cout;
                cout = c.channelsAt(0);
                Conv2d conv = Conv2d.same(store, tag + "_conv", cin, cout, 3, WeightInit.KAIMING_UNIFORM);
                f += conv.flops(1, cin, res, res);
                encoder.add(new Block(conv));
            } else {
                f += block(encoder, tag + "_down", cout, cout, res, Resample.areaDown(2), false, false);
            }
            skips.add(cout);
            for (int i = 0; i < c.numResBlocks(); i++) {
                int cin = cout;
                cout = c.channelsAt(level);
                f += block(encoder, tag + "_block" + i, cin, cout, res, Resample.NONE, c.attentionAt(res), false);
                skips.add(cout);
            }
        }

        // Decoder.
        for (int level = c.levels() - 1; level >= 0; level--) {
            int res = c.resolutionAt(level);
            String tag = "dec." + res + "x" + res;
            if (level == c.levels() - 1) {
                f += block(decoder, tag + "_in0", cout, cout, res, Resample.NONE, true, false);
                f += block(decoder, tag + "_in1", cout, cout, res, Resample.NONE, false, false);
            } else {
                f += block(decoder, tag + "_up", cout, cout, res, Resample.nearestUp(2), false, false);
            }
            for (int i = 0; i <= c.numResBlocks(); i++) {
                int cin = cout + skips.remove(skips.size() - 1);
                cout = c.channelsAt(level);
                f += block(decoder, tag + "_block" + i, cin, cout, res, Resample.NONE, c.attentionAt(res), true);
            }
        }

        // Output.
        outNorm = new GroupNorm(store, "out_norm", cout, NORM_EPS);
        outConv = Conv2d.same(store, "out_conv", cout, c.outChannels(), 3, WeightInit.ZERO);
        f += outConv.flops(1, cout, c.resolution(), c.resolution());
        return f;
    }

    /** Adds a residual block whose output has resolution {@code res}; returns its FLOPs per sample. */
    private double block(List<Block> into, String name, int cin, int cout, int res, Resample resample, boolean attention,
            boolean consumesSkip) {
        Block b = new Block(store, name, cin, cout, config.embeddingWidth(), resample, attention, consumesSkip);
        into.add(b);
        return b.flops(res);
    }

    // ------------------------------------------------------------------ forward

    /**
     * The single head F(xIn; cNoise, cond) of shape [B, outChannels, H, W], in xIn's dtype.
     *
     * @param xIn   [B, inChannels, resolution, resolution], float32 (or bf16/f16: weights are cast per op)
     * @param cNoise [B] noise conditioning (any float dtype)
     * @param cond  class labels for a conditional model ({@code null}, {@link Conditioning#NONE} or
     *              {@link Conditioning#NULL_CLASS} entries select the null class); an unconditional
     *              model accepts only missing or null labels
     */
    public List<Tensor> forward(Tensor xIn, Tensor cNoise, Conditioning cond) {
        checkInput(xIn, cNoise);
        ScalarType dt = xIn.scalar_type();
        Tensor emb = embedding(cNoise, cond, xIn.size(0), dt);

        Deque<Tensor> skips = new ArrayDeque<>();
        Tensor x = config.conditionChannels() > 0 ? Tensors.cat(1, xIn, conditioningImage(cond, xIn).to(dt)) : xIn;
        for (Block b : encoder) {
            x = b.conv != null ? b.conv.forward(x) : b.forward(x, emb);
            skips.push(x);
        }
        for (Block b : decoder) {
            if (b.consumesSkip) {
                x = Tensors.cat(1, x, skips.pop());
            }
            x = b.forward(x, emb);
        }
        x = torch.silu(outNorm.forward(x));
        x = outConv.forward(x);
        return List.of(x);
    }

    private void checkInput(Tensor xIn, Tensor cNoise) {
        int r = config.resolution();
        if (xIn.dim() != 4 || xIn.size(1) != config.inChannels() || xIn.size(2) != r || xIn.size(3) != r) {
            throw new IllegalArgumentException("UNet expects input [B, " + config.inChannels() + ", " + r + ", " + r + "], got "
                    + Arrays.toString(Tensors.shape(xIn)));
        }
        if (cNoise.dim() != 1 || cNoise.size(0) != xIn.size(0)) {
            throw new IllegalArgumentException("UNet expects cNoise of shape [" + xIn.size(0) + "], got "
                    + Arrays.toString(Tensors.shape(cNoise)));
        }
    }

    /** The conditioning image of a U-Net with {@code conditionChannels}: [B, conditionChannels, resolution, resolution]. */
    private Tensor conditioningImage(Conditioning cond, Tensor xIn) {
        int r = config.resolution();
        if (cond == null || !cond.hasImage()) {
            throw new IllegalArgumentException("this UNet takes a " + config.conditionChannels()
                    + "-channel conditioning image (a super-resolution stage) but the conditioning has none");
        }
        Tensor img = cond.image();
        if (img.dim() != 4 || img.size(0) != xIn.size(0) || img.size(1) != config.conditionChannels() || img.size(2) != r
                || img.size(3) != r) {
            throw new IllegalArgumentException("UNet expects a conditioning image [" + xIn.size(0) + ", " + config.conditionChannels()
                    + ", " + r + ", " + r + "], got " + Arrays.toString(Tensors.shape(img)));
        }
        return img;
    }

    /** σ_floor of {@link #augmentationInput}: the smallest σ of EDM's sampling grid. */
    public static final double AUGMENTATION_FLOOR = 0.002;

    /**
     * The scalar the augmentation embedding sees for level σ_aug: ¼·ln(1 + σ_aug/σ_floor), finite at
     * σ_aug = 0 (no augmentation) and spread over about the range of EDM's c_noise = ¼·ln σ.
     */
    public static double augmentationInput(double level) {
        return 0.25 * Math.log1p(level / AUGMENTATION_FLOOR);
    }

    /** The block-conditioning vector [B, 4·base] in dtype {@code dt}. */
    private Tensor embedding(Tensor cNoise, Conditioning cond, long batch, ScalarType dt) {
        Tensor e = mapNoise.forward(cNoise).to(dt);
        e = torch.silu(mapLayer0.forward(e));
        e = mapLayer1.forward(e);
        if (config.augmentationEmbedding()) {
            double[] levels = cond == null ? null : cond.augmentation();
            if (levels == null || levels.length != batch) {
                throw new IllegalArgumentException("this UNet embeds an augmentation level per sample but got "
                        + (levels == null ? "none" : levels.length + " for a batch of " + batch));
            }
            double[] in = new double[levels.length];
            for (int i = 0; i < in.length; i++) {
                in[i] = augmentationInput(levels[i]);
            }
            Tensor a = mapAugment.forward(Tensors.fromDoubles(in, in.length)).to(dt);
            a = torch.silu(mapAugmentLayer0.forward(a));
            e = e.add(mapAugmentLayer1.forward(a));
        }
        if (config.conditional()) {
            e = e.add(mapLabel.forward(Tensors.fromLongs((cond == null ? Conditioning.NONE : cond).classRows(batch, config.numClasses(), "UNet")), dt));
        } else {
            (cond == null ? Conditioning.NONE : cond).classRows(batch, config.numClasses(), "UNet"); // rejects real labels given to an unconditional model
        }
        return torch.silu(e);
    }


    // ------------------------------------------------------------------ state

    /** The validated configuration. */
    public UNetConfig config() {
        return config;
    }

    /** The seed of the initial weights. */
    public long seed() {
        return store.seed();
    }

    /** The Backbone contract: the U-Net reads c_noise only, and has a single stage, so {@code exit} changes nothing. */
    @Override
    public List<Tensor> forward(Tensor xIn, NoiseLevel level, Conditioning cond, Exit exit) {
        return forward(xIn, level.cNoise(), cond);
    }

    /** One full-resolution head with {@code outChannels} channels. */
    @Override
    public BackboneSpec spec() {
        return BackboneSpec.single(config.outChannels());
    }

    /**
     * Analytic cost of one forward pass for one sample, in FLOPs. Convention: a multiply-add counts
     * 2 FLOPs; counted are convolutions (2·C_in·C_out·k²·H_out·W_out), linear layers (2·in·out) and
     * the two attention matmuls (QKᵀ and A·V: 4·L²·C for L = H·W positions and C channels, summed over
     * heads). Biases, normalisations, activations, softmax, resampling, additions, concatenations and
     * the embedding lookups are ignored. A training step (forward + backward) costs about 3× this.
     */
    @Override
    public double flopsPerSample() {
        return flops;
    }

    // ------------------------------------------------------------------ blocks

    /**
     * The first encoder convolution ({@code conv != null}) or a residual block (EDM {@code UNetBlock},
     * {@code adaptive_scale=True}, optionally with attention).
     */
    private final class Block {
        final Conv2d conv;
        final int cin;
        final int cout;
        final Resample resample;
        final boolean consumesSkip;
        final GroupNorm norm0;
        final Conv2d conv0;
        final Linear affine;
        final GroupNorm norm1;
        final Conv2d conv1;
        final Conv2d skip;
        final GroupNorm norm2;
        final Attention attention;

        Block(Conv2d conv) {
            this.conv = conv;
            this.cin = conv.inChannels();
            this.cout = conv.outChannels();
            this.resample = Resample.NONE;
            this.consumesSkip = false;
            this.norm0 = null;
            this.conv0 = null;
            this.affine = null;
            this.norm1 = null;
            this.conv1 = null;
            this.skip = null;
            this.norm2 = null;
            this.attention = null;
        }

        /** Registers norm0, conv0, affine, norm1, conv1 (zero), skip (1×1, when cin ≠ cout), then norm2, qkv, proj (zero). */
        Block(ParameterStore store, String name, int cin, int cout, int emb, Resample resample, boolean attention,
                boolean consumesSkip) {
            this.conv = null;
            this.cin = cin;
            this.cout = cout;
            this.resample = resample;
            this.consumesSkip = consumesSkip;
            this.norm0 = new GroupNorm(store, name + ".norm0", cin, NORM_EPS);
            this.conv0 = Conv2d.same(store, name + ".conv0", cin, cout, 3, WeightInit.KAIMING_UNIFORM);
            this.affine = new Linear(store, name + ".affine", emb, 2 * cout);
            this.norm1 = new GroupNorm(store, name + ".norm1", cout, NORM_EPS);
            this.conv1 = Conv2d.same(store, name + ".conv1", cout, cout, 3, WeightInit.ZERO);
            this.skip = cin != cout ? Conv2d.same(store, name + ".skip", cin, cout, 1, WeightInit.KAIMING_UNIFORM) : null;
            this.norm2 = attention ? new GroupNorm(store, name + ".norm2", cout, NORM_EPS) : null;
            this.attention = attention
                    ? Attention.overMaps(store, name, cout, Attention.headsFor(cout), WeightInit.ZERO)
                    : null;
        }

        /** FLOPs per sample of the block with output resolution {@code res} (conv0 runs after the resampling). */
        double flops(int res) {
            double f = 0;
            f += conv0.flops(1, cin, res, res);
            f += affine.flops(1, affine.inFeatures());
            f += conv1.flops(1, cout, res, res);
            if (skip != null) {
                f += skip.flops(1, cin, res, res);
            }
            if (attention != null) {
                f += attention.flops(1, cout, res, res);
            }
            return f;
        }

        /**
         * {@code h = conv0(resample(SiLU(norm0(x))))}; {@code (scale, shift) = affine(emb)};
         * {@code h = conv1(dropout(SiLU(shift + norm1(h)·(1 + scale))))};
         * {@code x = h + skip(resample(x))}; with attention {@code x = x + attention(norm2(x))}.
         */
        Tensor forward(Tensor x, Tensor emb) {
            Tensor orig = x;
            Tensor h = torch.silu(norm0.forward(x));
            h = resample.forward(h);
            h = conv0.forward(h);

            Tensor params = affine.forward(emb).unsqueeze(2).unsqueeze(3);
            TensorVector ss = params.chunk(2, 1);
            Tensor scale = ss.get(0);
            Tensor shift = ss.get(1);
            h = norm1.forward(h);
            h = torch.silu(torch.addcmul(shift, h, scale.add(Tensors.scalar(1))));
            if (isTraining() && config.dropout() > 0) {
                h = torch.dropout(h, config.dropout(), true);
            }
            h = conv1.forward(h);

            Tensor s = resample.forward(orig);
            if (skip != null) {
                s = skip.forward(s);
            }
            x = h.add(s);

            if (attention != null) {
                x = x.add(attention.forward(norm2.forward(x)));
            }
            return x;
        }
    }
}
