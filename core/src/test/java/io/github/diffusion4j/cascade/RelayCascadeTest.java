package io.github.diffusion4j.cascade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.assemble.SamplerAssembly;
import io.github.diffusion4j.config.CouplingConfig;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.config.ExperimentConfig.SamplingConfig;
import io.github.diffusion4j.config.SamplerConfig;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.io.InputException;
import io.github.diffusion4j.net.NoiseEmbeddingType;
import io.github.diffusion4j.net.UNet;
import io.github.diffusion4j.net.UNetConfig;
import io.github.diffusion4j.nn.Resample;
import io.github.diffusion4j.param.EdmPreconditioning;
import io.github.diffusion4j.param.PreconditionedF;
import io.github.diffusion4j.process.BlurSchedule;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.sample.StepListener;
import io.github.diffusion4j.schedule.TruncatedLogNormalSigma;
import java.util.ArrayList;
import java.util.Arrays;
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

/**
 * A two-stage 4 → 8 px relay cascade of tiny random U-Nets (Relay Diffusion, Teng et al. 2024, Sec. 3.4):
 * the relay stage starts from the nearest-upsampled base sample on its grid truncated below σ_trunc and
 * is exactly the relay sampler run by hand from there; per-seed results at any batch size; refusals.
 */
class RelayCascadeTest {
    static final int CLASSES = 3;
    static final BlurSchedule TRAINED = new BlurSchedule(TruncatedLogNormalSigma.withFloor(-1.2, 1.2, 0.93, 0.0075), 3.0, 0.001, 2);
    static UNet base;
    static UNet relay;

    @BeforeAll
    static void build() {
        Engine.init();
        base = new UNet(new UNetConfig(4, 1, 1, 8, new int[] {1}, 1, new int[0], 0.0, CLASSES, NoiseEmbeddingType.POSITIONAL), 1);
        base.reinitialiseZeroLayers(21);
        relay = new UNet(new UNetConfig(8, 1, 1, 8, new int[] {1, 1}, 1, new int[0], 0.0, CLASSES, NoiseEmbeddingType.POSITIONAL), 2);
        relay.reinitialiseZeroLayers(22);
    }

    @AfterAll
    static void close() {
        base.close();
        relay.close();
    }

    static Generator generator(UNet net, int res, int steps) {
        var s = new SamplingConfig(SamplerConfig.Heun.DEFAULT, steps, 0.002, 80, SamplingConfig.DEFAULT.discretisation(), 1.0, 4,
                ExperimentConfig.SkipConfig.DEFAULT);
        return SamplerAssembly.generator(new PreconditionedDenoiser(net, new EdmPreconditioning(0.5), new PreconditionedF()), s,
                new long[] {1, res, res}, CLASSES);
    }

    static RelayCoupling coupling(double sBlock) {
        return new RelayCoupling(new CouplingConfig.Relay(4, 0.9, 0.93, 0.2, sBlock), TRAINED);
    }

    static Cascade cascade(double truncation, double sBlock) {
        return new Cascade(List.of(new Cascade.Stage(generator(base, 4, 5), null),
                new Cascade.Stage(generator(relay, 8, 12), coupling(sBlock))), new double[] {0, truncation}, false);
    }

    static double[] values(Tensor t) {
        return Tensors.toDoubles(t.to(ScalarType.Double));
    }

