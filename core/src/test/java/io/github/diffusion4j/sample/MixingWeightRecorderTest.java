package io.github.diffusion4j.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.diffusion4j.denoise.Backbone;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.param.DualOutput;
import io.github.diffusion4j.param.EdmPreconditioning;
import io.github.diffusion4j.param.PreconditionedF;
import io.github.diffusion4j.param.Scalings;
import io.github.diffusion4j.schedule.KarrasSigmas;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link MixingWeightRecorder}: the mean s = sigmoid(r) it reports per step is the mean of sigmoid(r)
 * computed by hand at the first evaluation of that step over the real rows only (Benny &amp; Wolf 2022,
 * Sec. 3), rows map to seeds whatever the batch, and samples stay bit-identical.
 */
class MixingWeightRecorderTest {
    static final long[] SHAPE = {1, 4, 4};
    static final EdmPreconditioning PRE = EdmPreconditioning.edm();
    static final int CLASSES = 3;

    @BeforeAll
    static void init() {
        Engine.init();
    }

    /** The logit r of the stand-in backbone: 2·x_in + 0.3·c_noise + 0.4·label (x_in = c_in x). */
    static double logit(double xIn, double cNoise, long label) {
        return 2 * xIn + 0.3 * cNoise + 0.4 * label;
    }

    /** A dual-output stand-in backbone (C = 1): x̂₀ = 0.9 tanh x_in, ε̂ = 0.5 x_in, r as {@link #logit}. */
    static Backbone standIn() {
        return (xIn, level, cond, exit) -> {
            long[] labels = cond.classLabels();
            double[] shift = new double[labels.length];
            for (int i = 0; i < labels.length; i++) {
                shift[i] = 0.4 * labels[i]; // the null class −1 too: the unconditional branch differs
            }
            Tensor noise = Tensors.broadcastable(level.cNoise(), xIn);
            Tensor r = xIn.mul(new Scalar(2.0)).add(noise.mul(new Scalar(0.3)))
                    .add(Tensors.broadcastable(Tensors.fromDoubles(shift, labels.length), xIn).to(xIn.scalar_type()));
            return List.of(Tensors.cat(1, torch.tanh(xIn).mul(new Scalar(0.9)), xIn.mul(new Scalar(0.5)), r));
        };
    }

    static PreconditionedDenoiser dual() {
        return new PreconditionedDenoiser(standIn(), PRE, new DualOutput(DualOutput.MixWeight.edm()));
    }

    static Generator generator(MixingWeightRecorder rec, double guidance, double[] sigmas) {
        return new Generator(guided(rec == null ? dual() : rec.denoiser(), guidance), EdmSampler.heun(), sigmas, SHAPE)
                .withClasses(CLASSES);
    }

    static Denoiser guided(Denoiser d, double w) {
        return w == 1.0 ? d : new ClassifierFreeGuidance(d, w);
    }

    @ParameterizedTest(name = "guidance {0}")
    @ValueSource(doubles = {1.0, 2.0})
    void meanPerStepIsTheHandMeanOfSigmoidROverRealRowsAtTheFirstEvaluation(double guidance) {
        double[] sigmas = new KarrasSigmas(0.02, 20, 7).sigmas(3);
        long[] seeds = LongStream.range(0, 11).toArray(); // one chunk of 8 and one of 3 padded to 8
        int plane = 16;
        try (PointerScope scope = new PointerScope()) {
            MixingWeightRecorder rec = new MixingWeightRecorder(dual(), 11, 0, 1, 2);
            List<double[]> xs = new ArrayList<>();
            xs.add(Tensors.toDoubles(Start.PURE_NOISE.latent(new SeededNoise(seeds), sigmas[0], SHAPE)));
            generator(rec, guidance, sigmas).sample(seeds, rec.listener((i, n, s, sn, x, d) -> xs.add(Tensors.toDoubles(x))));
            List<MixingWeightRecorder.StepMean> means = rec.means();
            assertThat(means).hasSize(3);
            assertThat(rec.rows()).isEqualTo(11);
            for (int i = 0; i < 3; i++) {
                Scalings sc = PRE.at(sigmas[i]);
                double total = 0;
                for (int row = 0; row < seeds.length; row++) {
                    double[] map = rec.map(row, i);
                    for (int k = 0; k < plane; k++) {
                        double r = logit(sc.cIn() * xs.get(i)[row * plane + k], sc.cNoise(), seeds[row] % CLASSES);
                        double s = 1 / (1 + Math.exp(-r));
                        total += s;
                        assertThat(map[k]).as("step %d row %d pixel %d", i, row, k).isCloseTo(s, within(1e-6));
                    }
                }
                assertThat(means.get(i).step()).isEqualTo(i);
                assertThat(means.get(i).sigma()).isEqualTo(sigmas[i]);
                assertThat(means.get(i).mean()).as("step %d", i).isCloseTo(total / (seeds.length * plane), within(1e-7));
            }
        }
    }

