package io.github.diffusion4j.net;

import io.github.diffusion4j.denoise.BackboneSpec;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Exit;
import io.github.diffusion4j.denoise.HeadSpec;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A LEGO brick stack (Zheng et al. 2024, "Learning Stackable and Skippable LEGO Bricks for Efficient,
 * Reconfigurable, and Variable-Resolution Diffusion Modeling", Sec. 3; official {@code lego_models.py}).
 *
 * <p>Brick k sees the canvas cut into non-overlapping r_k×r_k regions, all processed as one batch:
 * its input is concat(F_{k−1}, c_in·x, coordinates) (brick 0 without F), where F_{k−1} is the
 * previous brick's raw output stitched back to the full canvas and the two coordinate channels are
 * the row and column of every pixel normalised to [−1, 1] over the <em>whole</em> canvas (so a
 * region knows where it lies; on a larger or non-square canvas they are renormalised over it).
 * Inside, a small DiT: p_k×p_k patch embedding ("local-feature enrichment"), fixed 2-D sin-cos position
 * embedding of the (r_k/p_k)² tokens, depth_k adaLN-Zero DiT blocks ("global-content orchestration"),
 * the adaLN final layer and unpatchify; the regions are stitched back into a full image. All bricks
 * share the conditioning c = noise embedding + class embedding (null row for guidance), whose width is
 * the first brick's; a brick of another width reads c through its own modulations (the official code
 * requires equal widths). With {@code blockNorm} {@link BlockNorm#TD} (the option of the LEGO issue: DiMR's
 * TD-LN, Liu et al. 2024, Sec. 3.3) every block and final layer takes the time only through TD-LayerNorms at
 * τ, and each brick reads the class as an extra token of every region (its own class table, at its width); no
 * shared embedding, no modulations.
 *
 * <p>Every brick's output is a head (one full-resolution image each, for deep supervision); under an
 * {@link Exit} the bricks after it are <em>not evaluated</em> and only the evaluated heads are returned.
 * Any canvas whose height and width are multiples of every brick size is accepted.
 *
 * <p>Parameters: {@code t_embedder.mlp.0}, {@code t_embedder.mlp.2}, {@code y_embedder.embedding_table},
 * then per brick {@code bricks.k.x_embedder.proj}, {@code bricks.k.blocks.i.*} and
 * {@code bricks.k.final_layer.*} (the official {@code model.model.k.*} without the
 * {@code nn.Sequential} index of the modulations); the TD-LN form has {@code bricks.k.y_embedder.embedding_table}
 * and the blocks' and final layers' TD-LayerNorms instead of the shared embedding and the modulations.
 */
public final class Lego extends StoredNetwork {
    /** One brick: region size r, patch p, depth, width, heads. */
    public record Brick(int size, int patch, int depth, int width, int heads) {}

