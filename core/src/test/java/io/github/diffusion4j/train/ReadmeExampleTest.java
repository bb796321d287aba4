package io.github.diffusion4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.assemble.NetworkAssembly;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.data.ImageDataset;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.sample.ClassifierFreeGuidance;
import io.github.diffusion4j.sample.EdmSampler;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.sample.StepListener;
import io.github.diffusion4j.schedule.KarrasSigmas;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Using the library from Java" example, line for line, on a tiny generated dataset instead of MNIST. */
class ReadmeExampleTest {
    @Test
    void readmeExampleRuns(@TempDir Path dir) throws Exception {
        Engine.init();
        ExperimentConfig cfg = ConfigLoader.load("mnist-unet", List.of("training.steps=3", "data.resolution=8",
                "model.classes=4", "model.baseChannels=8", "model.attentionResolutions=[2]", "training.batch=4",
                "sampling.gridSeeds=4", "sampling.steps=2"));
        ImageDataset data = ResumeTest.data(); // README: Datasets.resolve("mnist:train", 28, DataCache.defaultDir())
        RunDirectory run = RunDirectory.create(dir, cfg.name());
        try (Trainer trainer = Trainer.start(cfg, data, NetworkAssembly.build(cfg),
                NetworkAssembly.build(cfg), run, TrainListener.NONE)) {
            trainer.run(cfg.training().steps(), 0);
        }

        Checkpoint ck = Checkpoint.load(run.path());
        Generator gen = new Generator(new ClassifierFreeGuidance(ck.denoiser(), 2.0),
                EdmSampler.heun(), KarrasSigmas.edm().sigmas(18), new long[] {1, 8, 8}) // README: {1, 28, 28}
                .withLabels(seed -> 3); // README: seed -> 7
        List<Long> seen = new ArrayList<>();
        gen.generate(new long[] {0, 1, 2, 3}, 4, StepListener.NONE, (seed, pixels) -> seen.add(seed));
        assertThat(seen).containsExactly(0L, 1L, 2L, 3L);
    }
}
