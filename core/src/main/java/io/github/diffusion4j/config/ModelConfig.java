package io.github.diffusion4j.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * The backbone of a stage, chosen by {@code model.type} ({@code unet}, {@code dit}, {@code lego}; DiMR
 * becomes a further record). Every backbone may be class-conditional and draws its weights from a seed.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ModelConfig.UNet.class, name = "unet"),
    @JsonSubTypes.Type(value = ModelConfig.Dit.class, name = "dit"),
    @JsonSubTypes.Type(value = ModelConfig.Lego.class, name = "lego")})
public sealed interface ModelConfig extends Typed permits ModelConfig.UNet, ModelConfig.Dit, ModelConfig.Lego {
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
     * The Diffusion Transformer with adaLN-Zero (Peebles &amp; Xie 2023): patch size {@code patch},
     * token width {@code width}, {@code depth} blocks of {@code heads} heads, MLP {@code mlpRatio}·width,
     * dropout in the MLPs.
     */
    record Dit(int patch, int width, int depth, int heads, double mlpRatio, double dropout, int classes, long seed)
            implements ModelConfig {
        public static final Dit DEFAULT = new Dit(2, 64, 4, 4, 4.0, 0.0, 0, 0);
    }

    /**
     * A LEGO brick stack (Zheng et al. 2024, Sec. 3): bricks in order, each seeing {@code size}×{@code size}
     * regions cut into {@code patch}×{@code patch} tokens, {@code depth} DiT blocks of width
     * {@code width} and {@code heads} heads. The shared conditioning has the first brick's width.
     */
    record Lego(List<Brick> bricks, double mlpRatio, double dropout, int classes, long seed) implements ModelConfig {
        public static final Lego DEFAULT = new Lego(List.of(new Brick(4, 2, 1, 64, 4), new Brick(16, 2, 2, 64, 4)), 4.0, 0.0, 0, 0);

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
