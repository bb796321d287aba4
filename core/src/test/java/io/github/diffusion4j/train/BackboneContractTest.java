package io.github.diffusion4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.assemble.DiffusionAssembly;
import io.github.diffusion4j.assemble.NetworkAssembly;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.net.DiT;
import io.github.diffusion4j.net.Lego;
import io.github.diffusion4j.net.Network;
import io.github.diffusion4j.sample.EdmSampler;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.sample.StepListener;
import io.github.diffusion4j.schedule.KarrasSigmas;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every config-built backbone other than the U-Net (which has its own tests) keeps:
 * bit-identical per-seed samples at any sampling batch, and a resumed training run bit-identical
 * to an uninterrupted one (the U-Net's {@code ResumeTest} on the real network).
 */
class BackboneContractTest {
    @BeforeAll
    static void init() {
        Engine.init();
    }

    /** Tiny backbones on 1×8×8 images with 4 classes (ResumeTest's data). */
    static Stream<Arguments> backbones() {
        return Stream.of(
                Arguments.of("dit", List.of("model.type=dit", "model.patch=2", "model.width=16", "model.depth=2", "model.heads=2",
                        "model.dropout=0.1")),
                Arguments.of("dit td-ln", List.of("model.type=dit", "model.patch=2", "model.width=16", "model.depth=2", "model.heads=2",
                        "model.dropout=0.1", "model.blockNorm=td")),
                Arguments.of("lego PG", List.of("model.type=lego",
                        "model.bricks=[{size: 4, patch: 2, depth: 1, width: 16, heads: 2}, {size: 8, patch: 2, depth: 1, width: 16, heads: 2}]",
                        "model.dropout=0.1")),
                Arguments.of("lego PG td-ln", List.of("model.type=lego",
                        "model.bricks=[{size: 4, patch: 2, depth: 1, width: 16, heads: 2}, {size: 8, patch: 2, depth: 1, width: 24, heads: 2}]",
                        "model.dropout=0.1", "model.blockNorm=td")));
    }

    static ExperimentConfig config(List<String> model) {
        List<String> o = new ArrayList<>(List.of("data.resolution=8", "model.classes=4", "training.batch=6",
                "training.warmupImages=20", "training.emaHalfLifeImages=30", "training.checkpointEvery=1000",
                "training.logEvery=4", "training.minutes=0", "data.flip=true", "sampling.gridSeeds=4", "sampling.steps=2"));
        o.addAll(1, model);
        return ConfigLoader.load("mnist-unet", o);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backbones")
    void sameSeedsGiveBitIdenticalSamplesAtAnyBatchSize(String name, List<String> model) {
        ExperimentConfig cfg = config(model);
        try (PointerScope scope = new PointerScope()) {
            Network net = NetworkAssembly.build(cfg);
            reinitialise(net);
            var setup = DiffusionAssembly.of(cfg.onlyStage());
            PreconditionedDenoiser d = PreconditionedDenoiser.checked(net, net.spec(), 1, setup.preconditioning(), setup.parametrisation());
            Generator g = new Generator(d, EdmSampler.heun(io.github.diffusion4j.sample.Churn.NONE), KarrasSigmas.edm().sigmas(3),
                    new long[] {1, 8, 8}).withClasses(4);
            long[] seeds = LongStream.range(0, 11).toArray();
            Map<Long, double[]> one = run(g, seeds, 1);
            Map<Long, double[]> seven = run(g, seeds, 7);
            for (long s : seeds) {
                assertThat(seven.get(s)).as("%s seed %d", name, s).isEqualTo(one.get(s));
            }
            assertThat(one.get(0L)).isNotEqualTo(one.get(1L));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backbones")
    void bf16AutocastGivesFloat32HeadsCloseToTheFloat32Ones(String name, List<String> model) {
        ExperimentConfig cfg = config(model);
        try (PointerScope scope = new PointerScope()) {
            Network net = NetworkAssembly.build(cfg);
            reinitialise(net);
            var x = new io.github.diffusion4j.engine.SeededNoise(new long[] {3, 4}).randn(1, 8, 8).to(org.bytedeco.pytorch.global.torch.ScalarType.Float);
            var level = new io.github.diffusion4j.denoise.NoiseLevel(io.github.diffusion4j.engine.Tensors.fromDoubles(new double[] {-0.5, 0.7}, 2)
                    .to(org.bytedeco.pytorch.global.torch.ScalarType.Float), new double[] {0.8, 5});
            var cond = io.github.diffusion4j.denoise.Conditioning.classes(1, 3);
            List<Tensor> fp32 = net.forward(x, level, cond, io.github.diffusion4j.denoise.Exit.ALL);
            List<Tensor> bf16 = new io.github.diffusion4j.denoise.AutocastBackbone(net).forward(x, level, cond,
                    io.github.diffusion4j.denoise.Exit.ALL);
            assertThat(bf16).hasSameSizeAs(fp32);
            for (int k = 0; k < fp32.size(); k++) {
                assertThat(bf16.get(k).scalar_type().intern()).isEqualTo(org.bytedeco.pytorch.global.torch.ScalarType.Float);
                double scale = fp32.get(k).abs().max().item_double();
                assertThat(bf16.get(k).sub(fp32.get(k)).abs().max().item_double()).as("%s head %d", name, k).isLessThan(0.05 * scale);
            }
        }
    }

    /** Redraws the zero-initialised layers, so that samples depend on every layer. */
    static void reinitialise(Network net) {
        if (net instanceof DiT d) {
            d.reinitialiseZeroLayers(5);
        } else if (net instanceof Lego l) {
            l.reinitialiseZeroLayers(5);
        } else {
            throw new IllegalStateException("no reinitialisation for " + net);
        }
    }

    static Map<Long, double[]> run(Generator g, long[] seeds, int batch) {
        Map<Long, double[]> out = new HashMap<>();
        g.generate(seeds, batch, StepListener.NONE, out::put);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backbones")
    void resumedRunIsBitIdenticalToAnUninterruptedOne(String name, List<String> model, @TempDir Path dir) throws Exception {
        ExperimentConfig cfg = config(model);
        int n = 4;
        try (PointerScope scope = new PointerScope()) {
            var data = ResumeTest.data();
            Trainer straight = Trainer.start(cfg, data, NetworkAssembly.build(cfg), NetworkAssembly.build(cfg),
                    RunDirectory.create(dir, "a"), TrainListener.NONE);
            straight.run(2 * n, 0);
            straight.close();
            RunDirectory runB = RunDirectory.create(dir, "b");
            Trainer first = Trainer.start(cfg, data, NetworkAssembly.build(cfg), NetworkAssembly.build(cfg), runB, TrainListener.NONE);
            first.run(n, 0);
            first.close();
            Trainer resumed = Trainer.resume(runB.latestState().orElseThrow(), cfg, data, NetworkAssembly.build(cfg),
                    NetworkAssembly.build(cfg), runB, TrainListener.NONE);
            resumed.run(2 * n, 0);
            resumed.close();
            ResumeTest.assertBitIdentical("weights", straight.parameters(), resumed.parameters());
            ResumeTest.assertBitIdentical("EMA", straight.emaParameters(), resumed.emaParameters());
            ResumeTest.assertBitIdentical("AdamW m", straight.optimizer().firstMoments(), resumed.optimizer().firstMoments());
            Map<String, Tensor> init = NetworkAssembly.build(cfg).namedParameters();
            String any = init.keySet().iterator().next();
            assertThat(straight.parameters().get(any).equal(init.get(any))).as("training moved the weights").isFalse();
        }
    }
}
