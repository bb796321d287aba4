package io.github.diffusion4j.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code coupling: {type: sr, ...}} of a cascade's stages (CDM, Ho et al. 2021) and {@link ExperimentConfig#stageRun}. */
class CascadeConfigTest {
    @TempDir
    Path dir;

    static final String CASCADE = """
            name: cdm
            data: {dataset: emoji, resolution: 32, channels: 3}
            stages:
              - resolution: 16
                model: {type: unet, channelMult: [1, 2], attentionResolutions: [8], classes: 0}
              - model: {type: unet, channelMult: [1, 2, 2], attentionResolutions: [8]}
                coupling:
                  type: sr
                  augmentation: {type: gaussian, max: 0.5}
            """;

    ExperimentConfig load(String yaml, String... sets) throws Exception {
        return ConfigLoader.load(Files.writeString(dir.resolve("c.yaml"), yaml).toString(), List.of(sets));
    }

    @Test
    void anSrCouplingResolvesItsLowResolutionFromThePreviousStageAndRoundTrips() throws Exception {
        ExperimentConfig c = load(CASCADE);
        assertThat(c.stages().get(1).coupling())
                .isEqualTo(new CouplingConfig.SuperResolution(16, "bilinear", new AugmentationConfig.Gaussian(0.5)));
        ExperimentConfig back = ConfigLoader.parse(ConfigLoader.toYaml(c));
        assertThat(back).isEqualTo(c);
        ExperimentConfig blur = load(CASCADE, "stages[1].coupling.augmentation=blur", "stages[1].coupling.upsample=nearest");
        assertThat(blur.stages().get(1).coupling())
                .isEqualTo(new CouplingConfig.SuperResolution(16, "nearest", new AugmentationConfig.Blur(0.5, List.of(0.4, 0.6))));
    }

    @Test
    void stageRunIsTheStageAloneAtItsResolution() throws Exception {
        ExperimentConfig c = load(CASCADE);
        ExperimentConfig s1 = c.stageRun(1);
        assertThat(s1.name()).isEqualTo("cdm-stage1");
        assertThat(s1.data().resolution()).isEqualTo(32);
        assertThat(s1.onlyStage()).isEqualTo(c.stages().get(1));
        ExperimentConfig s0 = c.stageRun(0);
        assertThat(s0.data().resolution()).isEqualTo(16);
        assertThat(s0.onlyStage().coupling()).isEqualTo(CouplingConfig.None.DEFAULT);
        assertThat(ConfigLoader.parse(ConfigLoader.toYaml(s1))).as("a stage run's own config reads back").isEqualTo(s1);
        assertThatThrownBy(() -> c.stageRun(2)).isInstanceOf(ConfigException.class).hasMessageContaining("stages 0..1");
    }

    @Test
    void badCouplingValuesAreOneLineErrorsNamingTheKey() {
        assertThatThrownBy(() -> load(CASCADE, "stages[1].coupling.upsample=bicubic")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stages[1].coupling.upsample");
        assertThatThrownBy(() -> load(CASCADE, "stages[1].coupling.augmentation.max=0")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stages[1].coupling.augmentation.max");
        assertThatThrownBy(() -> load(CASCADE, "stages[1].coupling.lowResolution=12")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stages[1].coupling.lowResolution");
        assertThatThrownBy(() -> load(CASCADE, "stages[1].coupling.augmentation=blur", "stages[1].coupling.augmentation.fraction=2"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("stages[1].coupling.augmentation.fraction");
        assertThatThrownBy(() -> load(CASCADE, "stages[1].coupling.augmentation=blur", "stages[1].coupling.augmentation.sigma=[0.6, 0.4]"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("stages[1].coupling.augmentation.sigma");
        assertThatThrownBy(() -> load(CASCADE, "stages[0].coupling=sr")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stages[0].coupling.lowResolution");
        assertThatThrownBy(() -> load(CASCADE, "stages[1].coupling.augmentation.sigmas=1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("sigmas");
    }

    static final String RELAY = """
            name: relay
            data: {dataset: emoji, resolution: 64, channels: 3}
            stages:
              - resolution: 16
                model: {type: unet, channelMult: [1, 2], attentionResolutions: [8]}
              - model: {type: unet, channelMult: [1, 2, 2], attentionResolutions: [16]}
                diffusion:
                  process: {type: blur, patch: 4}
                coupling: {type: relay}
            """;

    /** {@code coupling: {type: relay}} (Teng et al. 2024, Sec. 3.4): the official ImageNet defaults, and its one-line refusals. */
    @Test
    void aRelayCouplingTakesTheOfficialDefaultsAndNeedsTheBlurProcessAtTheRatioAndHeun() throws Exception {
        ExperimentConfig c = load(RELAY);
        assertThat(c.stages().get(1).coupling()).isEqualTo(new CouplingConfig.Relay(16, 0.9, 0.93, 0.2, 0.15));
        assertThat(ConfigLoader.parse(ConfigLoader.toYaml(c))).isEqualTo(c);
        assertThatThrownBy(() -> load(RELAY, "stages[1].diffusion.process=additive")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stages[1].diffusion.process.type").hasMessageContaining("blur");
        assertThatThrownBy(() -> load(RELAY, "stages[1].diffusion.process.patch=2")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stages[1].diffusion.process.patch").hasMessageContaining("ratio 4");
        assertThatThrownBy(() -> load(RELAY, "stages[1].sampling.sampler=dpmpp_2m")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stages[1].sampling.sampler").hasMessageContaining("relay sampler");
        assertThatThrownBy(() -> load(RELAY, "stages[1].coupling.truncationSigma=2")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stages[1].coupling.truncationSigma").hasMessageContaining("σ(1)");
        assertThatThrownBy(() -> load(RELAY, "stages[1].coupling.sNoise=1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stages[1].coupling.sNoise");
        assertThatThrownBy(() -> load(RELAY, "stages[1].coupling.sBlock=-0.1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stages[1].coupling.sBlock");
        ExperimentConfig s1 = c.stageRun(1);
        assertThat(s1.onlyStage().coupling()).isEqualTo(c.stages().get(1).coupling());
    }
}
