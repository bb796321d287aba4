package io.github.diffusion4j.assemble;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.net.DiT;
import io.github.diffusion4j.net.Lego;
import io.github.diffusion4j.net.Network;
import io.github.diffusion4j.param.MultiHeadSupervision;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The DiT and LEGO presets build their backbone, with one head per brick read by deep supervision (the average over bricks). */
class TransformerPresetsTest {
    @BeforeAll
    static void init() {
        Engine.init();
    }

    @ParameterizedTest
    @ValueSource(strings = {"emoji32-dit", "emoji64-dit", "emoji32-lego-pg", "emoji32-lego-pr", "emoji64-lego-pg"})
    void presetsBuildTheirBackbone(String preset) {
        ExperimentConfig cfg = ConfigLoader.load(preset, List.of());
        Network net = NetworkAssembly.build(cfg);
        try {
            var param = DiffusionAssembly.parametrisation(cfg.onlyStage());
            param.check(net.spec(), 3);
            if (preset.contains("lego")) {
                assertThat(net).isInstanceOf(Lego.class);
                assertThat(param).isInstanceOf(MultiHeadSupervision.class);
                assertThat(((MultiHeadSupervision) param).weights()).containsExactly(1.0 / 3, 1.0 / 3, 1.0 / 3);
            } else {
                assertThat(net).isInstanceOf(DiT.class);
            }
            long params = net instanceof DiT d ? d.parameterCount() : ((Lego) net).parameterCount();
            System.out.printf("%s: %.3f M parameters, %.4f GFLOP per image%n", preset, params / 1e6, net.flopsPerSample() / 1e9);
            assertThat(params).isBetween(100_000L, 10_000_000L);
        } finally {
            if (net instanceof DiT d) {
                d.close();
            } else if (net instanceof Lego l) {
                l.close();
            }
        }
    }
}
