package io.github.diffusion4j.net;

import io.github.diffusion4j.denoise.BackboneSpec;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Exit;
import io.github.diffusion4j.denoise.HeadSpec;
import io.github.diffusion4j.denoise.NoiseLevel;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.nn.AdaLnModulation;
import io.github.diffusion4j.nn.Conv2d;
import io.github.diffusion4j.nn.DiTBlock;
import io.github.diffusion4j.nn.DepthwiseConv2d;
import io.github.diffusion4j.nn.Linear;
import io.github.diffusion4j.nn.Resample;
import io.github.diffusion4j.nn.TimeDependentLayerNorm;
import io.github.diffusion4j.nn.TimeDependentParameter;
import io.github.diffusion4j.nn.TimeDependentRmsNorm;
import io.github.diffusion4j.nn.WeightInit;
import io.github.diffusion4j.schedule.DiscreteVpSchedule;
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
 * DiMR, the multi-resolution diffusion network of Liu et al. 2024 (Sec. 3.2–3.3; official
 * {@code libs/core/blocks.py} MRModel/Stage), built from {@code nn} layers.
 *
 * <p>Branch b (lowest resolution first) re-reads the noisy input area-downsampled by
 * downsample/patch, embeds it with a patch×patch convolution of stride patch (channel-last) plus a
 * learned absolute position embedding; every branch but the first adds the cascade connection from
 * the previous one (its input embedding and every block output concatenated → TD-LayerNorm → linear
 * to width·r² → pixel shuffle ×r → TD-LayerNorm, r the resolution ratio); then depth/2·2 + 1 blocks in
 * U-ViT order (the second half fuses concat(x, skip) through a linear layer): Transformer blocks
 * (TD-RMSNorm → fused QKV without bias → attention in float32 → linear; TD-RMSNorm → gated MLP
 * W₂(GELU(W₀n) ⊙ W₁n)), with the class as an extra token, or ConvNeXt blocks (depthwise k×k
 * convolution; the same gated MLP); the output layer is TD-LayerNorm → 3×3 convolution, a prediction
 * at 1/downsample of the resolution: one head per branch ({@link #spec}). Time enters only through
 * the time-dependent norms, at τ = 2n/T − 1 with n = 1 + the DDPM step of σ ({@link TimeDependentParameter#tau(double)}), the
 * official map of timestep n ∈ 1..1000 (its "log_snr"/4); the ablations of {@link BlockNorm}
 * give the Transformer blocks adaLN-Zero or a time token instead. Deviations from the official code: the
 * cascade's taps may be projected before concatenation ({@code cascadeWidth}); the pixel shuffle
 * uses PyTorch's channel order (a fixed permutation of the learned projection's outputs); the DDPM
 * linear β's define n (the official code uses Stable Diffusion's scaled-linear β's). Outside training,
 * linear layers run one matrix product per sample ({@link Linear#forwardPerSample}), so a seed's
 * sample does not depend on its batch.
 */
public final class DiMR extends StoredNetwork {
    /** The discrete schedule of the step n that the time token and t_embedder embed (τ is TimeDependentParameter's). */
    private static final DiscreteVpSchedule TIME = DiscreteVpSchedule.ddpm();

    private final DiMRConfig config;
    private final List<Stage> stages = new ArrayList<>();
    private final double flops;

    /** A network of shape {@code config} with initial weights drawn from {@code seed}. */
    public DiMR(DiMRConfig config, long seed) {
        super(seed);
        this.config = config.validate();
        double f = 0;
        try {
            for (int b = 0; b < config.branches().size(); b++) {
                Stage s = new Stage(b);
                stages.add(s);
                f += s.flops;
            }
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        this.flops = f;
    }

    /** The validated configuration. */
    public DiMRConfig config() {
        return config;
    }

    @Override
    public List<Tensor> forward(Tensor xIn, NoiseLevel level, Conditioning cond, Exit exit) {
        int r = config.resolution();
        if (xIn.dim() != 4 || xIn.size(1) != config.inChannels() || xIn.size(2) != r || xIn.size(3) != r) {
            throw new IllegalArgumentException("DiMR expects input [B, " + config.inChannels() + ", " + r + ", " + r + "], got "
                    + Arrays.toString(Tensors.shape(xIn)));
        }
        double[] sigma = level.sigma();
        if (sigma.length != xIn.size(0)) {
            throw new IllegalArgumentException("DiMR: " + sigma.length + " noise levels for a batch of " + xIn.size(0));
        }
        ScalarType dt = Tensors.scalarType(xIn);
        Tensor tau = TimeDependentParameter.tau(sigma, dt);
        Tensor rows = config.classes() > 0 ? Tensors.fromLongs((cond == null ? Conditioning.NONE : cond).classRows(sigma.length, config.classes(), "DiMR")) : null;
        if (config.classes() == 0) {
            (cond == null ? Conditioning.NONE : cond).classRows(sigma.length, config.classes(), "DiMR"); // refuses real labels for an unconditional model
        }
        List<Tensor> heads = new ArrayList<>();
        List<Tensor> taps = null;
        for (int b = 0; b < stages.size() && exit.runs(b); b++) {
            Stage.Out o = stages.get(b).forward(xIn, taps, tau, rows);
            heads.add(o.head);
            taps = o.taps;
        }
        return heads;
    }


    /** One head per branch, at its downsampling factor. */
    @Override
    public BackboneSpec spec() {
        List<HeadSpec> heads = new ArrayList<>();
        for (DiMRConfig.Branch b : config.branches()) {
            heads.add(new HeadSpec("output", config.outChannels(), b.downsample()));
        }
        return new BackboneSpec(heads);
    }

    /**
     * {@code l} on {@code x}: in training as one matrix product over the whole batch (faster); in
     * evaluation mode (the default, and the EMA network that samples) one per sample, so that a seed's
     * sample does not depend on its batch ({@link Linear#forwardPerSample}).
     */
    private Tensor lin(Linear l, Tensor x) {
        return isTraining() ? l.forward(x) : l.forwardPerSample(x);
    }

    /**
     * Analytic FLOPs of one forward pass for one sample, by the {@code nn} convention: convolutions
     * (the patch embedding, depthwise and output convolutions), linear layers (cascade, QKV, output
     * projection, gated MLP, skip fusion) and the two attention matmuls.
     */
    @Override
    public double flopsPerSample() {
        return flops;
    }

    /** DiT's 256-frequency sinusoidal embedding, the input of the adaLN variant's t_embedder. */
    private static final io.github.diffusion4j.nn.NoiseEmbedding TIME_FREQUENCIES =
            io.github.diffusion4j.nn.NoiseEmbedding.positional(DiTEmbedding.FREQUENCIES);

    /** The DDPM step n = 1000(τ + 1)/2 ∈ (1, 1000] of τ, in float32, that the time token and t_embedder embed. */
    private static Tensor step(Tensor tau) {
        return tau.to(ScalarType.Float).add(new org.bytedeco.pytorch.Scalar(1.0)).mul(new org.bytedeco.pytorch.Scalar(TIME.steps() / 2.0));
    }

    private static Tensor channelLast(Tensor x) {
        return x.permute(0, 2, 3, 1);
    }

    private static Tensor channelFirst(Tensor x) {
        return x.permute(0, 3, 1, 2);
    }

    /**
     * The time as the blocks see it: τ [B] of the time-dependent norms and, for adaLN-Zero blocks, the
     * conditioning vector c = t_embedder(n) [B, D] (null otherwise).
     */
    private record Time(Tensor tau, Tensor c) {}

    /** A block's norm of x: TD-RMSNorm at τ, or (the ablations) a LayerNorm that ignores τ. */
    private interface Norm {
        Tensor apply(Tensor x, Time t);
    }

    /** TD-RMSNorm for {@link BlockNorm#TD}; else LayerNorm, with affine for TOKEN, without for ADALN (DiT's eps 1e-6). */
    private Norm norm(String name, int dim, BlockNorm kind) {
        return switch (kind) {
            case TD -> {
                TimeDependentRmsNorm td = new TimeDependentRmsNorm(store, name, dim, 1e-8, false, config.sharedTime());
                yield (x, t) -> td.forward(x, t.tau());
            }
            case TOKEN -> {
                io.github.diffusion4j.nn.LayerNorm ln = new io.github.diffusion4j.nn.LayerNorm(store, name, dim, 1e-5, true);
                yield (x, t) -> ln.forward(x);
            }
            case ADALN -> {
                io.github.diffusion4j.nn.LayerNorm ln = new io.github.diffusion4j.nn.LayerNorm(store, name, dim, DiTBlock.NORM_EPS, false);
                yield (x, t) -> ln.forward(x);
            }
        };
    }

    /** A block of a branch: Transformer or ConvNeXt, both with the gated MLP. */
    private abstract class Block {
        final Norm mlpNorm;
        final Linear w0, w1, w2;

        Block(String name, int dim, int hidden, BlockNorm kind) {
            mlpNorm = norm(name + ".block2.norm", dim, kind);
            w0 = new Linear(store, name + ".block2.w0", dim, hidden, true, WeightInit.SMALL_NORMAL);
            w1 = new Linear(store, name + ".block2.w1", dim, hidden, true, WeightInit.SMALL_NORMAL);
            w2 = new Linear(store, name + ".block2.w2", hidden, dim, true, WeightInit.SMALL_NORMAL);
        }

        /** W₂(GELU(W₀ n) ⊙ W₁ n) of the normalised n. */
        Tensor gatedMlp(Tensor n) {
            return lin(w2, torch.gelu(lin(w0, n)).mul(lin(w1, n)));
        }

        double mlpFlops(long rows) {
            long d = w0.inFeatures();
            return w0.flops(rows, d) + w1.flops(rows, d) + w2.flops(rows, w2.inFeatures());
        }

        abstract Tensor forward(Tensor x, Time t);

        /** FLOPs for one sample with {@code tokens} positions. */
        abstract double flops(long tokens);
    }

    /**
     * Pre-norm self-attention + pre-norm gated MLP over [B, L, D] tokens (official TransformerBlock);
     * with adaLN-Zero, each norm's output is modulated by (1 + scale), shift and each residual branch
     * multiplied by its gate, the six vectors from {@code adaLN_modulation} (zero-initialised) of c.
     */
    private final class TransformerBlock extends Block {
        final Norm norm;
        final Linear qkv, dense;
        final Linear adaLN;
        final int dim, heads;

        TransformerBlock(String name, int dim, int hidden, int heads) {
            super(name, dim, hidden, config.blockNorm());
            this.dim = dim;
            this.heads = heads;
            norm = norm(name + ".block1.norm", dim, config.blockNorm());
            qkv = new Linear(store, name + ".block1.query_key_value", dim, 3 * dim, false, WeightInit.SMALL_NORMAL);
            dense = new Linear(store, name + ".block1.dense", dim, dim, true, WeightInit.SMALL_NORMAL);
            adaLN = config.blockNorm() == BlockNorm.ADALN
                    ? new Linear(store, name + ".adaLN_modulation", dim, 6 * dim, true, WeightInit.ZERO)
                    : null;
        }

        @Override
        Tensor forward(Tensor x, Time t) {
            long b = x.size(0), l = x.size(1);
            long hd = dim / heads;
            TensorVector m = adaLN == null ? null : lin(adaLN, torch.silu(t.c())).chunk(6, 1);
            Tensor n = norm.apply(x, t);
            if (m != null) {
                n = AdaLnModulation.modulate(n, m.get(0), m.get(1));
            }
            Tensor r = lin(qkv, n).reshape(b, l, 3L * heads, hd).permute(0, 2, 1, 3).to(ScalarType.Float);
            Tensor q = r.narrow(1, 0, heads), k = r.narrow(1, heads, heads), v = r.narrow(1, 2L * heads, heads);
            Tensor a = torch.scaled_dot_product_attention(q, k, v).to(Tensors.scalarType(x));
            Tensor h = lin(dense, a.permute(0, 2, 1, 3).reshape(b, l, dim));
            x = x.add(m == null ? h : h.mul(m.get(2).unsqueeze(1)));
            n = mlpNorm.apply(x, t);
            if (m != null) {
                n = AdaLnModulation.modulate(n, m.get(3), m.get(4));
            }
            h = gatedMlp(n);
            return x.add(m == null ? h : h.mul(m.get(5).unsqueeze(1)));
        }

        @Override
        double flops(long tokens) {
            double f = qkv.flops(tokens, dim) + 4.0 * tokens * tokens * dim + dense.flops(tokens, dim) + mlpFlops(tokens);
            return adaLN == null ? f : f + adaLN.flops(1, dim);
        }
    }

    /** Depthwise k×k convolution + pre-norm gated MLP over channel-last [B, H, W, D] maps (official ConvNeXtBlock). */
    private final class ConvNeXtBlock extends Block {
        final DepthwiseConv2d conv;
        final int dim;
        final int side;

        ConvNeXtBlock(String name, int dim, int hidden, int kernel, int side) {
            super(name, dim, hidden, BlockNorm.TD);
            this.dim = dim;
            this.side = side;
            conv = new DepthwiseConv2d(store, name + ".block1.conv", dim, kernel);
        }

        @Override
        Tensor forward(Tensor x, Time t) {
            x = x.add(channelLast(conv.forward(channelFirst(x))));
            return x.add(gatedMlp(mlpNorm.apply(x, t)));
        }

        @Override
        double flops(long tokens) {
            return conv.flops(1, dim, side, side) + mlpFlops(tokens);
        }
    }

    /** One branch (official Stage). */
    private final class Stage {
        record Out(Tensor head, List<Tensor> taps) {}

        final DiMRConfig.Branch cfg;
        final int side;
        final Resample down;
        final Conv2d inputConv;
        final Tensor posEmb;
        final Tensor classTable;
        final io.github.diffusion4j.nn.NoiseEmbedding timeToken;
        final Linear tMlp0, tMlp2;
        final int extraTokens;
        final List<Linear> tapProjections = new ArrayList<>();
        final TimeDependentLayerNorm upNorm0, upNorm1;
        final Linear upKernel;
        final int ratio;
        final List<Block> blocks = new ArrayList<>();
        final List<Linear> skipDenses = new ArrayList<>();
        final TimeDependentLayerNorm outNorm;
        final Conv2d outConv;
        final double flops;

        Stage(int index) {
            String name = "stages." + index;
            cfg = config.branches().get(index);
            int d = cfg.width();
            side = config.resolution() / cfg.downsample();
            boolean transformer = cfg.block() == DiMRConfig.Block.TRANSFORMER;
            int area = cfg.downsample() / cfg.patch();
            down = area == 1 ? Resample.NONE : Resample.areaDown(area);
            int p = cfg.patch();
            inputConv = new Conv2d(store, name + ".input.conv", config.inChannels(), d, p, p, p, p, 0, 0, true, WeightInit.KAIMING_UNIFORM);
            posEmb = store.parameter(name + ".pos_emb.weight", new ParameterStore.Init.Normal(0.02), null, (long) side * side, d);
            classTable = transformer && config.classes() > 0
                    ? store.parameter(name + ".class_embeds.weight", new ParameterStore.Init.Normal(0.02), null, config.classes() + 1L, d)
                    : null;
            timeToken = transformer && config.blockNorm() == BlockNorm.TOKEN ? io.github.diffusion4j.nn.NoiseEmbedding.positional(d) : null;
            extraTokens = (classTable != null ? 1 : 0) + (timeToken != null ? 1 : 0);
            long tokens = (long) side * side + extraTokens;
            double f = inputConv.flops(1, config.inChannels(), side * p, side * p);
            if (transformer && config.blockNorm() == BlockNorm.ADALN) { // DiT's t_embedder: 256 frequencies → Linear → SiLU → Linear
                tMlp0 = new Linear(store, name + ".t_embedder.mlp.0", DiTEmbedding.FREQUENCIES, d, true, WeightInit.SMALL_NORMAL);
                tMlp2 = new Linear(store, name + ".t_embedder.mlp.2", d, d, true, WeightInit.SMALL_NORMAL);
                f += tMlp0.flops(1, DiTEmbedding.FREQUENCIES) + tMlp2.flops(1, d);
            } else {
                tMlp0 = null;
                tMlp2 = null;
            }
            if (index > 0) {
                DiMRConfig.Branch prev = config.branches().get(index - 1);
                ratio = prev.downsample() / cfg.downsample();
                int prevSide = config.resolution() / prev.downsample();
                long prevPositions = (long) prevSide * prevSide;
                int q = config.cascadeWidth();
                int width = prev.taps() * (q > 0 ? q : prev.width());
                if (q > 0) {
                    for (int i = 0; i < prev.taps(); i++) {
                        Linear l = new Linear(store, name + ".upsample.taps." + i, prev.width(), q, true, WeightInit.SMALL_NORMAL);
                        tapProjections.add(l);
                        f += l.flops(prevPositions, prev.width());
                    }
                }
                upNorm0 = new TimeDependentLayerNorm(store, name + ".upsample.norm0", width, 1e-5, config.sharedTime());
                upKernel = new Linear(store, name + ".upsample.kernel", width, d * ratio * ratio, true, WeightInit.SMALL_NORMAL);
                upNorm1 = new TimeDependentLayerNorm(store, name + ".upsample.norm1", d, 1e-5, config.sharedTime());
                f += upKernel.flops(prevPositions, width);
            } else {
                ratio = 0;
                upNorm0 = null;
                upKernel = null;
                upNorm1 = null;
            }
            for (int i = 0; i < cfg.blocks(); i++) {
                String bn = name + ".blocks." + i;
                Block blk = transformer ? new TransformerBlock(bn, d, cfg.hidden(), cfg.heads())
                        : new ConvNeXtBlock(bn, d, cfg.hidden(), cfg.kernel(), side);
                blocks.add(blk);
                f += blk.flops(tokens);
            }
            for (int i = 0; i < cfg.blocks() / 2; i++) {
                Linear l = new Linear(store, name + ".skip_denses." + i, 2 * d, d, true, WeightInit.SMALL_NORMAL);
                skipDenses.add(l);
                f += l.flops(tokens, 2L * d);
            }
            outNorm = new TimeDependentLayerNorm(store, name + ".output.norm", d, 1e-5, config.sharedTime());
            outConv = Conv2d.same(store, name + ".output.conv", d, config.outChannels(), 3, WeightInit.KAIMING_UNIFORM);
            f += outConv.flops(1, d, side, side);
            this.flops = f;
        }

        /** The cascade connection from the previous branch's taps [B, h', w', D'] to [B, h, w, D]. */
        Tensor cascade(List<Tensor> taps, Tensor tau) {
            Tensor[] parts = new Tensor[taps.size()];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = tapProjections.isEmpty() ? taps.get(i) : lin(tapProjections.get(i), taps.get(i));
            }
            Tensor c = torch.cat(new TensorVector(parts), -1);
            c = lin(upKernel, upNorm0.forward(c, tau));
            c = channelLast(Resample.pixelShuffle(ratio).forward(channelFirst(c)));
            return upNorm1.forward(c, tau);
        }

        Out forward(Tensor xIn, List<Tensor> lowTaps, Tensor tau, Tensor rows) {
            ScalarType dt = Tensors.scalarType(xIn);
            int d = cfg.width();
            long batch = xIn.size(0);
            Tensor x = channelLast(inputConv.forward(down.forward(xIn)));
            x = x.add(posEmb.to(dt).reshape(side, side, d));
            if (lowTaps != null) {
                x = x.add(cascade(lowTaps, tau));
            }
            boolean tokens = cfg.block() == DiMRConfig.Block.TRANSFORMER;
            if (tokens) {
                x = x.reshape(batch, (long) side * side, d);
            }
            if (classTable != null) {
                Tensor cls = torch.embedding(classTable.to(dt), rows).unsqueeze(1);
                x = torch.cat(new TensorVector(cls, x), 1);
            }
            if (timeToken != null) { // U-ViT's time token: the sinusoidal embedding of the step n
                x = torch.cat(new TensorVector(timeToken.forward(step(tau)).to(dt).unsqueeze(1), x), 1);
            }
            Tensor c = null;
            if (tMlp0 != null) {
                c = lin(tMlp2, torch.silu(lin(tMlp0, TIME_FREQUENCIES.forward(step(tau)).to(dt))));
            }
            Time time = new Time(tau, c);
            List<Tensor> taps = new ArrayList<>();
            taps.add(x);
            Deque<Tensor> skips = new ArrayDeque<>();
            int half = blocks.size() / 2;
            for (int i = 0; i < half; i++) {
                x = blocks.get(i).forward(x, time);
                taps.add(x);
                skips.push(x);
            }
            x = blocks.get(half).forward(x, time);
            taps.add(x);
            for (int j = 0; j < half; j++) {
                x = lin(skipDenses.get(j), torch.cat(new TensorVector(x, skips.pop()), -1));
                x = blocks.get(half + 1 + j).forward(x, time);
                taps.add(x);
            }
            if (tokens) {
                long off = extraTokens;
                List<Tensor> grid = new ArrayList<>();
                for (Tensor t : taps) {
                    grid.add(t.narrow(1, off, (long) side * side).reshape(batch, side, side, d));
                }
                taps = grid;
                x = x.narrow(1, off, (long) side * side).reshape(batch, side, side, d);
            }
            Tensor head = outConv.forward(channelFirst(outNorm.forward(x, tau)));
            return new Out(head, taps);
        }
    }
}
