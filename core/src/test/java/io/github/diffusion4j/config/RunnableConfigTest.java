package io.github.diffusion4j.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Combinations that load but could not run as asked are refused up front, naming the key. */
class RunnableConfigTest {
    @Test
    void dualOutputRefusesAForeignLossWeighting() {
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("diffusion.parametrisation=dual", "diffusion.weighting=min-snr")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("diffusion.weighting");
    }

    @Test
    void aOneStageRunAtAnotherResolutionThanItsDataIsRefused(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("one.yaml"), "data: {resolution: 8}\nstages:\n  - resolution: 16\n");
        ExperimentConfig cfg = ConfigLoader.load(f.toString(), List.of());
        assertThatThrownBy(cfg::onlyStage).isInstanceOf(ConfigException.class).hasMessageContaining("stages[0].resolution");
    }
}
