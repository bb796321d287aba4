package io.github.diffusion4j.assemble;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig.SamplingConfig;
import io.github.diffusion4j.schedule.DiscreteSigmas;
import io.github.diffusion4j.schedule.DiscreteVpSchedule;
import io.github.diffusion4j.schedule.IddpmSigmas;
import io.github.diffusion4j.schedule.KarrasSigmas;
import io.github.diffusion4j.schedule.LinearVpSchedule;
import io.github.diffusion4j.schedule.LogUniformSigmas;
import io.github.diffusion4j.schedule.VpSigmas;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each {@code sampling.discretisation} gives the σ grid of package {@code schedule} it names. */
class SamplerAssemblyDiscretisationTest {
    private static SamplingConfig sampling(String... sets) {
        return ConfigLoader.load("mnist-unet", List.of(sets)).sampling();
    }

    @Test
    void eachDiscretisationGivesItsGrid() {
        assertThat(SamplerAssembly.discretization(sampling())).isEqualTo(KarrasSigmas.edm());
        assertThat(SamplerAssembly.discretization(sampling("sampling.rho=3", "sampling.sigmaMax=10")))
                .isEqualTo(new KarrasSigmas(0.002, 10, 3));
        assertThat(SamplerAssembly.discretization(sampling("sampling.discretisation=loguniform")))
                .isEqualTo(new LogUniformSigmas(0.002, 80));
        assertThat(SamplerAssembly.discretization(sampling("sampling.discretisation=vp"))).isEqualTo(VpSigmas.edm());
        assertThat(SamplerAssembly.discretization(sampling("sampling.discretisation={type: vp, betaD: 10, betaMin: 0.2, epsilonS: 0.01}")))
                .isEqualTo(new VpSigmas(new LinearVpSchedule(10, 0.2), 0.01));
        assertThat(SamplerAssembly.discretization(sampling("sampling.discretisation=iddpm", "sampling.sigmaMax=81")))
                .isEqualTo(IddpmSigmas.edm());
        for (var spacing : DiscreteSigmas.Spacing.values()) {
            String name = spacing.name().toLowerCase();
            assertThat(SamplerAssembly.discretization(sampling("sampling.discretisation={type: discrete, spacing: " + name + "}")).sigmas(10))
                    .as(name).containsExactly(new DiscreteSigmas(DiscreteVpSchedule.ddpm(), spacing).sigmas(10));
        }
    }

    @Test
    void moreStepsThanTheDiscreteScheduleHasIsAConfigError() {
        var s = sampling("sampling.discretisation={type: discrete, spacing: leading}", "sampling.steps=1001");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SamplerAssembly.generator((x, sigma, cond) -> x, s, new long[] {1, 2, 2}, 0))
                .isInstanceOf(io.github.diffusion4j.config.ConfigException.class).hasMessageContaining("sampling.steps");
    }
}
