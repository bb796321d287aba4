package io.github.diffusion4j.net;

import io.github.diffusion4j.denoise.BackboneSpec;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Exit;
import io.github.diffusion4j.denoise.NoiseLevel;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.nn.ClassEmbedding;
import io.github.diffusion4j.nn.DiTBlock;
import io.github.diffusion4j.nn.DiTFinalLayer;
import io.github.diffusion4j.nn.PatchEmbed;
import io.github.diffusion4j.nn.SinCosPositionEmbedding;
import io.github.diffusion4j.nn.TimeDependentParameter;
import io.github.diffusion4j.nn.Unpatchify;
import io.github.diffusion4j.nn.WeightInit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The Diffusion Transformer (Peebles and Xie 2023, DiT, Fig. 3, adaLN-Zero variant): patchify the
 * input with patch p into (H/p)·(W/p) tokens of width {@code width} (a p×p stride-p convolution),
 * add the fixed 2-D sin-cos position embedding, run {@code depth} pre-norm DiT blocks with
 * adaLN-Zero modulation from c = noise embedding + class embedding (null row for guidance), a final
 * adaLN layer and a linear map of each token to its p·p·C pixels, and unpatchify. Zero-initialised
 * modulations and output layer: the initial network outputs exactly 0. One full-resolution head.
 * With {@code blockNorm} {@link BlockNorm#TD} time enters only through TD-LayerNorms at τ (Liu et al. 2024,
 * Sec. 3.3; {@link DiTBlock#timeDependent}), the final layer's norm included, and the class is an extra token
 * (DiMR's and U-ViT's way; no t_embedder, no modulations).
 *
 * <p>Parameters (names as DiT's state dict, with {@code nn.Sequential} indices dropped from the
 * modulations): {@code x_embedder.proj}, {@code t_embedder.mlp.0}, {@code t_embedder.mlp.2},
 * {@code y_embedder.embedding_table}, {@code blocks.i.{attn.qkv, attn.proj, mlp.fc1, mlp.fc2,
 * adaLN_modulation}}, {@code final_layer.{linear, adaLN_modulation}}. The position embedding is a
 * fixed function of the grid, recomputed rather than stored. The TD-LN form has {@code y_embedder.embedding_table},
 * {@code blocks.i.{norm1, norm2}.*} and {@code final_layer.norm_final.*} (TD-LayerNorms) instead of the embedder
 * and modulations.
 */
public final class DiT extends StoredNetwork {
    /**
     * Shape of a DiT.
     *
     * @param resolution  input height = width, divisible by {@code patch}
     * @param inChannels  input channels
     * @param outChannels channels of the head
     * @param patch       patch size p
     * @param width       token width (hidden size), divisible by 4 and by {@code heads}
     * @param depth       number of DiT blocks
     * @param heads       attention heads
     * @param mlpRatio    MLP hidden width / width
     * @param dropout     dropout in the MLPs, in [0, 1)
     * @param numClasses  classes (0 = unconditional); a conditional model has a null row
     * @param blockNorm   how time enters the blocks: {@link BlockNorm#ADALN} (DiT's adaLN-Zero) or {@link BlockNorm#TD}
     */
    public record Shape(int resolution, int inChannels, int outChannels, int patch, int width, int depth, int heads,
            double mlpRatio, double dropout, int numClasses, BlockNorm blockNorm) {
        /** An adaLN-Zero DiT. */
        public Shape(int resolution, int inChannels, int outChannels, int patch, int width, int depth, int heads, double mlpRatio,
                double dropout, int numClasses) {
            this(resolution, inChannels, outChannels, patch, width, depth, heads, mlpRatio, dropout, numClasses, BlockNorm.ADALN);
        }

        /** This shape, or an {@link IllegalArgumentException} "field: problem". */
        public Shape validate() {
            check(resolution > 0, "resolution", "must be > 0, got " + resolution);
            check(inChannels > 0 && outChannels > 0, "inChannels", "channels must be > 0");
            check(patch > 0, "patch", "must be > 0, got " + patch);
            check(resolution % patch == 0, "patch", resolution + " px is not divisible by patch " + patch);
            check(width > 0 && width % 4 == 0, "width", "must be a positive multiple of 4 (2-D sin-cos position embedding), got " + width);
            check(heads > 0 && width % heads == 0, "heads", heads + " heads do not divide width " + width);
            check(depth > 0, "depth", "must be > 0, got " + depth);
            check(mlpRatio > 0 && (int) (width * mlpRatio) >= 1, "mlpRatio", "must give at least one hidden unit, got " + mlpRatio);
            check(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1), got " + dropout);
            check(numClasses >= 0, "numClasses", "must be >= 0, got " + numClasses);
            check(blockNorm == BlockNorm.ADALN || blockNorm == BlockNorm.TD, "blockNorm", "must be adaln or td, got " + blockNorm);
            return this;
        }

        int grid() {
            return resolution / patch;
        }

        static void check(boolean ok, String field, String problem) {
            if (!ok) {
                throw new IllegalArgumentException(field + ": " + problem);
            }
        }
    }

    private final Shape shape;
    private final PatchEmbed xEmbedder;
    private final DiTEmbedding embedding;
    private final ClassEmbedding classToken;
    private final List<DiTBlock> blocks = new ArrayList<>();
    private final DiTFinalLayer finalLayer;
    private final Unpatchify unpatchify;
    private final float[] posEmbed;
    private final double flops;

    /** A DiT of shape {@code shape} with initial weights drawn from {@code seed}. */
    public DiT(Shape shape, long seed) {
        super(seed);
        this.shape = shape.validate();
        try {
            int w = shape.width();
            int g = shape.grid();
            xEmbedder = new PatchEmbed(store, "x_embedder", shape.inChannels(), w, shape.patch(), WeightInit.XAVIER_UNIFORM);
            boolean td = shape.blockNorm() == BlockNorm.TD;
            embedding = td ? null : new DiTEmbedding(store, "DiT", w, shape.numClasses());
            classToken = td && shape.numClasses() > 0 ? new ClassEmbedding(store, "y_embedder.embedding_table", shape.numClasses(), w, 0.02) : null;
            for (int i = 0; i < shape.depth(); i++) {
                blocks.add(td ? DiTBlock.timeDependent(store, "blocks." + i, w, shape.heads(), shape.mlpRatio(), false)
                        : new DiTBlock(store, "blocks." + i, w, shape.heads(), shape.mlpRatio(), w));
            }
            finalLayer = td ? DiTFinalLayer.timeDependent(store, "final_layer", w, shape.patch(), shape.outChannels(), false)
                    : new DiTFinalLayer(store, "final_layer", w, shape.patch(), shape.outChannels(), w);
            unpatchify = new Unpatchify(shape.outChannels(), shape.patch(), g, g);
            posEmbed = SinCosPositionEmbedding.table(w, g, g);
            long tokens = (long) g * g;
            double f = xEmbedder.flops(1, shape.inChannels(), shape.resolution(), shape.resolution())
                    + (embedding == null ? 0 : embedding.flopsPerSample());
            for (DiTBlock b : blocks) {
                f += b.flops(1, tokens + (classToken == null ? 0 : 1)) + b.modulationFlops(1);
            }
            f += finalLayer.flops(1, tokens) + finalLayer.modulationFlops(1);
            flops = f;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The head F(xIn; c_noise, class) [B, outChannels, H, W] in xIn's dtype, of an adaLN-Zero DiT. */
    public List<Tensor> forward(Tensor xIn, Tensor cNoise, Conditioning cond) {
        if (embedding == null) {
            throw new IllegalStateException("a TD-LN DiT takes the noise level's σ (forward with a NoiseLevel)");
        }
        Tensor x = tokens(xIn);
        Tensor c = embedding.forward(cNoise, cond, xIn.size(0), xIn.scalar_type());
        for (DiTBlock b : blocks) {
            x = b.forward(x, c, shape.dropout(), isTraining());
        }
        return List.of(unpatchify.forward(finalLayer.forward(x, c)));
    }

    /** The Backbone contract: DiT has one stage, so {@code exit} changes nothing. */
    @Override
    public List<Tensor> forward(Tensor xIn, NoiseLevel level, Conditioning cond, Exit exit) {
        if (embedding != null) {
            return forward(xIn, level.cNoise(), cond);
        }
        ScalarType dt = xIn.scalar_type();
        long batch = xIn.size(0);
        if (level.batch() != batch) {
            throw new IllegalArgumentException("DiT: " + level.batch() + " noise levels for a batch of " + batch);
        }
        Tensor tau = TimeDependentParameter.tau(level.sigma(), dt);
        Tensor x = tokens(xIn);
        long[] rows = (cond == null ? Conditioning.NONE : cond).classRows(batch, shape.numClasses(), "DiT");
        if (classToken != null) {
            x = Tensors.cat(1, classToken.forward(rows, dt).unsqueeze(1), x);
        }
        for (DiTBlock b : blocks) {
            x = b.forwardAt(x, tau, shape.dropout(), isTraining(), 1);
        }
        if (classToken != null) {
            x = x.narrow(1, 1, x.size(1) - 1);
        }
        return List.of(unpatchify.forward(finalLayer.forwardAt(x, tau, 1)));
    }

    /** The patch tokens of xIn with their position embedding, [B, T, width]. */
    private Tensor tokens(Tensor xIn) {
        int r = shape.resolution();
        if (xIn.dim() != 4 || xIn.size(1) != shape.inChannels() || xIn.size(2) != r || xIn.size(3) != r) {
            throw new IllegalArgumentException("DiT expects input [B, " + shape.inChannels() + ", " + r + ", " + r + "], got "
                    + Arrays.toString(Tensors.shape(xIn)));
        }
        int g = shape.grid();
        return xEmbedder.forward(xIn).add(Tensors.fromFloats(posEmbed, 1, (long) g * g, shape.width()).to(xIn.scalar_type()));
    }

    @Override
    public BackboneSpec spec() {
        return BackboneSpec.single(shape.outChannels());
    }

    /**
     * Analytic FLOPs of one forward pass per sample (the {@code nn} convention): patch embedding
     * 2·C·w·p²·T, noise MLP 2·(256·w + w²), per block 8·T·w² (qkv, proj) + 4·T²·w (QKᵀ, A·V)
     * + 4·T·w·h (MLP) + 12·w² (modulation), final layer 2·T·w·p²C + 4·w², with T = (H/p)² tokens; the
     * TD-LN form has no noise MLP and modulations and T + 1 tokens in the blocks of a class-conditional model.
     */
    @Override
    public double flopsPerSample() {
        return flops;
    }

    public Shape shape() {
        return shape;
    }

    public long seed() {
        return store.seed();
    }

}