    /**
     * Shape of a stack.
     *
     * @param resolution  the training resolution (height = width), a multiple of every brick size
     * @param inChannels  image channels C
     * @param outChannels channels of each head (and of F_{k−1} in the next brick's input)
     * @param bricks      the bricks in order
     * @param mlpRatio    MLP hidden width / width of every DiT block
     * @param dropout     dropout in the MLPs, in [0, 1)
     * @param numClasses  classes (0 = unconditional)
     * @param blockNorm   how time enters the bricks' blocks: {@link BlockNorm#ADALN} (the official adaLN-Zero) or {@link BlockNorm#TD}
     */
    public record Shape(int resolution, int inChannels, int outChannels, List<Brick> bricks, double mlpRatio, double dropout,
            int numClasses, BlockNorm blockNorm) {
        public Shape {
            bricks = List.copyOf(bricks);
        }

        /** An adaLN-Zero stack. */
        public Shape(int resolution, int inChannels, int outChannels, List<Brick> bricks, double mlpRatio, double dropout, int numClasses) {
            this(resolution, inChannels, outChannels, bricks, mlpRatio, dropout, numClasses, BlockNorm.ADALN);
        }

        /** This shape, or an {@link IllegalArgumentException} "field: problem" ({@code bricks[k].size: …}). */
        public Shape validate() {
            DiT.Shape.check(resolution > 0, "resolution", "must be > 0, got " + resolution);
            DiT.Shape.check(inChannels > 0 && outChannels > 0, "inChannels", "channels must be > 0");
            DiT.Shape.check(!bricks.isEmpty(), "bricks", "must list at least one brick");
            for (int k = 0; k < bricks.size(); k++) {
                Brick b = bricks.get(k);
                String f = "bricks[" + k + "].";
                DiT.Shape.check(b.size() > 0, f + "size", "must be > 0, got " + b.size());
                DiT.Shape.check(b.patch() > 0 && b.size() % b.patch() == 0, f + "patch",
                        "must be > 0 and divide the brick size " + b.size() + ", got " + b.patch());
                DiT.Shape.check(resolution % b.size() == 0, f + "size", "must divide the resolution " + resolution + ", got " + b.size());
                DiT.Shape.check(b.depth() > 0, f + "depth", "must be > 0, got " + b.depth());
                DiT.Shape.check(b.width() > 0 && b.width() % 4 == 0, f + "width",
                        "must be a positive multiple of 4 (2-D sin-cos position embedding), got " + b.width());
                DiT.Shape.check(b.heads() > 0 && b.width() % b.heads() == 0, f + "heads", b.heads() + " heads do not divide width " + b.width());
            }
            DiT.Shape.check(mlpRatio > 0, "mlpRatio", "must be > 0, got " + mlpRatio);
            for (Brick b : bricks) {
                DiT.Shape.check((int) (b.width() * mlpRatio) >= 1, "mlpRatio", "must give at least one hidden unit, got " + mlpRatio);
            }
            DiT.Shape.check(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1), got " + dropout);
            DiT.Shape.check(numClasses >= 0, "numClasses", "must be >= 0, got " + numClasses);
            DiT.Shape.check(blockNorm == BlockNorm.ADALN || blockNorm == BlockNorm.TD, "blockNorm", "must be adaln or td, got " + blockNorm);
            return this;
        }
    }

    private final Shape shape;
    private final DiTEmbedding embedding;
    private final List<BrickLayers> bricks = new ArrayList<>();

