package io.github.diffusion4j.cascade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.assemble.SamplerAssembly;
import io.github.diffusion4j.config.AugmentationConfig;
import io.github.diffusion4j.config.CouplingConfig;
import io.github.diffusion4j.config.ExperimentConfig.SamplingConfig;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.config.SamplerConfig;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.io.InputException;
import io.github.diffusion4j.net.NoiseEmbeddingType;
import io.github.diffusion4j.net.UNet;
import io.github.diffusion4j.net.UNetConfig;
import io.github.diffusion4j.param.EdmPreconditioning;
import io.github.diffusion4j.param.PreconditionedF;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.sample.StepListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A two-stage 4 → 8 px cascade of tiny random U-Nets (CDM, Ho et al. 2021): hand-over, augmentation and per-seed results. */
class CascadeTest {
    static final int CLASSES = 3;
    static UNet base;
    static UNet sr;
    static final CouplingConfig.SuperResolution GAUSSIAN = new CouplingConfig.SuperResolution(4, "bilinear",
            new AugmentationConfig.Gaussian(1.0));

    @BeforeAll
    static void build() {
        Engine.init();
        base = new UNet(new UNetConfig(4, 1, 1, 8, new int[] {1}, 1, new int[0], 0.0, CLASSES, NoiseEmbeddingType.POSITIONAL), 1);
        base.reinitialiseZeroLayers(11);
        sr = new UNet(new UNetConfig(8, 1, 1, 8, new int[] {1, 1}, 1, new int[0], 0.0, CLASSES, NoiseEmbeddingType.POSITIONAL)
                .withConditioning(1, true), 2);
        sr.reinitialiseZeroLayers(12);
    }

    @AfterAll
    static void close() {
        base.close();
        sr.close();
    }

    static Generator generator(UNet net, int res, SamplerConfig sampler) {
        var s = new SamplingConfig(sampler, 6, 0.002, 80, SamplingConfig.DEFAULT.discretisation(), 1.0, 4,
                ExperimentConfig.SkipConfig.DEFAULT);
        return SamplerAssembly.generator(new PreconditionedDenoiser(net, new EdmPreconditioning(0.5), new PreconditionedF()), s,
                new long[] {1, res, res}, CLASSES);
    }

    static Cascade cascade(double level, boolean truncated, SamplerConfig sampler) {
        return new Cascade(List.of(new Cascade.Stage(generator(base, 4, sampler), null),
                new Cascade.Stage(generator(sr, 8, sampler), new SuperResolutionCoupling(GAUSSIAN, false))),
                new double[] {0, level}, truncated);
    }

    static double[] values(Tensor t) {
        return Tensors.toDoubles(t.to(ScalarType.Double));
    }

