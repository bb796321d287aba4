package io.github.diffusion4j.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * The backbone of a stage, chosen by {@code model.type} ({@code unet}, {@code dimr}, {@code dit},
 * {@code lego}). Every backbone may be class-conditional and draws its weights from a seed.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ModelConfig.UNet.class, name = "unet"),
    @JsonSubTypes.Type(value = ModelConfig.DiMR.class, name = "dimr"),
    @JsonSubTypes.Type(value = ModelConfig.Dit.class, name = "dit"),
    @JsonSubTypes.Type(value = ModelConfig.Lego.class, name = "lego")})
public sealed interface ModelConfig extends Typed permits ModelConfig.UNet, ModelConfig.DiMR, ModelConfig.Dit, ModelConfig.Lego {
    /** Number of classes (0 = unconditional; N adds N classes plus the null class for guidance). */
    int classes();

    /** Seed of the weight initialisation. */
    long seed();

    /**
     * The downsampling factor of each head the backbone returns, in order, the last 1 (full
     * resolution); one head for a classic backbone. Several heads are trained through
     * {@code diffusion.supervision} ({@code param.MultiHeadSupervision}).
     */
    default List<Integer> headDownsample() {
        return List.of(1);
    }

    /**
     * The ADM U-Net as in EDM's {@code DhariwalUNet} (Dhariwal &amp; Nichol 2021; Karras et al. 2022,
     * Table 7): {@code channelMult} per level, attention at {@code attentionResolutions}.
     */
    record UNet(int baseChannels, List<Integer> channelMult, int numResBlocks, List<Integer> attentionResolutions,
            double dropout, int classes, String embedding, long seed) implements ModelConfig {
        /** The defaults under every config. */
        public static final UNet DEFAULT = new UNet(32, List.of(1, 2, 2), 1, List.of(7), 0.0, 0, "positional", 0);

        public UNet {
            channelMult = Lists.copyOf(channelMult);
            attentionResolutions = Lists.copyOf(attentionResolutions);
        }
    }

    /**
     * DiMR (Liu et al. 2024, Sec. 3.2; {@code net.DiMR}): {@code branches} from the lowest resolution
     * to the full one (the last has downsample 1), each returning one head; trained through
     * {@code diffusion.supervision} (weights per branch, e.g. [0.25, 1] for 2R). {@code cascadeWidth} > 0
     * projects every tap of the cascade connection to that width before the concatenation (0 = the
     * official full concatenation); {@code sharedTime}: the paper's scalar w, b per time-dependent parameter;
     * {@code blockNorm} how time enters the Transformer blocks: {@code td} (TD-RMSNorm, the paper's),
     * {@code adaln} (DiT's adaLN-Zero) or {@code token} (plain LayerNorm, time as an extra token as in U-ViT).
     */
    record DiMR(List<Branch> branches, int classes, int cascadeWidth, boolean sharedTime, String blockNorm, long seed)
            implements ModelConfig {
        /** A small 2R network: an 8×8-token Transformer branch at 1/4 resolution and a full-resolution ConvNeXt branch. */
        public static final DiMR DEFAULT = new DiMR(List.of(new Branch("transformer", 4, 2, 128, 256, 4, 4, 7),
                new Branch("convnext", 1, 1, 64, 128, 2, 4, 7)), 0, 16, false, "td", 0);

        public DiMR {
            branches = Lists.copyOf(branches);
        }

        /**
         * One branch: {@code block} {@code transformer | convnext}; the noisy input area-downsampled by
         * downsample/patch, embedded by a patch×patch convolution of stride patch; {@code depth} = the official
         * {@code num_blocks} (depth/2·2 + 1 blocks, U-ViT skips); {@code hidden} the gated MLP's width;
         * {@code heads} (Transformer), {@code kernel} the depthwise kernel (ConvNeXt).
         */
        public record Branch(String block, int downsample, int patch, int width, int hidden, int depth, int heads, int kernel) {
            /** The defaults each listed branch starts from. */
            public static final Branch DEFAULT = new Branch("convnext", 1, 1, 64, 128, 2, 4, 7);
        }

        /** One head per branch, at its downsampling factor. */
        @Override
        public List<Integer> headDownsample() {
            return branches == null ? List.of(1) : branches.stream().map(b -> b == null ? 1 : b.downsample()).toList();
        }
    }

    /**
     * The Diffusion Transformer (Peebles &amp; Xie 2023): patch size {@code patch}, token width {@code width},
     * {@code depth} blocks of {@code heads} heads, MLP {@code mlpRatio}·width, dropout in the MLPs;
     * {@code blockNorm} {@code adaln} (DiT's adaLN-Zero) or {@code td} (DiMR's TD-LayerNorm, class as a token).
     */
    record Dit(int patch, int width, int depth, int heads, double mlpRatio, double dropout, int classes, String blockNorm, long seed)
            implements ModelConfig {
        public static final Dit DEFAULT = new Dit(2, 64, 4, 4, 4.0, 0.0, 0, "adaln", 0);
    }

    /**
     * A LEGO brick stack (Zheng et al. 2024, Sec. 3): bricks in order, each seeing {@code size}×{@code size}
     * regions cut into {@code patch}×{@code patch} tokens, {@code depth} DiT blocks of width
     * {@code width} and {@code heads} heads. The shared conditioning has the first brick's width;
     * {@code blockNorm} {@code adaln} (the official adaLN-Zero) or {@code td} (DiMR's TD-LayerNorm, class as a token).
     */
    record Lego(List<Brick> bricks, double mlpRatio, double dropout, int classes, String blockNorm, long seed) implements ModelConfig {
        public static final Lego DEFAULT = new Lego(List.of(new Brick(4, 2, 1, 64, 4), new Brick(16, 2, 2, 64, 4)), 4.0, 0.0, 0,
                "adaln", 0);

        public Lego {
            bricks = Lists.copyOf(bricks);
        }

        /** One full-resolution head per brick (deep supervision, {@code diffusion.supervision}). */
        @Override
        public List<Integer> headDownsample() {
            return java.util.Collections.nCopies(bricks == null || bricks.isEmpty() ? 1 : bricks.size(), 1);
        }
    }

    /** One LEGO brick: region size r, patch p, depth, width and heads of its DiT blocks. */
    record Brick(int size, int patch, int depth, int width, int heads) {
        public static final Brick DEFAULT = new Brick(8, 2, 1, 64, 4);
    }
}
