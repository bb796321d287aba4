package io.github.diffusion4j.net;

import io.github.diffusion4j.config.ExperimentConfig.DataConfig;
import io.github.diffusion4j.config.ExperimentConfig.ModelConfig;

/** Builds the backbone a config names, sized for its data. */
public final class Networks {
    private Networks() {}

    /** A freshly initialised network (weights drawn from {@code model.seed}). */
    public static Network build(ModelConfig m, DataConfig d) {
        return switch (m.type()) {
            case "unet" -> new UNet(validated(new UNetConfig(d.resolution(), d.channels(), d.channels(), m.baseChannels(),
                    m.channelMult(), m.numResBlocks(), m.attentionResolutions(), m.dropout(), m.classes(),
                    NoiseEmbeddingType.parse(m.embedding()))), m.seed());
            default -> throw new io.github.diffusion4j.config.ConfigException("config key 'model.type': unknown backbone '" + m.type() + "'");
        };
    }

    /** {@code u} validated; a bad shape is a config error naming the key (issue 14). */
    private static UNetConfig validated(UNetConfig u) {
        try {
            return u.validate();
        } catch (IllegalArgumentException e) {
            throw io.github.diffusion4j.config.ConfigLoader.asConfigError(e);
        }
    }
}
