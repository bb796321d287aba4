package io.github.diffusion4j.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * The backbone of a stage, chosen by {@code model.type} (today {@code unet}; DiT, DiMR and LEGO
 * become further records). Every backbone may be class-conditional and draws its weights from a seed.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = ModelConfig.UNet.class, name = "unet")})
public sealed interface ModelConfig extends Typed permits ModelConfig.UNet {
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
}
