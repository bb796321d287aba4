package io.github.diffusion4j.assemble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.config.ExperimentConfig.SamplingConfig;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.sample.AncestralSampler;
import io.github.diffusion4j.sample.Churn;
import io.github.diffusion4j.sample.ClassifierFreeGuidance;
import io.github.diffusion4j.sample.DpmSolverPlusPlus2M;
import io.github.diffusion4j.sample.EdmSampler;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.sample.Samplers;
import io.github.diffusion4j.schedule.KarrasSigmas;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SamplingConfig → sampler, σ grid, guidance and Generator, in the one place that assembles them. */
class SamplerAssemblyTest {
    static final Denoiser IDENTITY = (x, sigma, cond) -> x;

    @Test
    void everyNamedSamplerIsBuiltAsDocumented() {
        Churn churn = new Churn(5, 0, Double.POSITIVE_INFINITY, 1);
        assertThat(SamplerAssembly.sampler("heun", churn)).isEqualTo(new EdmSampler(true, churn));
        assertThat(SamplerAssembly.sampler("euler", churn)).isEqualTo(new EdmSampler(false, churn));
        assertThat(SamplerAssembly.sampler("ddim", churn)).isEqualTo(new AncestralSampler(0));
        assertThat(SamplerAssembly.sampler("euler_a", churn)).isEqualTo(new AncestralSampler(1));
        assertThat(SamplerAssembly.sampler("dpmpp_2m", churn)).isEqualTo(new DpmSolverPlusPlus2M());
        for (String name : Samplers.NAMES) {
            assertThat(SamplerAssembly.sampler(name, Churn.NONE)).as(name).isNotNull();
        }
        assertThatThrownBy(() -> SamplerAssembly.sampler("plms", Churn.NONE)).hasMessageContaining("unknown sampler 'plms'");
    }

    @Test
    void aConfigGivesItsKarrasGridChurnGuidanceShapeAndTheLabelRule() throws Exception {
        ExperimentConfig cfg = ConfigLoader.load("mnist-unet", List.of("sampling.sampler=euler", "sampling.steps=7",
                "sampling.sigmaMin=0.01", "sampling.sigmaMax=20", "sampling.rho=3", "sampling.sChurn=4", "sampling.guidance=2.5"));
        Generator g = SamplerAssembly.generator(IDENTITY, cfg);
        assertThat(g.sigmas()).containsExactly(new KarrasSigmas(0.01, 20, 3).sigmas(7));
        assertThat(g.sampler()).isEqualTo(new EdmSampler(false, new Churn(4, 0, Double.POSITIVE_INFINITY, 1)));
        assertThat(g.denoiser()).isEqualTo(new ClassifierFreeGuidance(IDENTITY, 2.5));
        assertThat(g.sampleShape()).containsExactly(cfg.data().channels(), cfg.data().resolution(), cfg.data().resolution());
        assertThat(g.classConditional()).isEqualTo(cfg.model().classes() > 0);
        assertThat(g.labelOf(23)).isEqualTo(23 % cfg.model().classes());

        SamplingConfig plain = SamplerAssembly.overridden(cfg.sampling(), "dpmpp_2m", 3, 1.0);
        Generator h = SamplerAssembly.generator(IDENTITY, plain, new long[] {1, 4, 4}, 0);
        assertThat(h.denoiser()).as("w = 1 is no guidance").isSameAs(IDENTITY);
        assertThat(h.sampler()).isEqualTo(new DpmSolverPlusPlus2M());
        assertThat(h.sigmas()).hasSize(4);
        assertThat(h.classConditional()).isFalse();
        assertThat(SamplerAssembly.overridden(cfg.sampling(), null, null, null)).isEqualTo(cfg.sampling());
        assertThat(SamplerAssembly.churn(ConfigLoader.load("mnist-unet", List.of()).sampling())).as("sChurn 0: no churn")
                .isEqualTo(Churn.NONE);
    }
}
