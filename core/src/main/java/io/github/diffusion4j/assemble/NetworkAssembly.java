package io.github.diffusion4j.assemble;

import io.github.diffusion4j.config.AugmentationConfig;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.CouplingConfig;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.config.ExperimentConfig.StageConfig;
import io.github.diffusion4j.config.ModelConfig;
import io.github.diffusion4j.denoise.HeadSpec;
import java.util.List;
import io.github.diffusion4j.net.DiMR;
import io.github.diffusion4j.net.DiMRConfig;
import io.github.diffusion4j.net.DiT;
import io.github.diffusion4j.net.Lego;
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
        List<HeadSpec> heads = DiffusionAssembly.parametrisation(stage).heads(channels);
        int out = heads.get(0).channels();
        if (stage.model() instanceof ModelConfig.DiMR m) {
            List<DiMRConfig.Branch> branches = m.branches().stream().map(b -> new DiMRConfig.Branch(
                    DiMRConfig.Block.valueOf(b.block().toUpperCase(java.util.Locale.ROOT)), b.downsample(), b.patch(), b.width(),
                    b.hidden(), b.depth(), b.heads(), b.kernel())).toList();
            DiMRConfig c = new DiMRConfig(stage.resolution(), channels, out, branches, m.classes(), m.cascadeWidth(), m.sharedTime(),
                    io.github.diffusion4j.net.BlockNorm.of(m.blockNorm()));
            try {
                c.validate();
            } catch (IllegalArgumentException e) {
                throw ConfigLoader.asConfigError(e);
            }
            return new DiMR(c, m.seed());
        }
        if (stage.model() instanceof ModelConfig.Lego m) {
            if (heads.size() != m.bricks().size() || heads.stream().anyMatch(h -> h.downsample() != 1 || !h.equals(heads.get(0)))) {
                throw new IllegalStateException("a LEGO stack has one full-resolution head per brick; the parametrisation reads " + heads);
            }
            List<Lego.Brick> bricks = m.bricks().stream()
                    .map(b -> new Lego.Brick(b.size(), b.patch(), b.depth(), b.width(), b.heads())).toList();
            return new Lego(validated(new Lego.Shape(stage.resolution(), channels, heads.get(0).channels(), bricks, m.mlpRatio(),
                    m.dropout(), m.classes(), io.github.diffusion4j.net.BlockNorm.of(m.blockNorm()))), m.seed());
        }
        if (heads.size() != 1 || heads.get(0).downsample() != 1) {
            throw new IllegalStateException("a " + stage.model().type() + " backbone has one full-resolution head; the parametrisation reads " + heads);
        }
        if (stage.model() instanceof ModelConfig.UNet m) {
            UNetConfig u = new UNetConfig(stage.resolution(), channels, out, m.baseChannels(), ints(m.channelMult()),
                    m.numResBlocks(), ints(m.attentionResolutions()), m.dropout(), m.classes(), NoiseEmbeddingType.parse(m.embedding()));
            if (stage.coupling() instanceof CouplingConfig.SuperResolution sr) { // CDM: low-res image as input channels, level embedded
                u = u.withConditioning(channels, sr.augmentation() instanceof AugmentationConfig.Gaussian);
            }
            return new UNet(validated(u), m.seed());
        }
        if (stage.model() instanceof ModelConfig.Dit m) {
            return new DiT(validated(new DiT.Shape(stage.resolution(), channels, out, m.patch(), m.width(), m.depth(), m.heads(),
                    m.mlpRatio(), m.dropout(), m.classes(), io.github.diffusion4j.net.BlockNorm.of(m.blockNorm()))), m.seed());
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

    /** {@code l} validated; a bad shape is a config error naming the key. */
    private static Lego.Shape validated(Lego.Shape l) {
        try {
            return l.validate();
        } catch (IllegalArgumentException e) {
            throw ConfigLoader.asConfigError(e);
        }
    }

    /** {@code d} validated; a bad shape is a config error naming the key. */
    private static DiT.Shape validated(DiT.Shape d) {
        try {
            return d.validate();
        } catch (IllegalArgumentException e) {
            throw ConfigLoader.asConfigError(e);
        }
    }

    private static int[] ints(java.util.List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