    /** A stack of shape {@code shape} with initial weights drawn from {@code seed}. */
    public Lego(Shape shape, long seed) {
        super(seed);
        this.shape = shape.validate();
        try {
            int cond = shape.bricks().get(0).width();
            embedding = shape.blockNorm() == BlockNorm.TD ? null : new DiTEmbedding(store, "LEGO stack", cond, shape.numClasses());
            for (int k = 0; k < shape.bricks().size(); k++) {
                int in = (k == 0 ? 0 : shape.outChannels()) + shape.inChannels() + 2;
                bricks.add(new BrickLayers(k, shape.bricks().get(k), in, cond));
            }
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** One brick's layers (a small DiT over the tokens of one region). */
    private final class BrickLayers {
        final Brick brick;
        final int inChannels;
        final PatchEmbed xEmbedder;
        final ClassEmbedding classToken;
        final List<DiTBlock> blocks = new ArrayList<>();
        final DiTFinalLayer finalLayer;
        final Unpatchify unpatchify;
        final float[] posEmbed;
        final int grid;

        BrickLayers(int k, Brick b, int inChannels, int cond) {
            this.brick = b;
            this.inChannels = inChannels;
            String name = "bricks." + k;
            this.grid = b.size() / b.patch();
            this.xEmbedder = new PatchEmbed(store, name + ".x_embedder", inChannels, b.width(), b.patch(), WeightInit.XAVIER_UNIFORM);
            boolean td = shape.blockNorm() == BlockNorm.TD;
            this.classToken = td && shape.numClasses() > 0
                    ? new ClassEmbedding(store, name + ".y_embedder.embedding_table", shape.numClasses(), b.width(), 0.02) : null;
            for (int i = 0; i < b.depth(); i++) {
                blocks.add(td ? DiTBlock.timeDependent(store, name + ".blocks." + i, b.width(), b.heads(), shape.mlpRatio(), false)
                        : new DiTBlock(store, name + ".blocks." + i, b.width(), b.heads(), shape.mlpRatio(), cond));
            }
            this.finalLayer = td ? DiTFinalLayer.timeDependent(store, name + ".final_layer", b.width(), b.patch(), shape.outChannels(), false)
                    : new DiTFinalLayer(store, name + ".final_layer", b.width(), b.patch(), shape.outChannels(), cond);
            this.unpatchify = new Unpatchify(shape.outChannels(), b.patch(), grid, grid);
            this.posEmbed = SinCosPositionEmbedding.table(b.width(), grid, grid);
        }

        /**
         * The brick on its input [B, inChannels, H, W] with the time t (the shared conditioning c [B, D₀] of
         * adaLN-Zero bricks, or τ [B] and the class rows of TD-LN ones): the stitched output [B, out, H, W].
         */
        Tensor forward(Tensor in, Time t) {
            long batch = in.size(0), height = in.size(2), width = in.size(3);
            int r = brick.size();
            long h = height / r, w = width / r, regions = h * w;
            ScalarType dt = in.scalar_type();
            // Regions in row-major order, sample-major (the official unfold → permute → flatten).
            Tensor windows = in.reshape(batch, inChannels, h, r, w, r).permute(0, 2, 4, 1, 3, 5).reshape(batch * regions, inChannels, r, r);
            long tokens = (long) grid * grid;
            Tensor x = xEmbedder.forward(windows).add(Tensors.fromFloats(posEmbed, 1, tokens, brick.width()).to(dt));
            if (t.c() != null) {
                for (DiTBlock b : blocks) {
                    x = b.forwardModulated(x, perRegion(b.modulation(t.c()), regions), shape.dropout(), isTraining(), regions);
                }
                x = finalLayer.forwardModulated(x, perRegion(finalLayer.modulation(t.c()), regions), regions);
            } else {
                Tensor tau = perRegion(t.tau().unsqueeze(1), regions).reshape(-1);
                if (classToken != null) {
                    x = Tensors.cat(1, perRegion(classToken.forward(t.rows(), dt), regions).unsqueeze(1), x);
                }
                for (DiTBlock b : blocks) {
                    x = b.forwardAt(x, tau, shape.dropout(), isTraining(), regions);
                }
                if (classToken != null) {
                    x = x.narrow(1, 1, tokens);
                }
                x = finalLayer.forwardAt(x, tau, regions);
            }
            Tensor out = unpatchify.forward(x); // [B·L, out, r, r]
            int oc = shape.outChannels();
            return out.reshape(batch, h, w, oc, r, r).permute(0, 3, 1, 4, 2, 5).reshape(batch, oc, height, width);
        }

        /** FLOPs of this brick for one sample on a height × width canvas. */
        double flops(long height, long width) {
            int r = brick.size();
            long regions = (height / r) * (width / r);
            long tokens = (long) grid * grid;
            double f = xEmbedder.flops(regions, inChannels, r, r);
            for (DiTBlock b : blocks) {
                f += b.flops(regions, tokens + (classToken == null ? 0 : 1)) + b.modulationFlops(1);
            }
            return f + finalLayer.flops(regions, tokens) + finalLayer.modulationFlops(1);
        }
    }

    /**
     * The time as the bricks see it: the shared conditioning c [B, D₀] (adaLN-Zero), or τ [B] and the class
     * rows of the batch (TD-LN; c null).
     */
    private record Time(Tensor c, Tensor tau, long[] rows) {}

    /** A per-sample modulation [B, k] repeated for each of the sample's {@code regions} regions: [B·regions, k]. */
    private static Tensor perRegion(Tensor m, long regions) {
        if (regions == 1) {
            return m;
        }
        long b = m.size(0), k = m.size(1);
        return m.unsqueeze(1).expand(new long[] {b, regions, k}).reshape(b * regions, k);
    }

    /**
     * The evaluated bricks' heads F_0 … F_e (e = the exit's last brick) for a scaled input xIn
     * [B, C, H, W] on any canvas whose sides are multiples of every brick size.
     */
    public List<Tensor> forward(Tensor xIn, Tensor cNoise, Conditioning cond, Exit exit) {
        if (embedding == null) {
            throw new IllegalStateException("a TD-LN LEGO stack takes the noise level's σ (forward with a NoiseLevel)");
        }
        return forward(xIn, new Time(embedding.forward(cNoise, cond, xIn.size(0), xIn.scalar_type()), null, null), exit);
    }

    private List<Tensor> forward(Tensor xIn, Time time, Exit exit) {
        long batch = xIn.size(0);
        if (xIn.dim() != 4 || xIn.size(1) != shape.inChannels() || !acceptsCanvas((int) xIn.size(2), (int) xIn.size(3))) {
            throw new IllegalArgumentException("LEGO expects input [B, " + shape.inChannels() + ", H, W] with H and W multiples of "
                    + sizes() + ", got " + Arrays.toString(Tensors.shape(xIn)));
        }
        ScalarType dt = xIn.scalar_type();
        Tensor x = Tensors.cat(1, xIn, coordinates(batch, (int) xIn.size(2), (int) xIn.size(3)).to(dt));
        List<Tensor> heads = new ArrayList<>();
        Tensor f = null;
        for (int k = 0; k < bricks.size() && exit.runs(k); k++) {
            f = bricks.get(k).forward(f == null ? x : Tensors.cat(1, f, x), time);
            heads.add(f);
        }
        return heads;
    }

    /**
     * The coordinate channels [B, 2, H, W] (float32): channel 0 the row i, channel 1 the column j, each
     * {@code (i/(H−1) − 0.5)·2} in float32 as the official code computes it (0 on a side of length 1).
     * The official code builds them with an 'xy' meshgrid of shape (W, H), which equals this for
     * H = W and fails otherwise; here each axis is normalised over its own length.
     */
    static Tensor coordinates(long batch, int height, int width) {
        float[] v = new float[2 * height * width];
        for (int i = 0; i < height; i++) {
            float row = height == 1 ? 0f : ((float) i / (float) (height - 1) - 0.5f) * 2f;
            for (int j = 0; j < width; j++) {
                float col = width == 1 ? 0f : ((float) j / (float) (width - 1) - 0.5f) * 2f;
                v[i * width + j] = row;
                v[height * width + i * width + j] = col;
            }
        }
        return Tensors.fromFloats(v, 1, 2, height, width).expand(new long[] {batch, 2, height, width});
    }

    private List<Integer> sizes() {
        return shape.bricks().stream().map(Brick::size).toList();
    }

    /** Whether the stack runs on a height × width canvas: both multiples of every brick size. */
    @Override
    public boolean acceptsCanvas(int height, int width) {
        if (height < 1 || width < 1) {
            return false;
        }
        for (Brick b : shape.bricks()) {
            if (height % b.size() != 0 || width % b.size() != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public List<Tensor> forward(Tensor xIn, NoiseLevel level, Conditioning cond, Exit exit) {
        if (embedding != null) {
            return forward(xIn, level.cNoise(), cond, exit);
        }
        if (level.batch() != xIn.size(0)) {
            throw new IllegalArgumentException("LEGO: " + level.batch() + " noise levels for a batch of " + xIn.size(0));
        }
        long[] rows = (cond == null ? Conditioning.NONE : cond).classRows(level.batch(), shape.numClasses(), "LEGO stack");
        return forward(xIn, new Time(null, TimeDependentParameter.tau(level.sigma(), xIn.scalar_type()), rows), exit);
    }

    /** One full-resolution head per brick, in brick order. */
    @Override
    public BackboneSpec spec() {
        return new BackboneSpec(Collections.nCopies(bricks.size(), HeadSpec.output(shape.outChannels())));
    }

    /** FLOPs per sample of brick {@code k} on a height × width canvas (the {@code nn} convention). */
    public double brickFlops(int k, int height, int width) {
        return bricks.get(k).flops(height, width);
    }

    /** FLOPs per sample on a height × width canvas evaluating the bricks {@code exit} allows: the shared embedding plus each brick. */
    @Override
    public double flopsPerSample(int height, int width, Exit exit) {
        double f = embedding == null ? 0 : embedding.flopsPerSample();
        for (int k = 0; k < bricks.size() && exit.runs(k); k++) {
            f += brickFlops(k, height, width);
        }
        return f;
    }

    /** FLOPs per sample of the whole stack at the training resolution. */
    @Override
    public double flopsPerSample() {
        return flopsPerSample(shape.resolution(), shape.resolution(), Exit.ALL);
    }

    public int brickCount() {
        return bricks.size();
    }

    public Shape shape() {
        return shape;
    }

}