    @Test
    void paddedRowsAreIgnoredAndRowsMapToSeedsAtAnyBatch() {
        double[] sigmas = new KarrasSigmas(0.02, 20, 7).sigmas(4);
        long[] seeds = LongStream.range(5, 16).toArray();
        try (PointerScope scope = new PointerScope()) {
            Map<Integer, MixingWeightRecorder> byBatch = new HashMap<>();
            for (int batch : new int[] {1, 3, 8, 11}) {
                MixingWeightRecorder rec = new MixingWeightRecorder(dual(), 6, 0, 3);
                generator(rec, 1.0, sigmas).generate(seeds, batch, rec.listener(StepListener.NONE), (seed, values) -> {});
                byBatch.put(batch, rec);
            }
            MixingWeightRecorder one = byBatch.get(1);
            for (int batch : new int[] {3, 8, 11}) {
                MixingWeightRecorder rec = byBatch.get(batch);
                assertThat(rec.rows()).isEqualTo(11);
                for (int step : new int[] {0, 3}) {
                    for (int row = 0; row < 6; row++) {
                        assertThat(rec.map(row, step)).as("batch %d step %d row %d", batch, step, row).isEqualTo(one.map(row, step));
                    }
                    assertThat(rec.map(6, step)).as("only the first 6 rows are kept").isNull();
                }
                assertThat(rec.map(0, 1)).as("step 1 is not a map step").isNull();
                for (int i = 0; i < 4; i++) {
                    assertThat(rec.means().get(i).mean()).as("batch %d step %d", batch, i).isEqualTo(one.means().get(i).mean());
                }
            }
            assertThat(one.map(0, 0)).as("different seeds differ").isNotEqualTo(one.map(1, 0));
        }
    }

    @ParameterizedTest(name = "guidance {0}")
    @ValueSource(doubles = {1.0, 2.0})
    void samplesAreBitIdenticalWithAndWithoutTheRecorder(double guidance) {
        double[] sigmas = new KarrasSigmas(0.02, 20, 7).sigmas(3);
        long[] seeds = LongStream.range(0, 11).toArray();
        Map<Long, double[]> plain = new HashMap<>();
        Map<Long, double[]> recorded = new HashMap<>();
        generator(null, guidance, sigmas).generate(seeds, 11, StepListener.NONE, plain::put);
        MixingWeightRecorder rec = new MixingWeightRecorder(dual(), 8, 0, 2);
        generator(rec, guidance, sigmas).generate(seeds, 11, rec.listener(StepListener.NONE), recorded::put);
        for (long seed : seeds) {
            assertThat(recorded.get(seed)).as("seed %d", seed).isEqualTo(plain.get(seed));
        }
        assertThat(rec.means()).hasSize(3);
    }

    @Test
    void aDenoiserThatIsNotDualOutputIsRefused() {
        PreconditionedDenoiser f = new PreconditionedDenoiser(standIn(), PRE, new PreconditionedF());
        assertThatThrownBy(() -> new MixingWeightRecorder(f, 8, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dual-output");
    }
}
