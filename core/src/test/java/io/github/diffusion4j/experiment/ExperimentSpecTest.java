package io.github.diffusion4j.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.config.ConfigException;
import io.github.diffusion4j.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentSpecTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void init() {
        Engine.init();
    }

    private Path spec(String yaml) throws Exception {
        Path f = dir.resolve("spec.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static final String TINY_BASE = "base: mnist-unet\nset: [model.baseChannels=8, \"model.channelMult=[1, 2]\", model.numResBlocks=1,"
            + " \"model.attentionResolutions=[]\", training.batch=16]\n";

    @Test
    void absentKeysTakeTheDocumentedDefaults() throws Exception {
        ExperimentSpec s = ExperimentSpec.load(spec("name: e\nbase: mnist-unet\nbudget: {images: 100}\nvariants: [{name: a}]\n"));
        assertThat(s.budget().checkpoints()).isEqualTo(4);
        assertThat(s.evaluation().n()).isEqualTo(1000);
        assertThat(s.evaluation().guidance()).isEqualTo(1.0);
        assertThat(s.evaluation().duringTraining()).isEqualTo(500);
        assertThat(s.evaluation().points()).containsExactly(new ExperimentSpec.Point("heun", 18));
        assertThat(s.variants().get(0).set()).isEmpty();
    }

    @Test
    void pointsExpandEverySamplerOverItsSteps() throws Exception {
        ExperimentSpec s = ExperimentSpec.load(spec("name: e\nbase: mnist-unet\nbudget: {images: 100}\nvariants: [{name: a}]\n"
                + "evaluation:\n  samplers: [{sampler: ddim, steps: [5, 10]}, {sampler: heun, steps: [3]}]\n"));
        assertThat(s.evaluation().points()).extracting(ExperimentSpec.Point::key).containsExactly("ddim-5", "ddim-10", "heun-3");
    }

    @Test
    void badSpecsAreRefusedWithTheKeyNamed() throws Exception {
        String ok = "name: e\nbase: mnist-unet\nvariants: [{name: a}]\n";
        assertThatThrownBy(() -> ExperimentSpec.load(spec(ok))).isInstanceOf(ConfigException.class).hasMessageContaining("exactly one of 'images'");
        assertThatThrownBy(() -> ExperimentSpec.load(spec(ok + "budget: {images: 10, gflops: 5}\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("exactly one of");
        assertThatThrownBy(() -> ExperimentSpec.load(spec(ok + "budget: {images: 0}\n"))).hasMessageContaining("budget.images");
        assertThatThrownBy(() -> ExperimentSpec.load(spec(ok + "budget: {images: 10}\nbudgte: 1\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown experiment spec key 'budgte'");
        assertThatThrownBy(() -> ExperimentSpec.load(spec("name: e\nbase: mnist-unet\nbudget: {images: 10}\nvariants: [{name: a}, {name: a}]\n")))
                .hasMessageContaining("'a' is used twice");
        assertThatThrownBy(() -> ExperimentSpec.load(spec("name: e/../x\nbase: mnist-unet\nbudget: {images: 10}\nvariants: [{name: a}]\n")))
                .hasMessageContaining("key 'name'");
        assertThatThrownBy(() -> ExperimentSpec.load(spec(ok + "budget: {images: 10}\nevaluation: {samplers: [{sampler: plms, steps: [4]}]}\n")))
                .hasMessageContaining("evaluation.samplers[0].sampler");
        assertThatThrownBy(() -> ExperimentSpec.load(spec(ok + "budget: {images: 10}\nevaluation: {n: 1}\n")))
                .hasMessageContaining("evaluation.n");
        assertThatThrownBy(() -> ExperimentSpec.load(spec("name: e\nbudget: {images: 10}\nvariants: [{name: a}]\n")))
                .hasMessageContaining("key 'base'");
        assertThatThrownBy(() -> ExperimentSpec.load(dir.resolve("missing.yaml"))).hasMessageContaining("no such experiment spec file");
    }

    @Test
    void anImageBudgetBecomesWholeBatchesAndTheProtocolDrivesTheCheckpointCurve() throws Exception {
        Path f = spec("name: e\n" + TINY_BASE + "budget: {images: 100, checkpoints: 3}\n"
                + "variants: [{name: a}, {name: b, set: [model.baseChannels=16]}]\n"
                + "evaluation: {n: 50, duringTraining: 20, guidance: 2, samplers: [{sampler: dpmpp_2m, steps: [7, 9]}]}\n");
        List<VariantPlan> plans = VariantPlan.of(ExperimentSpec.load(f), dir);
        VariantPlan a = plans.get(0);
        assertThat(a.steps()).isEqualTo(7); // ceil(100 / 16)
        assertThat(a.images()).isEqualTo(112);
        assertThat(a.config().training().steps()).isEqualTo(7);
        assertThat(a.config().training().checkpointEvery()).isEqualTo(3); // ceil(7 / 3)
        assertThat(a.config().training().minutes()).isEqualTo(0.0);
        assertThat(a.config().evaluation().n()).isEqualTo(20);
        assertThat(a.config().sampling().sampler().type()).isEqualTo("dpmpp_2m");
        assertThat(a.config().sampling().steps()).isEqualTo(7);
        assertThat(a.config().sampling().guidance()).isEqualTo(2.0);
        assertThat(a.trainGflopPerImage()).isEqualTo(3 * a.forwardGflop());
        assertThat(plans.get(1).config().model()).extracting("baseChannels").isEqualTo(16);
        assertThat(plans.get(1).overrides()).containsExactly("model.baseChannels=16");
        assertThat(plans.get(1).forwardGflop()).isGreaterThan(2 * a.forwardGflop());
    }

    @Test
    void aComputeBudgetGivesCheaperModelsMoreImages() throws Exception {
        Path f = spec("name: e\n" + TINY_BASE + "budget: {gflops: 1000}\n"
                + "variants: [{name: a}, {name: b, set: [model.baseChannels=16]}]\n");
        List<VariantPlan> plans = VariantPlan.of(ExperimentSpec.load(f), dir);
        for (VariantPlan p : plans) {
            long images = (long) Math.ceil(1000 / p.trainGflopPerImage());
            assertThat(p.steps()).isEqualTo((images + 15) / 16);
        }
        assertThat(plans.get(0).images()).isGreaterThan(plans.get(1).images());
    }

    @Test
    void aVariantMayBeAWholeConfigFileReadBesideTheSpec() throws Exception {
        Files.writeString(dir.resolve("other.yaml"), "name: other\ndata: {dataset: \"mnist:train\", resolution: 28}\nmodel: {baseChannels: 8,"
                + " channelMult: [1, 2], numResBlocks: 1, attentionResolutions: []}\n");
        Path f = spec("name: e\n" + TINY_BASE + "budget: {images: 32}\nvariants: [{name: a}, {name: b, config: other.yaml}]\n");
        List<VariantPlan> plans = VariantPlan.of(ExperimentSpec.load(f), dir);
        assertThat(plans.get(1).source()).isEqualTo("other.yaml");
        assertThat(plans.get(1).config().training().batch()).isEqualTo(16); // the spec's common set applies on top
    }

    @Test
    void variantsOnDifferentDataAreRefused() throws Exception {
        Path f = spec("name: e\n" + TINY_BASE + "budget: {images: 32}\nvariants: [{name: a}, {name: b, set: [data.dataset=fashion-mnist]}]\n");
        assertThatThrownBy(() -> VariantPlan.of(ExperimentSpec.load(f), dir)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("one evaluation protocol needs one dataset");
    }

    /** A cascade's level settings are refused before any stage trains, naming the variant (issues 11, 12). */
    @Test
    void cascadeLevelsOutsideTheirRangesAreRefusedAtPlanTime() throws Exception {
        Files.writeString(dir.resolve("chain.yaml"), """
                name: chain
                data: {dataset: "emoji", resolution: 16, channels: 3}
                stages:
                  - resolution: 4
                    model: {type: unet, baseChannels: 8, channelMult: [1], numResBlocks: 1, attentionResolutions: []}
                  - resolution: 8
                    model: {type: unet, baseChannels: 8, channelMult: [1], numResBlocks: 1, attentionResolutions: []}
                    coupling: {type: sr, augmentation: {type: gaussian, max: 0.5}}
                  - resolution: 16
                    model: {type: unet, baseChannels: 8, channelMult: [1], numResBlocks: 1, attentionResolutions: []}
                    diffusion: {process: {type: blur, patch: 2}}
                    coupling: {type: relay}
                """);
        String head = "name: e\nbudget: {gflops: 1}\nvariants: [{name: c, config: chain.yaml, cascade: ";
        String tail = "}]\nevaluation: {samplers: [{sampler: heun, steps: [12]}]}\n";
        assertThat(VariantPlan.of(ExperimentSpec.load(spec(head + "{levels: [[0.3, 0.9]]}" + tail)), dir).get(0).stages()).hasSize(3);
        assertThatThrownBy(() -> VariantPlan.of(ExperimentSpec.load(spec(head + "{levels: [[0.8, 0.9]]}" + tail)), dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("variant 'c'").hasMessageContaining("[0, 0.5]");
        assertThatThrownBy(() -> VariantPlan.of(ExperimentSpec.load(spec(head + "{levels: [[0.3, 2.5]]}" + tail)), dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("relay truncation σ 2.5");
        assertThatThrownBy(() -> VariantPlan.of(ExperimentSpec.load(spec(head + "{levels: [[0.3, 0.001]]}" + tail)), dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("keeps no level");
        assertThatThrownBy(() -> VariantPlan.of(ExperimentSpec.load(spec(head + "{levels: [[0.3]]}" + tail)), dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("one level >= 0 per stage after the base (2)");
        org.assertj.core.api.Assertions.assertThatCode(() -> VariantPlan.of(ExperimentSpec.load(spec(head
                + "{levels: [[0.3, 0.9]], truncated: [false, true]}" + tail)), dir)).as("the SR stage follows the base").doesNotThrowAnyException();
    }
}
