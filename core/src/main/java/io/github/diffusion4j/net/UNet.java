package io.github.diffusion4j.net;

import io.github.diffusion4j.denoise.BackboneSpec;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Exit;
import io.github.diffusion4j.denoise.NoiseLevel;
import io.github.diffusion4j.engine.Tensors;
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
 *       missing label array); finally SiLU. This is ADM's order.</li>
 *   <li><b>Residual block</b> (EDM {@code UNetBlock}, {@code adaptive_scale=True}):
 *       {@code h = conv0(resample(SiLU(norm0(x))))}; {@code (scale, shift) = affine(emb)};
 *       {@code h = SiLU(shift + norm1(h)·(1 + scale))}; {@code h = conv1(dropout(h))};
 *       {@code x = h + skip(resample(x))}, where {@code skip} is a 1×1 conv when the channel count
 *       changes and the identity otherwise. With attention: {@code x = x + proj(MHA(qkv(norm2(x))))},
 *       multi-head scaled-dot-product self-attention over the H·W positions, 64 channels per head
 *       (one head below 128 channels, see {@link Ops#headsFor}).</li>
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
 *   <li>GroupNorm group counts: {@link Ops#groupsFor} (EDM's min(32, C/4), lowered to a divisor of
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
 * Functional: parameters are plain leaf tensors in a {@link ParameterStore}, and the forward pass
 * calls {@code torch.conv2d}, {@code group_norm}, {@code linear}, {@code silu},
 * {@code scaled_dot_product_attention}, {@code dropout} directly. libtorch's module registry forbids
 * dots in parameter names and would make us build a submodule tree just to get the dotted EDM
 * names; keeping the tensors in Java gives those names directly, makes seeded initialisation a plain
 * copy, and casts weights to the activation dtype per call (bf16 runs with float32 master weights).
 *
 * <h2>Memory</h2>
 * The model owns its parameters ({@link #close()} frees them). {@link #forward} attaches its
 * temporaries (and the autograd graph's Java handles) to the caller's innermost
 * {@code PointerScope}; call it inside one.
 */
public final class UNet implements Network, AutoCloseable {
    private static final double NORM_EPS = 1e-5;
    private static final int MAX_POSITIONS = 10000;
    private static final double FOURIER_SCALE = 16;

    private enum Resample { NONE, DOWN, UP }

    private final UNetConfig config;
    private final ParameterStore store;
    private final List<Block> encoder = new ArrayList<>();
    private final List<Block> decoder = new ArrayList<>();
    private final double flops;
    private boolean training;

    /** A network of shape {@code config} with initial weights drawn from {@code seed}. */
    public UNet(UNetConfig config, long seed) {
        this.config = config.validate();
        this.store = new ParameterStore(seed);
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

    private double build() {
        UNetConfig c = config;
        int base = c.baseChannels();
        int emb = c.embeddingWidth();
        double f = 0;

        // Mapping network.
        if (c.embedding() == NoiseEmbeddingType.FOURIER) {
            store.buffer("map_noise.freqs", new ParameterStore.Init.Normal(FOURIER_SCALE), base / 2);
        }
        f += linear("map_layer0", base, emb);
        f += linear("map_layer1", emb, emb);
        if (c.conditional()) {
            store.parameter("map_label.weight", new ParameterStore.Init.Normal(1), null, c.numClasses() + 1, emb);
        }

        // Encoder.
        List<Integer> skips = new ArrayList<>();
        int cout = c.inChannels();
        for (int level = 0; level < c.levels(); level++) {
            int res = c.resolutionAt(level);
            String tag = "enc." + res + "x" + res;
            if (level == 0) {
                int cin = cout;
                cout = c.channelsAt(0);
                String name = tag + "_conv";
                uniformConv(name, cin, cout, 3);
                f += 2.0 * cin * cout * 9 * res * res;
                encoder.add(Block.conv(name, cin, cout));
            } else {
                f += block(encoder, tag + "_down", cout, cout, res, Resample.DOWN, false);
            }
            skips.add(cout);
            for (int i = 0; i < c.numResBlocks(); i++) {
                int cin = cout;
                cout = c.channelsAt(level);
                f += block(encoder, tag + "_block" + i, cin, cout, res, Resample.NONE, c.attentionAt(res));
                skips.add(cout);
            }
        }

        // Decoder.
        for (int level = c.levels() - 1; level >= 0; level--) {
            int res = c.resolutionAt(level);
            String tag = "dec." + res + "x" + res;
            if (level == c.levels() - 1) {
                f += block(decoder, tag + "_in0", cout, cout, res, Resample.NONE, true);
                f += block(decoder, tag + "_in1", cout, cout, res, Resample.NONE, false);
            } else {
                f += block(decoder, tag + "_up", cout, cout, res, Resample.UP, false);
            }
            for (int i = 0; i <= c.numResBlocks(); i++) {
                int cin = cout + skips.remove(skips.size() - 1);
                cout = c.channelsAt(level);
                f += block(decoder, tag + "_block" + i, cin, cout, res, Resample.NONE, c.attentionAt(res));
                decoder.get(decoder.size() - 1).consumesSkip = true;
            }
        }

        // Output.
        norm("out_norm", cout);
        zeroConv("out_conv", cout, c.outChannels(), 3);
        f += 2.0 * cout * c.outChannels() * 9 * c.resolution() * c.resolution();
        return f;
    }

    /** Adds a residual block whose output has resolution {@code res}; returns its FLOPs per sample. */
    private double block(List<Block> into, String name, int cin, int cout, int res, Resample resample, boolean attention) {
        int emb = config.embeddingWidth();
        Block b = new Block(name, cin, cout, resample, attention, false);
        double p = (double) res * res;
        double f = 0;
        norm(name + ".norm0", cin);
        uniformConv(name + ".conv0", cin, cout, 3);
        f += 2.0 * cin * cout * 9 * p;
        f += linear(name + ".affine", emb, 2 * cout);
        norm(name + ".norm1", cout);
        zeroConv(name + ".conv1", cout, cout, 3);
        f += 2.0 * cout * cout * 9 * p;
        if (b.hasSkipConv()) {
            uniformConv(name + ".skip", cin, cout, 1);
            f += 2.0 * cin * cout * p;
        }
        if (attention) {
            norm(name + ".norm2", cout);
            uniformConv(name + ".qkv", cout, 3 * cout, 1);
            zeroConv(name + ".proj", cout, cout, 1);
            f += 2.0 * cout * 3 * cout * p; // qkv
            f += 4.0 * p * p * cout; // QKᵀ and A·V over all heads: 2·L²·d per head each
            f += 2.0 * cout * cout * p; // proj
        }
        into.add(b);
        return f;
    }

    private double linear(String name, int in, int out) {
        ParameterStore.Init u = new ParameterStore.Init.Uniform(1 / Math.sqrt(in));
        store.parameter(name + ".weight", u, null, out, in);
        store.parameter(name + ".bias", u, null, out);
        return 2.0 * in * out;
    }

    private void uniformConv(String name, int cin, int cout, int k) {
        ParameterStore.Init u = new ParameterStore.Init.Uniform(1 / Math.sqrt((double) cin * k * k));
        store.parameter(name + ".weight", u, null, cout, cin, k, k);
        store.parameter(name + ".bias", u, null, cout);
    }

    private void zeroConv(String name, int cin, int cout, int k) {
        ParameterStore.Init zero = new ParameterStore.Init.Constant(0);
        ParameterStore.Init u = new ParameterStore.Init.Uniform(1 / Math.sqrt((double) cin * k * k));
        store.parameter(name + ".weight", zero, u, cout, cin, k, k);
        store.parameter(name + ".bias", zero, u, cout);
    }

    private void norm(String name, int channels) {
        store.parameter(name + ".weight", new ParameterStore.Init.Constant(1), null, channels);
        store.parameter(name + ".bias", new ParameterStore.Init.Constant(0), null, channels);
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
        Tensor x = xIn;
        for (Block b : encoder) {
            x = b.kind == Block.Kind.CONV ? Ops.conv2d(x, p(b.name + ".weight"), p(b.name + ".bias"), 1) : resBlock(b, x, emb);
            skips.push(x);
        }
        for (Block b : decoder) {
            if (b.consumesSkip) {
                x = Ops.cat(1, x, skips.pop());
            }
            x = resBlock(b, x, emb);
        }
        x = torch.silu(Ops.groupNorm(x, Ops.groupsFor(config.channelsAt(0)), p("out_norm.weight"), p("out_norm.bias"), NORM_EPS));
        x = Ops.conv2d(x, p("out_conv.weight"), p("out_conv.bias"), 1);
        return List.of(x);
    }

    private void checkInput(Tensor xIn, Tensor cNoise) {
        int r = config.resolution();
        if (xIn.dim() != 4 || xIn.size(1) != config.inChannels() || xIn.size(2) != r || xIn.size(3) != r) {
            throw new IllegalArgumentException("UNet expects input [B, " + config.inChannels() + ", " + r + ", " + r + "], got "
                    + Arrays.toString(ParameterStore.shapeOf(xIn)));
        }
        if (cNoise.dim() != 1 || cNoise.size(0) != xIn.size(0)) {
            throw new IllegalArgumentException("UNet expects cNoise of shape [" + xIn.size(0) + "], got "
                    + Arrays.toString(ParameterStore.shapeOf(cNoise)));
        }
    }

    /** The block-conditioning vector [B, 4·base] in dtype {@code dt}. */
    private Tensor embedding(Tensor cNoise, Conditioning cond, long batch, ScalarType dt) {
        int half = config.baseChannels() / 2;
        Tensor c = cNoise.to(ScalarType.Float);
        Tensor freqs;
        if (config.embedding() == NoiseEmbeddingType.FOURIER) {
            freqs = store.get("map_noise.freqs").mul(Tensors.scalar(2 * Math.PI));
        } else {
            float[] fr = new float[half];
            for (int j = 0; j < half; j++) {
                fr[j] = (float) Math.pow(1.0 / MAX_POSITIONS, (double) j / half);
            }
            freqs = Tensors.fromFloats(fr, half);
        }
        Tensor angles = c.unsqueeze(1).mul(freqs.unsqueeze(0)); // outer product [B, half]
        Tensor e = Ops.cat(1, angles.cos(), angles.sin()).to(dt);
        e = torch.silu(Ops.linear(e, p("map_layer0.weight"), p("map_layer0.bias")));
        e = Ops.linear(e, p("map_layer1.weight"), p("map_layer1.bias"));
        if (config.conditional()) {
            Tensor table = Ops.cast(p("map_label.weight"), dt);
            e = e.add(torch.embedding(table, Ops.fromLongs(labelIndices(cond, batch))));
        } else {
            labelIndices(cond, batch); // rejects real labels given to an unconditional model
        }
        return torch.silu(e);
    }

    /** Row indices into the class table: labels as given, {@code NULL_CLASS} → {@code numClasses}. */
    long[] labelIndices(Conditioning cond, long batch) {
        int k = config.numClasses();
        long[] idx = new long[Math.toIntExact(batch)];
        Arrays.fill(idx, k);
        if (cond == null || !cond.hasClassLabels()) {
            return idx;
        }
        long[] labels = cond.classLabels();
        if (labels.length != batch) {
            throw new IllegalArgumentException("class labels: got " + labels.length + " labels for a batch of " + batch);
        }
        for (int i = 0; i < labels.length; i++) {
            long l = labels[i];
            if (l == Conditioning.NULL_CLASS) {
                continue;
            }
            if (k == 0) {
                throw new IllegalArgumentException("class labels: this UNet is unconditional (numClasses = 0) but got label " + l);
            }
            if (l < 0 || l > k) {
                throw new IllegalArgumentException("class labels: label " + l + " outside [0, " + k + "] (" + k
                        + " is the null class, as is " + Conditioning.NULL_CLASS + ")");
            }
            idx[i] = l;
        }
        return idx;
    }

    private Tensor resBlock(Block b, Tensor x, Tensor emb) {
        String n = b.name;
        Tensor orig = x;
        Tensor h = torch.silu(Ops.groupNorm(x, b.groupsIn, p(n + ".norm0.weight"), p(n + ".norm0.bias"), NORM_EPS));
        h = resample(h, b.resample);
        h = Ops.conv2d(h, p(n + ".conv0.weight"), p(n + ".conv0.bias"), 1);

        Tensor params = Ops.linear(emb, p(n + ".affine.weight"), p(n + ".affine.bias")).unsqueeze(2).unsqueeze(3);
        TensorVector ss = params.chunk(2, 1);
        Tensor scale = ss.get(0);
        Tensor shift = ss.get(1);
        h = Ops.groupNorm(h, b.groupsOut, p(n + ".norm1.weight"), p(n + ".norm1.bias"), NORM_EPS);
        h = torch.silu(torch.addcmul(shift, h, scale.add(Tensors.scalar(1))));
        if (training && config.dropout() > 0) {
            h = torch.dropout(h, config.dropout(), true);
        }
        h = Ops.conv2d(h, p(n + ".conv1.weight"), p(n + ".conv1.bias"), 1);

        Tensor skip = resample(orig, b.resample);
        if (b.hasSkipConv()) {
            skip = Ops.conv2d(skip, p(n + ".skip.weight"), p(n + ".skip.bias"), 0);
        }
        x = h.add(skip);

        if (b.attention) {
            x = x.add(attention(b, x));
        }
        return x;
    }

    /** proj(MHA(qkv(norm2(x)))) over the H·W positions; qkv's channels are laid out as [3, heads, d]. */
    private Tensor attention(Block b, Tensor x) {
        String n = b.name;
        long batch = x.size(0);
        long ch = x.size(1);
        long hh = x.size(2);
        long ww = x.size(3);
        long heads = b.heads;
        long d = ch / heads;
        Tensor qkv = Ops.conv2d(Ops.groupNorm(x, b.groupsOut, p(n + ".norm2.weight"), p(n + ".norm2.bias"), NORM_EPS),
                p(n + ".qkv.weight"), p(n + ".qkv.bias"), 0);
        Tensor r = qkv.reshape(batch, 3, heads, d, hh * ww);
        Tensor q = r.select(1, 0).transpose(2, 3); // [B, heads, L, d]
        Tensor k = r.select(1, 1).transpose(2, 3);
        Tensor v = r.select(1, 2).transpose(2, 3);
        Tensor a = torch.scaled_dot_product_attention(q, k, v); // softmax(q kᵀ/√d) v
        a = a.transpose(2, 3).reshape(batch, ch, hh, ww);
        return Ops.conv2d(a, p(n + ".proj.weight"), p(n + ".proj.bias"), 0);
    }

    private static Tensor resample(Tensor x, Resample r) {
        return switch (r) {
            case NONE -> x;
            case DOWN -> torch.avg_pool2d(x, 2, 2);
            case UP -> torch.upsample_nearest2d(x, 2 * x.size(2), 2 * x.size(3));
        };
    }

    private Tensor p(String name) {
        return store.get(name);
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

    /** Switches dropout on ({@code true}) or off. A new model starts in evaluation mode (dropout off). */
    @Override
    public void train(boolean on) {
        this.training = on;
    }

    /** Whether dropout is active. */
    public boolean isTraining() {
        return training;
    }

    /** Trainable parameters by dotted name (e.g. {@code enc.32x32_block0.conv0.weight}), in a fixed order. */
    @Override
    public Map<String, Tensor> namedParameters() {
        return store.trainable();
    }

    /**
     * Everything a checkpoint needs: the trainable parameters plus fixed buffers (today only
     * {@code map_noise.freqs}, the Fourier frequencies, which depend on the construction seed).
     */
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

    /**
     * Redraws the zero-initialised layers (each block's conv1 and attention proj, and out_conv) from
     * U(±1/√fan_in) under {@code seed}, so that every parameter influences the output.
     */
    public void reinitialiseZeroLayers(long seed) {
        store.reinitialiseZeroInit(seed);
    }

    /**
     * Analytic cost of one forward pass for one sample, in FLOPs. Convention: a multiply-add counts
     * 2 FLOPs; counted are convolutions (2·C_in·C_out·k²·H_out·W_out), linear layers (2·in·out) and
     * the two attention matmuls (QKᵀ and A·V: 4·L²·C for L = H·W positions and C channels, summed over
     * heads). Biases, normalisations, activations, softmax, resampling, additions, concatenations and
     * the embedding lookups are ignored. A training step (forward + backward) costs about 3× this.
     */
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

    @Override
    public double flopsPerSample() {
        return flops;
    }

    /** Frees the parameters. */
    @Override
    public void close() {
        store.close();
    }

    // ------------------------------------------------------------------ block description

    private static final class Block {
        enum Kind { CONV, RES }

        final Kind kind;
        final String name;
        final int cin;
        final int cout;
        final Resample resample;
        final boolean attention;
        final int groupsIn;
        final int groupsOut;
        final int heads;
        boolean consumesSkip;

        Block(String name, int cin, int cout, Resample resample, boolean attention, boolean conv) {
            this.kind = conv ? Kind.CONV : Kind.RES;
            this.name = name;
            this.cin = cin;
            this.cout = cout;
            this.resample = resample;
            this.attention = attention;
            this.groupsIn = Ops.groupsFor(cin);
            this.groupsOut = Ops.groupsFor(cout);
            this.heads = Ops.headsFor(cout);
        }

        static Block conv(String name, int cin, int cout) {
            return new Block(name, cin, cout, Resample.NONE, false, true);
        }

        boolean hasSkipConv() {
            return cin != cout;
        }
    }
}
