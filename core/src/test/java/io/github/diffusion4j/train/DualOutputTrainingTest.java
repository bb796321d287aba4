package io.github.diffusion4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.assemble.NetworkAssembly;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.net.Network;
import io.github.diffusion4j.param.DualOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diffusion.parametrisation: dual} end to end: the U-Net gets a 2C+1-channel head, the trainer
 * needs no change, the three loss terms reach stats.jsonl, and the checkpoint samples through the
 * ordinary samplers (Benny &amp; Wolf 2022 under the discrete VP process, as the official code).
 */
class DualOutputTrainingTest {
    @Test
    void dualOutputTrainsWithTheOrdinaryTrainerAndLogsItsThreeTerms(@TempDir Path dir) throws Exception {
        Engine.init();
        ExperimentConfig cfg = ConfigLoader.load("mnist-unet", List.of("data.resolution=8", "model.classes=4", "training.batch=6",
                "model.baseChannels=8", "model.channelMult=[1, 2]", "model.attentionResolutions=[]", "training.logEvery=2",
                "training.checkpointEvery=1000", "training.minutes=0", "sampling.gridSeeds=4", "sampling.steps=2",
                "diffusion.parametrisation=dual", "diffusion.preconditioning=vp", "diffusion.noise=ddpm"));
        try (PointerScope scope = new PointerScope()) {
            Network net = NetworkAssembly.build(cfg);
            assertThat(net.spec().heads().get(0).channels()).isEqualTo(3);
            RunDirectory run = RunDirectory.create(dir, "dual");
            List<Double> losses = new ArrayList<>();
            try (Trainer t = Trainer.start(cfg, ResumeTest.data(), net, NetworkAssembly.build(cfg), run, new TrainListener() {
                @Override
                public void onStep(long step, long total, double loss, double rate) {
                    losses.add(loss);
                }
            })) {
                t.run(4, 0);
            }
            assertThat(losses).hasSize(4).allMatch(Double::isFinite);
            String stats = Files.readString(run.path().resolve("stats.jsonl"));
            assertThat(stats).contains("\"loss.x0\"", "\"loss.eps\"", "\"loss.mix\"");
            Checkpoint ck = Checkpoint.load(run.path());
            assertThat(ck.denoiser().parametrisation()).isInstanceOf(DualOutput.class);
            assertThat(run.path().resolve("samples-000000.png")).exists();
        }
    }
}
