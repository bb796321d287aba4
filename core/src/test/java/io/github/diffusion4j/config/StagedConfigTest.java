package io.github.diffusion4j.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.config.ExperimentConfig.StageConfig;
import io.github.diffusion4j.sample.Samplers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Typed sections ({@code type:}), the {@code stages} list, defaults from the records and {@code --set} with indices. */
class StagedConfigTest {
    @TempDir
    Path dir;

    private static final String CASCADE = """
            name: cascade
            data:
              dataset: emoji
              resolution: 32
              channels: 3
            stages:
              - resolution: 16
                model:
                  type: unet
                  baseChannels: 64
                  channelMult: [1, 2]
                  attentionResolutions: [8]
                  classes: 10
                diffusion:
                  parametrisation: eps
              - model:
                  baseChannels: 32
                  channelMult: [1, 2, 2]
                  attentionResolutions: [8]
                sampling:
                  sampler: ddim
                  discretisation: {type: vp, epsilonS: 0.002}
            training:
              batch: 16
            """;

    private Path file(String yaml) throws Exception {
        return Files.writeString(dir.resolve("c.yaml"), yaml);
    }

    private ExperimentConfig cascade(String... sets) throws Exception {
        return ConfigLoader.load(file(CASCADE).toString(), List.of(sets));
    }

    @Test
    void aStagesListResolvesEachStageOverTheRecordDefaults() throws Exception {
        ExperimentConfig c = cascade();
        assertThat(c.stages()).hasSize(2);
        StageConfig base = c.stages().get(0);
        StageConfig sr = c.stages().get(1);
        assertThat(base.resolution()).isEqualTo(16);
        assertThat(sr.resolution()).as("0 = data.resolution").isEqualTo(32);
        assertThat(base.model()).isEqualTo(new ModelConfig.UNet(64, List.of(1, 2), 1, List.of(8), 0.0, 10, "positional", 0));
        assertThat(base.diffusion().parametrisation()).isEqualTo(new ParametrisationConfig.Epsilon());
        assertThat(base.sampling()).isEqualTo(ExperimentConfig.SamplingConfig.DEFAULT);
        assertThat(sr.sampling().sampler()).isEqualTo(new SamplerConfig.Ddim());
        assertThat(sr.sampling().discretisation()).isEqualTo(new DiscretisationConfig.Vp(19.9, 0.1, 0.002));
        assertThat(sr.coupling()).isEqualTo(new CouplingConfig.None());
        assertThat(c.training().batch()).as("shared training section").isEqualTo(16);
        assertThatThrownBy(c::model).isInstanceOf(ConfigException.class).hasMessageContaining("2 stages");
    }

    @Test
    void aTwoStageConfigRoundTripsThroughYaml() throws Exception {
        ExperimentConfig c = cascade();
        String yaml = ConfigLoader.toYaml(c);
        assertThat(yaml).contains("stages:").doesNotContain("\nmodel:");
        ExperimentConfig back = ConfigLoader.parse(yaml);
        assertThat(back).isEqualTo(c);
        assertThat(ConfigLoader.toYaml(back)).isEqualTo(yaml);
    }

    @Test
    void equalConfigsAreEqualAndAOneStageListEqualsTheShorthand() throws Exception {
        assertThat(ConfigLoader.load("mnist-unet", List.of())).isEqualTo(ConfigLoader.load("mnist-unet", List.of()))
                .hasSameHashCodeAs(ConfigLoader.load("mnist-unet", List.of()));
        ExperimentConfig staged = ConfigLoader.load(file("""
                name: experiment
                stages:
                  - model: {type: unet}
                """).toString(), List.of());
        ExperimentConfig shorthand = ConfigLoader.load(file("name: experiment\n").toString(), List.of());
        assertThat(staged).isEqualTo(shorthand);
        assertThat(ConfigLoader.toYaml(staged)).isEqualTo(ConfigLoader.toYaml(shorthand)).doesNotContain("stages");
    }

    @Test
    void defaultsComeFromTheRecords() throws Exception {
        ExperimentConfig c = ConfigLoader.load(file("name: experiment\n").toString(), List.of());
        assertThat(c.data()).isEqualTo(ExperimentConfig.DataConfig.DEFAULT);
        assertThat(c.training()).isEqualTo(ExperimentConfig.TrainingConfig.DEFAULT);
        assertThat(c.evaluation()).isEqualTo(ExperimentConfig.EvaluationConfig.DEFAULT);
        assertThat(c.onlyStage()).isEqualTo(StageConfig.DEFAULT.atResolution(ExperimentConfig.DataConfig.DEFAULT.resolution()));
    }

