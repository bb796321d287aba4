package io.github.diffusion4j.assemble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.cascade.StageCoupling;
import io.github.diffusion4j.config.ConfigException;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.net.Network;
import io.github.diffusion4j.param.EdmPreconditioning;
import io.github.diffusion4j.param.EpsilonPrediction;
import io.github.diffusion4j.param.LossWeighting;
import io.github.diffusion4j.param.MultiHeadSupervision;
import io.github.diffusion4j.param.PreconditionedF;
import io.github.diffusion4j.param.SamplePrediction;
import io.github.diffusion4j.param.VePreconditioning;
import io.github.diffusion4j.param.VelocityPrediction;
import io.github.diffusion4j.param.VpPreconditioning;
import io.github.diffusion4j.process.AdditiveProcess;
import io.github.diffusion4j.schedule.LogNormalSigma;
import io.github.diffusion4j.schedule.UniformDiscreteT;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Config → objects: each name of the diffusion axes gives its object, and the network is sized by its stage. */
class AssemblyTest {
    private static DiffusionAssembly of(String... sets) {
        return DiffusionAssembly.of(ConfigLoader.load("mnist-unet", List.of(sets)).onlyStage());
    }

    @Test
    void theDefaultAxesAreEdms() {
        DiffusionAssembly d = of();
        assertThat(d.preconditioning()).isEqualTo(new EdmPreconditioning(0.5));
        assertThat(d.parametrisation()).isInstanceOf(PreconditionedF.class);
        assertThat(d.noise()).isEqualTo(new LogNormalSigma(-1.2, 1.2));
        assertThat(d.process()).isEqualTo(new AdditiveProcess());
        assertThat(d.weighting()).isSameAs(LossWeighting.NATURAL);
        assertThat(d.coupling()).isSameAs(StageCoupling.NONE);
    }

    @Test
    void eachNameGivesItsObject() {
        Map<String, Class<?>> params = Map.of("edm-f", PreconditionedF.class, "eps", EpsilonPrediction.class,
                "x0", SamplePrediction.class, "v", VelocityPrediction.class);
        params.forEach((name, type) -> assertThat(of("diffusion.parametrisation=" + name).parametrisation()).as(name).isInstanceOf(type));
        assertThat(of("diffusion.preconditioning=vp").preconditioning()).isInstanceOf(VpPreconditioning.class);
        assertThat(of("diffusion.preconditioning=ve").preconditioning()).isInstanceOf(VePreconditioning.class);
        assertThat(of("diffusion.noise=ddpm").noise()).isInstanceOf(UniformDiscreteT.class);
        assertThat(of("diffusion.weighting=min-snr").weighting()).isNotSameAs(LossWeighting.NATURAL);
    }

    @Test
    void supervisionWeightsWrapTheParametrisationAndMustMatchTheModelsHeads() {
        assertThat(of().parametrisation()).isInstanceOf(PreconditionedF.class);
        var one = of("diffusion.supervision.weights=[2.0]").parametrisation();
        assertThat(one).isInstanceOf(MultiHeadSupervision.class);
        assertThat(((MultiHeadSupervision) one).weights()).containsExactly(2.0);
        var e = ConfigLoader.load("mnist-unet", List.of("diffusion.parametrisation=eps")).diffusion();
        var c = new ExperimentConfig.DiffusionConfig(e.preconditioning(), e.sigmaData(), e.parametrisation(), e.noise(), e.pMean(),
                e.pStd(), e.weighting(), e.minSnrGamma(), e.process(), new ExperimentConfig.SupervisionConfig(List.of(0.25, 1.0), "mean"));
        var two = (MultiHeadSupervision) DiffusionAssembly.parametrisation(c, List.of(2, 1));
        assertThat(two.inner()).isInstanceOf(EpsilonPrediction.class);
        assertThat(two.downsample()).containsExactly(2, 1);
        assertThat(two.weights()).containsExactly(0.25, 1.0);
        assertThat(two.heads(3).get(0).downsample()).isEqualTo(2);
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("diffusion.supervision.weights=[0.25, 1]")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("diffusion.supervision.weights")
                .hasMessageContaining("returns 1 head");
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("diffusion.supervision.pooling=max")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("diffusion.supervision.pooling");
    }

    @Test
    void theNetworkIsBuiltAtTheStagesResolution() {
        Engine.init();
        ExperimentConfig cfg = ConfigLoader.load("mnist-unet", List.of("data.resolution=8", "model.baseChannels=8",
                "model.channelMult=[1, 2]", "model.attentionResolutions=[4]"));
        Network small = NetworkAssembly.build(cfg);
        Network again = NetworkAssembly.build(cfg.onlyStage(), cfg.data().channels());
        assertThat(small.spec()).isEqualTo(again.spec());
        assertThat(small.flopsPerSample()).isEqualTo(again.flopsPerSample());
        Network wider = NetworkAssembly.build(ConfigLoader.load("mnist-unet", List.of("data.resolution=8", "model.baseChannels=16",
                "model.channelMult=[1, 2]", "model.attentionResolutions=[4]")));
        assertThat(wider.flopsPerSample()).isGreaterThan(small.flopsPerSample());
    }
}
