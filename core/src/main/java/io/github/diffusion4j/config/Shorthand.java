package io.github.diffusion4j.config;

import io.github.diffusion4j.config.ExperimentConfig.DataConfig;
import io.github.diffusion4j.config.ExperimentConfig.DiffusionConfig;
import io.github.diffusion4j.config.ExperimentConfig.EvaluationConfig;
import io.github.diffusion4j.config.ExperimentConfig.SamplingConfig;
import io.github.diffusion4j.config.ExperimentConfig.StageConfig;
import io.github.diffusion4j.config.ExperimentConfig.TrainingConfig;
import java.util.List;

/**
 * The one-stage shorthand of round 1: top-level {@code model}, {@code diffusion} and {@code sampling}
 * are the only stage, at {@code data.resolution}, with no coupling.
 */
record Shorthand(String name, DataConfig data, ModelConfig model, DiffusionConfig diffusion, TrainingConfig training,
        SamplingConfig sampling, EvaluationConfig evaluation) {
    static final Shorthand DEFAULT = new Shorthand(ExperimentConfig.DEFAULT.name(), DataConfig.DEFAULT,
            StageConfig.DEFAULT.model(), StageConfig.DEFAULT.diffusion(), TrainingConfig.DEFAULT, StageConfig.DEFAULT.sampling(),
            EvaluationConfig.DEFAULT);

    /** The keys of a stage that the shorthand writes at the top level. */
    static final List<String> STAGE_KEYS = List.of("model", "diffusion", "sampling");

    ExperimentConfig resolve() {
        return new ExperimentConfig(name, data,
                List.of(new StageConfig(data.resolution(), model, diffusion, sampling, CouplingConfig.None.DEFAULT)), training,
                evaluation);
    }

    /** {@code c} as a shorthand, or {@code null} when it needs the {@code stages} form. */
    static Shorthand of(ExperimentConfig c) {
        if (c.stages().size() != 1) {
            return null;
        }
        StageConfig s = c.stages().get(0);
        if (s.resolution() != c.data().resolution() || !(s.coupling() instanceof CouplingConfig.None)) {
            return null;
        }
        return new Shorthand(c.name(), c.data(), s.model(), s.diffusion(), c.training(), s.sampling(), c.evaluation());
    }
}