    @Test
    void theRelayStageIsTheRelaySamplerFromTheUpsampledBaseSampleOnTheTruncatedGrid() {
        long[] seeds = {0, 1, 2};
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            List<Cascade.StageOutput> out = cascade(0.9, 0.15).sampleStages(seeds, StepListener.NONE);
            Tensor low = out.get(0).samples().images();
            assertThat(low.size(2)).isEqualTo(4);
            Tensor up = Resample.nearestUp(2).forward(low);
            assertThat(values(out.get(1).input())).as("the hand-over is the nearest upsampling").containsExactly(values(up));
            // by hand: the 12-step grid without its levels >= 0.9, from up(z) + σ0(n + 0.15 ε_blk), relay sampler, salted streams
            Generator full = generator(relay, 8, 12);
            double[] grid = Arrays.stream(full.sigmas()).filter(s -> s > 0 && s < 0.9).toArray();
            grid = Arrays.copyOf(grid, grid.length + 1);
            assertThat(grid.length).isBetween(3, 12);
            RelayCoupling c = coupling(0.15);
            Generator byHand = new Generator(full.denoiser(), c.sampler(), grid, full.sampleShape(), full.labels());
            double[] expected = values(byHand.sample(seeds, new SeededNoise(Cascade.salted(seeds, Cascade.STAGE_STREAM + 1)),
                    c.start(up, grid[0]), null, StepListener.NONE).images());
            assertThat(values(out.get(1).samples().images())).containsExactly(expected);
            assertThat(c.grid(full.sigmas(), 0.9)).containsExactly(grid);
            // the relay point and the block noise change the result
            assertThat(values(cascade(0.5, 0.15).sample(seeds, StepListener.NONE).images())).isNotEqualTo(expected);
            assertThat(values(cascade(0.9, 0).sample(seeds, StepListener.NONE).images())).isNotEqualTo(expected);
        }
    }

    @Test
    void aSeedsFinalImageIsBitIdenticalAtBatchSizes138() {
        long[] seeds = {0, 1, 2, 3, 4, 5, 6, 7};
        Cascade c = cascade(0.9, 0.15);
        List<Map<Long, double[]>> byBatch = new ArrayList<>();
        try (NoGradGuard g = new NoGradGuard()) {
            for (int batch : new int[] {1, 3, 8}) {
                Map<Long, double[]> images = new TreeMap<>();
                c.generate(seeds, batch, StepListener.NONE, images::put);
                byBatch.add(images);
            }
        }
        for (long s : seeds) {
            assertThat(byBatch.get(1).get(s)).as("seed %d, batch 3", s).containsExactly(byBatch.get(0).get(s));
            assertThat(byBatch.get(2).get(s)).as("seed %d, batch 8", s).containsExactly(byBatch.get(0).get(s));
        }
        assertThat(byBatch.get(0).get(0L)).isNotEqualTo(byBatch.get(0).get(1L));
    }

    @Test
    void aTruncationSweepReusingTheBaseSamplesGivesTheSameImagesAsAFreshChain() {
        long[] seeds = {0, 1, 2};
        Map<Long, double[]> cache = new HashMap<>();
        try (NoGradGuard g = new NoGradGuard()) {
            Cascade reusing = cascade(0.9, 0.15).reusing(cache);
            reusing.generate(seeds, 3, StepListener.NONE, (s, v) -> { });
            Map<Long, double[]> again = new TreeMap<>();
            reusing.withLevels(0, 0.4).generate(seeds, 2, StepListener.NONE, again::put);
            Map<Long, double[]> fresh = new TreeMap<>();
            cascade(0.4, 0.15).generate(seeds, 3, StepListener.NONE, fresh::put);
            for (long s : seeds) {
                assertThat(again.get(s)).containsExactly(fresh.get(s));
            }
        }
    }

    @Test
    void aTruncationOutsideTheTrainedLevelsOrBelowTheGridIsRefused() {
        assertThatThrownBy(() -> cascade(2.0, 0.15)).isInstanceOf(InputException.class).hasMessageContaining("relay truncation σ 2.0")
                .hasMessageContaining(String.valueOf(TRAINED.levels().sigmaMax()));
        assertThatThrownBy(() -> cascade(0.001, 0.15)).isInstanceOf(InputException.class).hasMessageContaining("lies below the truncation σ = 0.001");
        assertThatThrownBy(() -> cascade(0, 0.15)).isInstanceOf(InputException.class);
    }
}