    @Test
    void aTypedSectionIsAMappingWithTypeOrTheTypeNameAlone() throws Exception {
        ExperimentConfig named = ConfigLoader.load("mnist-unet", List.of("diffusion.parametrisation=x0"));
        ExperimentConfig mapped = ConfigLoader.load("mnist-unet", List.of("diffusion.parametrisation={type: x0}"));
        assertThat(named).isEqualTo(mapped);
        assertThat(named.diffusion().parametrisation()).isEqualTo(new ParametrisationConfig.Sample());
        ExperimentConfig round1 = ConfigLoader.load("mnist-unet", List.of("sampling.sampler=euler", "sampling.sChurn=3"));
        ExperimentConfig typed = ConfigLoader.load("mnist-unet", List.of("sampling.sampler={type: euler, sChurn: 3}"));
        assertThat(round1).isEqualTo(typed);
        assertThat(typed.sampling().sampler()).isEqualTo(new SamplerConfig.Euler(3));
    }

    @Test
    void aNewTypeStartsFromThatTypesDefaults() {
        ExperimentConfig c = ConfigLoader.load("mnist-unet", List.of("sampling.sampler={type: heun, sChurn: 4}",
                "sampling.sampler=euler", "sampling.discretisation=loguniform"));
        assertThat(c.sampling().sampler()).as("the heun's churn does not carry over").isEqualTo(new SamplerConfig.Euler(0));
        assertThat(c.sampling().discretisation()).isEqualTo(new DiscretisationConfig.LogUniform());
        ExperimentConfig same = ConfigLoader.load("mnist-unet", List.of("model={baseChannels: 16}"));
        assertThat(((ModelConfig.UNet) same.model()).classes()).as("same type: keys merge").isEqualTo(10);
    }

