package io.github.diffusion4j.net;

import java.util.List;

/**
 * The shape of a DiMR network (Liu et al. 2024, Sec. 3.2; official {@code libs/core/blocks.py}
 * MRModel/Stage): {@code branches} from the lowest resolution to the full one, on
 * {@code resolution}² images of {@code inChannels}, each branch predicting {@code outChannels}
 * at 1/{@code downsample} of the resolution. {@code cascadeWidth} > 0 projects each tap of the
 * cascade connection to that width before the concatenation (the small-scale shrink of the cascade
 * projection, methods.md §2.8; 0 = the official full concatenation). {@code sharedTime}: the paper's
 * scalar w, b per time-dependent parameter instead of the official per-element ones. {@code blockNorm}:
 * how time enters the Transformer blocks ({@link BlockNorm}; the ablation of Liu et al. 2024, Table 4);
 * the cascade and output TD-LayerNorms stay in every variant.
 */
public record DiMRConfig(int resolution, int inChannels, int outChannels, List<Branch> branches, int classes, int cascadeWidth,
        boolean sharedTime, BlockNorm blockNorm) {

    /** The two block types of DiMR. */
    public enum Block { TRANSFORMER, CONVNEXT }

    /**
     * One branch ("Stage"): {@code depth} = the official {@code num_blocks} (blocks = depth/2·2 + 1,
     * U-ViT skips depth/2), {@code width} = dim, {@code hidden} = the gated MLP's hidden width, {@code heads}
     * attention heads (Transformer), {@code kernel} the depthwise kernel (ConvNeXt); the input is the noisy
     * image area-downsampled by downsample/patch, then a patch×patch convolution with stride patch.
     */
    public record Branch(Block block, int downsample, int patch, int width, int hidden, int depth, int heads, int kernel) {
        /** Blocks of the branch: depth/2·2 + 1. */
        public int blocks() {
            return depth / 2 * 2 + 1;
        }

        /** The features the branch hands to the next one: the input embedding and every block's output. */
        public int taps() {
            return blocks() + 1;
        }
    }

    public DiMRConfig {
        branches = List.copyOf(branches);
    }

    /** Checks the shape; a message naming the problem otherwise. */
    public DiMRConfig validate() {
        if (branches.isEmpty()) {
            throw new IllegalArgumentException("a DiMR network has at least one branch");
        }
        if (branches.get(branches.size() - 1).downsample() != 1) {
            throw new IllegalArgumentException("the last DiMR branch must be at full resolution (downsample 1), got "
                    + branches.get(branches.size() - 1).downsample());
        }
        boolean token = false;
        for (int i = 0; i < branches.size(); i++) {
            Branch b = branches.get(i);
            String w = "branch " + i + ": ";
            if (b.downsample() < 1 || b.patch() < 1 || b.downsample() % b.patch() != 0) {
                throw new IllegalArgumentException(w + "patch " + b.patch() + " must divide downsample " + b.downsample());
            }
            if (resolution % b.downsample() != 0) {
                throw new IllegalArgumentException(w + "resolution " + resolution + " is not divisible by downsample " + b.downsample());
            }
            if (b.width() < 1 || b.hidden() < 1 || b.depth() < 0) {
                throw new IllegalArgumentException(w + "width, hidden must be > 0 and depth >= 0");
            }
            if (b.block() == Block.TRANSFORMER && (b.heads() < 1 || b.width() % b.heads() != 0)) {
                throw new IllegalArgumentException(w + b.heads() + " heads do not divide width " + b.width());
            }
            if (b.block() == Block.CONVNEXT && (b.kernel() < 1 || b.kernel() % 2 == 0)) {
                throw new IllegalArgumentException(w + "the depthwise kernel must be odd, got " + b.kernel());
            }
            token |= b.block() == Block.TRANSFORMER;
            if (i > 0) {
                int prev = branches.get(i - 1).downsample();
                if (prev <= b.downsample() || prev % b.downsample() != 0) {
                    throw new IllegalArgumentException(w + "downsample " + b.downsample() + " must divide and be below the previous branch's "
                            + prev);
                }
            }
        }
        if (classes > 0 && !token) {
            throw new IllegalArgumentException("a class-conditional DiMR needs a transformer branch (the class enters as its extra token)");
        }
        if (blockNorm == null) {
            throw new IllegalArgumentException("blockNorm must be td, adaln or token");
        }
        if (classes < 0 || cascadeWidth < 0 || inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException("classes and cascadeWidth must be >= 0, channels > 0");
        }
        return this;
    }

    /** Each branch's downsampling factor, in order. */
    public List<Integer> headDownsample() {
        return branches.stream().map(Branch::downsample).toList();
    }
}
