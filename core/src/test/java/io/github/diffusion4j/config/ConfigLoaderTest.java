package io.github.diffusion4j.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Config loading: presets, overrides, round trips, and errors that name the offending key. */
class ConfigLoaderTest {
    @ParameterizedTest
    @ValueSource(strings = {"mnist-unet", "fashion-unet", "emoji32-unet", "emoji64-unet", "emoji32-dimr", "emoji64-dimr", "emoji32-dit",
            "emoji64-dit", "emoji32-lego-pg", "emoji32-lego-pr", "emoji64-lego-pg"})
    void presetsLoadAndRoundTrip(String preset) {
        ExperimentConfig c = ConfigLoader.load(preset, List.of());
        assertThat(c.name()).isEqualTo(preset);
        ExperimentConfig back = ConfigLoader.parse(ConfigLoader.toYaml(c));
        assertThat(ConfigLoader.toYaml(back)).isEqualTo(ConfigLoader.toYaml(c));
        assertThat(back).isEqualTo(c);
    }

    @Test
    void setOverridesNestedKeysWithYamlValues() {
        ExperimentConfig c = ConfigLoader.load("mnist-unet",
                List.of("training.batch=8", "model.channelMult=[1, 2]", "training.bf16=true", "sampling.sampler=dpmpp_2m"));
        assertThat(c.training().batch()).isEqualTo(8);
        assertThat(((ModelConfig.UNet) c.model()).channelMult()).containsExactly(1, 2);
        assertThat(c.training().bf16()).isTrue();
        assertThat(c.sampling().sampler().type()).isEqualTo("dpmpp_2m");
    }

    @Test
    void precisionDefaultsToAutoAndContradictingTheOlderBf16KeyIsAnError() {
        ExperimentConfig c = ConfigLoader.load("mnist-unet", List.of());
        assertThat(c.training().precision()).isEqualTo("auto");
        assertThat(c.training().bf16()).isFalse();
        assertThat(ConfigLoader.load("mnist-unet", List.of("training.precision=bf16")).training().precision()).isEqualTo("bf16");
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("training.precision=fp16")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config key 'training.precision' must be one of [auto, fp32, bf16], got 'fp16'");
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("training.bf16=true", "training.precision=fp32")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config keys 'training.bf16: true' and 'training.precision: fp32' contradict each other");
    }

    @Test
    void unknownKeyIsNamedWithASuggestion() {
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("training.lrr=0.1")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown config key 'training.lrr' (did you mean 'training.lr'?)");
    }

    @Test
    void unknownKeyInAFileIsNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "name: x\nmodel:\n  baseChanels: 16\n");
        assertThatThrownBy(() -> ConfigLoader.load(f.toString(), List.of()))
                .hasMessageStartingWith("unknown config key 'model.baseChanels'");
    }

    @Test
    void wrongTypeAndImpossibleValuesAreNamed() {
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("training.batch=lots")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("training.batch");
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("training.batch=0")))
                .hasMessage("config key 'training.batch' must be > 0, got 0.0");
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("sampling.sampler=magic")))
                .hasMessageContaining("sampling.sampler").hasMessageContaining("magic");
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("data.resolution=30")))
                .hasMessageContaining("data.resolution").hasMessageContaining("divisible");
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("model=3")))
                .hasMessage("config key 'model' must be a mapping");
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> ConfigLoader.load("/no/such.yaml", List.of()))
                .hasMessageContaining("/no/such.yaml").hasMessageContaining("preset");
    }
}