    @Test
    void round1FlatSamplingKeysLandInTheirTypedSections() {
        ExperimentConfig c = ConfigLoader.load("mnist-unet", List.of("sampling.rho=5", "sampling.sChurn=2"));
        assertThat(c.sampling().discretisation()).isEqualTo(new DiscretisationConfig.Karras(5));
        assertThat(c.sampling().sampler()).isEqualTo(new SamplerConfig.Heun(2));
        assertThat(ConfigLoader.load("mnist-unet", List.of("sampling.sampler=dpmpp_2m", "sampling.sChurn=2")).sampling().sampler())
                .as("round 1 ignored sChurn for samplers without churn").isEqualTo(new SamplerConfig.DpmSolverPlusPlus2M());
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("sampling={discretisation: loguniform, rho: 7}")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config key 'sampling.rho' applies to no sampling.discretisation but karras; "
                        + "sampling.discretisation is 'loguniform'");
    }

    @Test
    void unknownKeysAreRejectedByNameWithASuggestionAtEveryLevel() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(file("nmae: x\n").toString(), List.of()))
                .isInstanceOf(ConfigException.class).hasMessage("unknown config key 'nmae' (did you mean 'name'?)");
        for (String type : ConfigTree.choices(ModelConfig.class).keySet()) {
            assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("model={type: " + type + ", seeed: 1}")))
                    .as(type).isInstanceOf(ConfigException.class)
                    .hasMessage("unknown config key 'model.seeed' (did you mean 'model.seed'?)");
        }
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("sampling.sampler.sChrun=1")))
                .hasMessage("unknown config key 'sampling.sampler.sChrun' (did you mean 'sampling.sampler.sChurn'?)");
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("sampling.discretisation.roh=1")))
                .hasMessage("unknown config key 'sampling.discretisation.roh' (did you mean 'sampling.discretisation.rho'?)");
        assertThatThrownBy(() -> cascade("stages[1].model.baseChanels=8"))
                .hasMessage("unknown config key 'stages[1].model.baseChanels' (did you mean 'stages[1].model.baseChannels'?)");
        assertThatThrownBy(() -> ConfigLoader.load(file(CASCADE.replace("      parametrisation: eps", "      parametrizaton: eps"))
                .toString(), List.of()))
                .hasMessage("unknown config key 'stages[0].diffusion.parametrizaton' (did you mean 'stages[0].diffusion.parametrisation'?)");
        assertThatThrownBy(() -> cascade("stages[0].resolutoin=8"))
                .hasMessage("unknown config key 'stages[0].resolutoin' (did you mean 'stages[0].resolution'?)");
    }

    @Test
    void anUnknownTypeIsNamedWithTheChoices() {
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("model.type=vit")))
                .hasMessage("config key 'model.type' must be one of [unet, dimr, dit, lego], got 'vit'");
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("diffusion.process=heat")))
                .hasMessage("config key 'diffusion.process' must be one of [additive, blur], got 'heat'");
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("sampling.sampler=3")))
                .hasMessage("config key 'sampling.sampler' must be a type name or a mapping");
    }

    @Test
    void stagesAndTheOneStageKeysDoNotMix() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(file(CASCADE + "model:\n  baseChannels: 8\n").toString(), List.of()))
                .hasMessage("config key 'model' cannot be used with 'stages': each stage holds its own model, diffusion, sampling");
        assertThatThrownBy(() -> cascade("sampling.steps=4")).hasMessageStartingWith("config key 'sampling' cannot be used with 'stages'");
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("stages[0].model.baseChannels=8")))
                .hasMessageStartingWith("config key 'stages' cannot be added to a config that uses the one-stage keys");
    }

    @Test
    void setAddressesListItems() throws Exception {
        ExperimentConfig c = cascade("stages[1].model.baseChannels=64", "stages[0].model.channelMult[1]=4",
                "stages[1].sampling.sampler=heun", "stages[0]={resolution: 8}");
        assertThat(((ModelConfig.UNet) c.stages().get(1).model()).baseChannels()).isEqualTo(64);
        assertThat(((ModelConfig.UNet) c.stages().get(0).model()).channelMult()).containsExactly(1, 4);
        assertThat(((ModelConfig.UNet) c.stages().get(0).model()).baseChannels()).as("item merged, not replaced").isEqualTo(64);
        assertThat(c.stages().get(0).resolution()).isEqualTo(8);
        assertThat(c.stages().get(1).sampling().sampler()).isEqualTo(SamplerConfig.Heun.DEFAULT);
        ExperimentConfig one = ConfigLoader.load("mnist-unet", List.of("model.channelMult[0]=2", "model.attentionResolutions[0]=14"));
        assertThat(((ModelConfig.UNet) one.model()).channelMult()).containsExactly(2, 2, 2);
        assertThat(((ModelConfig.UNet) one.model()).attentionResolutions()).containsExactly(14);
        assertThat(ConfigLoader.load("mnist-unet", List.of("sampling.sampler.type=ddim")).sampling().sampler())
                .isEqualTo(new SamplerConfig.Ddim());
        assertThat(cascade("stages[1].sampling.discretisation.type=karras").stages().get(1).sampling().discretisation())
                .isEqualTo(DiscretisationConfig.Karras.DEFAULT);
    }

    @Test
    void setWithABadIndexOrPathIsNamed() throws Exception {
        assertThatThrownBy(() -> cascade("stages[2].model.baseChannels=8"))
                .hasMessage("--set stages[2].model.baseChannels: config key 'stages' has 2 items, no index 2");
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("model.channelMult[3]=2")))
                .hasMessage("--set model.channelMult[3]: config key 'model.channelMult' has 3 items, no index 3");
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("model.baseChannels[0]=2")))
                .hasMessage("--set model.baseChannels[0]: config key 'model.baseChannels' is a value, not a mapping or a list");
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("model.channelMult[x]=2")))
                .hasMessageStartingWith("--set model.channelMult[x]: a key is dot-separated names");
        assertThatThrownBy(() -> ConfigLoader.load("mnist-unet", List.of("training.batch.size=2")))
                .hasMessage("--set training.batch.size: config key 'training.batch' is a value, not a mapping or a list");
    }

    @Test
    void stageValuesAreCheckedUnderTheStagesName() throws Exception {
        assertThatThrownBy(() -> cascade("stages[1].model.numResBlocks=0"))
                .hasMessage("config key 'stages[1].model.numResBlocks' must be > 0, got 0.0");
        assertThatThrownBy(() -> cascade("stages[0].resolution=15"))
                .hasMessage("config key 'stages[0].resolution': 15 is not divisible by 2^(levels-1) = 2 for "
                        + "stages[0].model.channelMult of length 2");
        assertThatThrownBy(() -> cascade("stages=[]")).hasMessage("config key 'stages' must list at least one stage");
        assertThatThrownBy(() -> cascade("stages[1].sampling.discretisation={type: discrete, spacing: middle}"))
                .hasMessage("config key 'stages[1].sampling.discretisation.spacing' must be one of [leading, trailing], got 'middle'");
    }

    @Test
    void theSamplerChoicesAreTheSamplersByName() {
        assertThat(List.copyOf(ConfigTree.choices(SamplerConfig.class).keySet())).isEqualTo(Samplers.NAMES);
    }
}
