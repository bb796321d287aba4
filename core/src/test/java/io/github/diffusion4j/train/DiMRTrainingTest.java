package io.github.diffusion4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.assemble.NetworkAssembly;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.net.Network;
import io.github.diffusion4j.param.EpsilonPrediction;
import io.github.diffusion4j.param.MultiHeadSupervision;
import io.github.diffusion4j.param.PreconditionedF;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code model.type: dimr} end to end with the ordinary trainer (Liu et al. 2024): the multi-resolution
 * loss logs one term per branch, it trains under EDM's F and under ε-prediction with the discrete VP
 * noise (the paper's setup), the checkpoint samples through the full-resolution head, and resume is bit-exact.
 */
class DiMRTrainingTest {
    private static final String BRANCHES = "model.branches=[{block: transformer, downsample: 4, patch: 2, width: 16, hidden: 24,"
            + " depth: 2, heads: 2}, {block: convnext, downsample: 1, patch: 1, width: 8, hidden: 12, depth: 2, kernel: 3}]";

    static ExperimentConfig config(String... extra) {
        List<String> sets = new ArrayList<>(List.of("data.resolution=8", "model.type=dimr", "model.classes=4", BRANCHES,
                "model.cascadeWidth=4", "diffusion.supervision.weights=[0.25, 1]", "training.batch=6", "training.warmupImages=20",
                "training.emaHalfLifeImages=30", "training.checkpointEvery=1000", "training.logEvery=2", "training.minutes=0",
                "training.weightDecay=0.03", "data.flip=true", "sampling.gridSeeds=4", "sampling.steps=2"));
        sets.addAll(List.of(extra));
        return ConfigLoader.load("mnist-unet", sets);
    }

    @BeforeAll
    static void init() {
        Engine.init();
    }

    private static List<Double> train(ExperimentConfig cfg, RunDirectory run, int steps) throws Exception {
        List<Double> losses = new ArrayList<>();
        try (Trainer t = Trainer.start(cfg, ResumeTest.data(), NetworkAssembly.build(cfg), NetworkAssembly.build(cfg), run,
                new TrainListener() {
                    @Override
                    public void onStep(long step, long total, double loss, double rate) {
                        losses.add(loss);
                    }
                })) {
            t.run(steps, 0);
        }
        return losses;
    }

    @Test
    void trainsUnderEdmAndUnderEpsWithDiscreteVpAndSamplesFromTheFullResolutionHead(@TempDir Path dir) throws Exception {
        try (PointerScope scope = new PointerScope()) {
            for (String[] sets : new String[][] {{}, {"diffusion.parametrisation=eps", "diffusion.noise=ddpm", "diffusion.preconditioning=vp"}}) {
                ExperimentConfig cfg = config(sets);
                RunDirectory run = RunDirectory.create(dir, "dimr" + sets.length);
                List<Double> losses = train(cfg, run, 4);
                assertThat(losses).hasSize(4).allMatch(Double::isFinite);
                String stats = Files.readString(run.path().resolve("stats.jsonl"));
                assertThat(stats).contains("\"loss.head0\"", "\"loss.head1\"");
                Checkpoint ck = Checkpoint.load(run.path());
                MultiHeadSupervision p = (MultiHeadSupervision) ck.denoiser().parametrisation();
                assertThat(p.inner()).isInstanceOf(sets.length == 0 ? PreconditionedF.class : EpsilonPrediction.class);
                assertThat(p.downsample()).containsExactly(4, 1);
                try (var files = Files.list(run.path())) {
                    assertThat(files.map(f -> f.getFileName().toString())).anyMatch(f -> f.matches("samples-\\d+\\.png"));
                }
                org.bytedeco.pytorch.Tensor x = io.github.diffusion4j.engine.Tensors.fromDoubles(new double[2 * 64], 2, 1, 8, 8);
                org.bytedeco.pytorch.Tensor d = ck.denoiser().denoise(x, io.github.diffusion4j.engine.Tensors.fromDoubles(
                        new double[] {0.5, 5}, 2), io.github.diffusion4j.denoise.Conditioning.classes(1, 2));
                assertThat(io.github.diffusion4j.engine.Tensors.shape(d)).containsExactly(2, 1, 8, 8);
            }
        }
    }

    @Test
    void resumedRunIsBitIdenticalToAnUninterruptedOne(@TempDir Path dir) throws Exception {
        ExperimentConfig cfg = config();
        int n = 4;
        try (PointerScope scope = new PointerScope()) {
            Network a = NetworkAssembly.build(cfg), aEma = NetworkAssembly.build(cfg);
            Trainer straight = Trainer.start(cfg, ResumeTest.data(), a, aEma, RunDirectory.create(dir, "a"), TrainListener.NONE);
            straight.run(2 * n, 0);
            straight.close();
            RunDirectory runB = RunDirectory.create(dir, "b");
            Trainer first = Trainer.start(cfg, ResumeTest.data(), NetworkAssembly.build(cfg), NetworkAssembly.build(cfg), runB,
                    TrainListener.NONE);
            first.run(n, 0);
            first.close();
            ExperimentConfig other = config("model.seed=99"); // different init: everything must come from the file
            Trainer resumed = Trainer.resume(runB.latestState().orElseThrow(), cfg, ResumeTest.data(), NetworkAssembly.build(other),
                    NetworkAssembly.build(other), runB, TrainListener.NONE);
            resumed.run(2 * n, 0);
            resumed.close();
            ResumeTest.assertBitIdentical("weights", straight.parameters(), resumed.parameters());
            ResumeTest.assertBitIdentical("EMA", straight.emaParameters(), resumed.emaParameters());
            ResumeTest.assertBitIdentical("AdamW m", straight.optimizer().firstMoments(), resumed.optimizer().firstMoments());
            ResumeTest.assertBitIdentical("AdamW v", straight.optimizer().secondMoments(), resumed.optimizer().secondMoments());
            assertThat(straight.parameters().get("stages.1.output.norm.weight.param0").sub(
                    straight.parameters().get("stages.1.output.norm.weight.param1")).abs().max().item_double())
                    .as("training makes the TD-LN endpoints differ").isPositive();
        }
    }
}
