package io.github.diffusion4j.assemble;

import io.github.diffusion4j.config.AugmentationConfig;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.CouplingConfig;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.config.ExperimentConfig.StageConfig;
import io.github.diffusion4j.config.ModelConfig;
import io.github.diffusion4j.denoise.HeadSpec;
import java.util.List;
import io.github.diffusion4j.net.Network;
import io.github.diffusion4j.net.NoiseEmbeddingType;
import io.github.diffusion4j.net.UNet;
import io.github.diffusion4j.net.UNetConfig;

/** The backbone a stage's {@code model} names, at the stage's resolution, for images of {@code data.channels}. */
public final class NetworkAssembly {
    private NetworkAssembly() {}

    /** A freshly initialised network for the only stage of {@code cfg} (weights drawn from {@code model.seed}). */
    public static Network build(ExperimentConfig cfg) {
        return build(cfg.onlyStage(), cfg.data().channels());
    }

    /** A freshly initialised network for {@code stage}, taking and giving {@code channels}-channel images. */
    public static Network build(StageConfig stage, int channels) {
        List<HeadSpec> heads = DiffusionAssembly.parametrisation(stage.diffusion()).heads(channels);
        if (heads.size() != 1 || heads.get(0).downsample() != 1) {
            throw new IllegalStateException("a U-Net has one full-resolution head; the parametrisation reads " + heads);
        }
        int out = heads.get(0).channels();
        if (stage.model() instanceof ModelConfig.UNet m) {
            UNetConfig u = new UNetConfig(stage.resolution(), channels, out, m.baseChannels(), ints(m.channelMult()),
                    m.numResBlocks(), ints(m.attentionResolutions()), m.dropout(), m.classes(), NoiseEmbeddingType.parse(m.embedding()));
            if (stage.coupling() instanceof CouplingConfig.SuperResolution sr) { // CDM: low-res image as input channels, level embedded
                u = u.withConditioning(channels, sr.augmentation() instanceof AugmentationConfig.Gaussian);
            }
            return new UNet(validated(u), m.seed());
        }
        throw new IllegalStateException("no network for model type '" + stage.model().type() + "'");
    }

    /** {@code u} validated; a bad shape is a config error naming the key (issue 14). */
    private static UNetConfig validated(UNetConfig u) {
        try {
            return u.validate();
        } catch (IllegalArgumentException e) {
            throw ConfigLoader.asConfigError(e);
        }
    }

    private static int[] ints(java.util.List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