    @Test
    void nonTruncatedLevelZeroPassesThePreviousOutputThroughUnchanged() {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            long[] seeds = {0, 1, 2};
            List<Cascade.StageOutput> out = cascade(0, false, SamplerConfig.Heun.DEFAULT).sampleStages(seeds, StepListener.NONE);
            assertThat(values(out.get(1).input())).containsExactly(values(out.get(0).samples().images()));
            List<Cascade.StageOutput> noisy = cascade(0.5, false, SamplerConfig.Heun.DEFAULT).sampleStages(seeds, StepListener.NONE);
            assertThat(values(noisy.get(0).samples().images())).as("the base stage does not depend on the level")
                    .containsExactly(values(out.get(0).samples().images()));
            assertThat(values(noisy.get(1).input())).as("level 0.5 re-noises it").isNotEqualTo(values(out.get(0).samples().images()));
        }
    }

    @Test
    void truncatedHandsOverExactlyThePreviousSamplersStateAtSigma() {
        Generator g0 = generator(base, 4, SamplerConfig.Heun.DEFAULT);
        double level = g0.sigmas()[3];
        long[] seeds = {4, 5};
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            double[][] atLevel = new double[1][];
            g0.sample(seeds, (step, steps, sigma, next, x, denoised) -> {
                if (next == level) {
                    atLevel[0] = values(x);
                }
            });
            assertThat(atLevel[0]).isNotNull();
            List<Cascade.StageOutput> out = cascade(level, true, SamplerConfig.Heun.DEFAULT).sampleStages(seeds, StepListener.NONE);
            assertThat(values(out.get(1).input())).containsExactly(atLevel[0]);
            assertThat(values(out.get(0).samples().images())).containsExactly(atLevel[0]);
        }
        assertThat(Cascade.truncatedGrid(new double[] {80, 10, 1, 0.1, 0}, 1)).containsExactly(80, 10, 1);
        assertThat(Cascade.truncatedGrid(new double[] {80, 10, 1, 0.1, 0}, 2)).containsExactly(80, 10, 2);
    }

    @Test
    void theSrBackboneDependsOnTheConditioningImageAndTheAugmentationLevel() {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor x = new SeededNoise(1, 2).randn(1, 8, 8).to(ScalarType.Float);
            Tensor c = Tensors.fromDoubles(new double[] {0.3, -0.2}, 2).to(ScalarType.Float);
            Tensor img1 = new SeededNoise(3, 4).randn(1, 8, 8);
            Tensor img2 = new SeededNoise(5, 6).randn(1, 8, 8);
            Conditioning a = new Conditioning(new long[] {0, 1}, img1, new double[] {0.1, 0.1});
            double[] ref = values(sr.forward(x, c, a).get(0));
            assertThat(values(sr.forward(x, c, a).get(0))).containsExactly(ref);
            assertThat(values(sr.forward(x, c, a.withImage(img2)).get(0))).isNotEqualTo(ref);
            assertThat(values(sr.forward(x, c, a.withAugmentation(0.6, 0.6)).get(0))).isNotEqualTo(ref);
            assertThatThrownBy(() -> sr.forward(x, c, Conditioning.classes(0, 1).withAugmentation(0, 0))).hasMessageContaining("conditioning image");
            assertThatThrownBy(() -> sr.forward(x, c, Conditioning.classes(0, 1).withImage(img1))).hasMessageContaining("augmentation level");
        }
    }

    @Test
    void aSeedsFinalImageIsBitIdenticalAtBatchSizes138() {
        long[] seeds = {0, 1, 2, 3, 4, 5, 6, 7};
        for (boolean truncated : new boolean[] {false, true}) {
            Cascade c = cascade(0.4, truncated, SamplerConfig.EulerAncestral.DEFAULT);
            List<Map<Long, double[]>> byBatch = new ArrayList<>();
            try (NoGradGuard g = new NoGradGuard()) {
                for (int batch : new int[] {1, 3, 8}) {
                    Map<Long, double[]> images = new TreeMap<>();
                    c.generate(seeds, batch, StepListener.NONE, images::put);
                    byBatch.add(images);
                }
            }
            for (long s : seeds) {
                assertThat(byBatch.get(1).get(s)).as("seed %d, batch 3, truncated %s", s, truncated).containsExactly(byBatch.get(0).get(s));
                assertThat(byBatch.get(2).get(s)).as("seed %d, batch 8, truncated %s", s, truncated).containsExactly(byBatch.get(0).get(s));
            }
            assertThat(byBatch.get(0).get(0L)).isNotEqualTo(byBatch.get(0).get(1L));
        }
    }

    @Test
    void laterStagesDrawFromSaltedStreamsThatDependOnlyOnTheSeed() {
        long[] salted = Cascade.salted(new long[] {7, 7, 8}, Cascade.STAGE_STREAM + 1);
        assertThat(salted[0]).isEqualTo(salted[1]).isNotEqualTo(7L).isNotEqualTo(salted[2]);
        assertThat(Cascade.salted(new long[] {7}, Cascade.STAGE_STREAM + 2)[0]).isNotEqualTo(salted[0]);
    }

    @Test
    void aSweepReusingThePreviousStageGivesTheSameImagesAsAFreshChain() {
        long[] seeds = {0, 1, 2};
        Map<Long, double[]> cache = new HashMap<>();
        try (NoGradGuard g = new NoGradGuard()) {
            Cascade reusing = cascade(0.2, false, SamplerConfig.Heun.DEFAULT).reusing(cache);
            Map<Long, double[]> first = new TreeMap<>();
            reusing.generate(seeds, 3, StepListener.NONE, first::put);
            assertThat(cache).containsOnlyKeys(0L, 1L, 2L);
            Map<Long, double[]> again = new TreeMap<>();
            reusing.withLevels(0, 0.7).generate(seeds, 2, StepListener.NONE, again::put);
            Map<Long, double[]> fresh = new TreeMap<>();
            cascade(0.7, false, SamplerConfig.Heun.DEFAULT).generate(seeds, 3, StepListener.NONE, fresh::put);
            for (long s : seeds) {
                assertThat(again.get(s)).containsExactly(fresh.get(s));
                assertThat(again.get(s)).isNotEqualTo(first.get(s));
            }
        }
    }

    @Test
    void aLevelOutsideTheTrainedRangeIsRefusedNamingTheRange() {
        assertThatThrownBy(() -> cascade(1.5, false, SamplerConfig.Heun.DEFAULT)).isInstanceOf(InputException.class)
                .hasMessageContaining("[0.0, 1.0]").hasMessageContaining("stage 1");
        assertThatThrownBy(() -> cascade(-0.1, true, SamplerConfig.Heun.DEFAULT)).isInstanceOf(InputException.class);
    }
}
