package io.github.diffusion4j.denoise;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.net.Lego;
import io.github.diffusion4j.param.EdmPreconditioning;
import io.github.diffusion4j.param.MultiHeadSupervision;
import io.github.diffusion4j.param.PreconditionedF;
import io.github.diffusion4j.sample.ClassifierFreeGuidance;
import io.github.diffusion4j.sample.EdmSampler;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.sample.StepListener;
import io.github.diffusion4j.schedule.KarrasSigmas;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Skipping LEGO bricks at sampling (Zheng et al. 2024, Sec. 3.3): the rule per σ, real skipping under guidance, fraction 0 = no skip. */
class BrickSkippingTest {
    static Lego net;

    @BeforeAll
    static void init() {
        Engine.init();
        net = new Lego(new Lego.Shape(8, 1, 1, List.of(new Lego.Brick(4, 2, 1, 16, 2), new Lego.Brick(8, 2, 1, 16, 2)), 4.0, 0.0, 3), 1);
        net.reinitialiseZeroLayers(2);
    }

    @AfterAll
    static void free() {
        net.close();
    }

    /** Every backbone call: σ of its first row and the number of bricks it evaluated (heads returned). */
    record Call(double sigma, int bricks) {}

    static PreconditionedDenoiser recording(List<Call> calls) {
        Backbone b = (xIn, level, cond, exit) -> {
            List<Tensor> heads = net.forward(xIn, level, cond, exit);
            calls.add(new Call(level.sigma()[0], heads.size()));
            return heads;
        };
        return new PreconditionedDenoiser(b, EdmPreconditioning.edm(),
                new MultiHeadSupervision(new PreconditionedF(), List.of(1, 1), List.of(), MultiHeadSupervision.Pooling.SUM));
    }

    static Map<Long, double[]> sample(Denoiser d, double[] sigmas) {
        Generator g = new Generator(d, EdmSampler.heun(io.github.diffusion4j.sample.Churn.NONE), sigmas, new long[] {1, 8, 8}).withClasses(3);
        Map<Long, double[]> out = new HashMap<>();
        g.generate(new long[] {0, 1, 2}, 3, StepListener.NONE, out::put);
        return out;
    }

    @Test
    void lateAndEarlyModesSkipTheLastAndTheFirstStepsOfTheGrid() {
        double[] grid = KarrasSigmas.edm().sigmas(10);
        BrickSkipping late = new BrickSkipping(recording(new ArrayList<>()), grid, BrickSkipping.Mode.LATE, 0.4, 1);
        BrickSkipping early = new BrickSkipping(recording(new ArrayList<>()), grid, BrickSkipping.Mode.EARLY, 0.4, 1);
        assertThat(late.skippedSteps()).isEqualTo(4);
        Exit[] l = late.stepExits();
        Exit[] e = early.stepExits();
        for (int i = 0; i < 10; i++) {
            assertThat(l[i]).as("late, step %d", i).isEqualTo(i >= 6 ? Exit.after(0) : Exit.ALL);
            assertThat(e[i]).as("early, step %d", i).isEqualTo(i < 4 ? Exit.after(0) : Exit.ALL);
        }
        BrickSkipping none = new BrickSkipping(recording(new ArrayList<>()), grid, BrickSkipping.Mode.LATE, 0.0, 1);
        assertThat(none.stepExits()).containsOnly(Exit.ALL);
    }

    @Test
    void skippedStepsNeverEvaluateTheSkippedBrickAlsoUnderGuidance() {
        double[] grid = KarrasSigmas.edm().sigmas(6);
        try (PointerScope scope = new PointerScope()) {
            List<Call> calls = new ArrayList<>();
            BrickSkipping skip = new BrickSkipping(recording(calls), grid, BrickSkipping.Mode.LATE, 0.5, 1);
            sample(new ClassifierFreeGuidance(skip, 2.0), grid);
            double threshold = grid[6 - 3];
            int skipped = 0;
            for (Call c : calls) {
                assertThat(c.bricks()).as("call at σ = %s", c.sigma()).isEqualTo(c.sigma() <= threshold ? 1 : 2);
                skipped += c.bricks() == 1 ? 1 : 0;
            }
            // Heun, 6 steps: 11 evaluations, each twice (conditional and unconditional), one batch of 8 rows each.
            assertThat(calls).hasSize(22);
            // Steps 3-5 (5 evaluations: 3 first ones, corrections of steps 2-4) skip in both branches.
            assertThat(skipped).isEqualTo(2 * 6);
        }
    }

    @Test
    void skipFractionZeroGivesBitIdenticalSamplesToNoSkipping() {
        double[] grid = KarrasSigmas.edm().sigmas(5);
        try (PointerScope scope = new PointerScope()) {
            List<Call> a = new ArrayList<>(), b = new ArrayList<>();
            Map<Long, double[]> plain = sample(new ClassifierFreeGuidance(recording(a), 1.5), grid);
            Map<Long, double[]> zero = sample(new ClassifierFreeGuidance(
                    new BrickSkipping(recording(b), grid, BrickSkipping.Mode.LATE, 0.0, 1), 1.5), grid);
            for (long s : plain.keySet()) {
                assertThat(zero.get(s)).isEqualTo(plain.get(s));
            }
            Map<Long, double[]> some = sample(new ClassifierFreeGuidance(
                    new BrickSkipping(recording(new ArrayList<>()), grid, BrickSkipping.Mode.LATE, 0.4, 1), 1.5), grid);
            assertThat(some.get(0L)).as("skipping changes the sample").isNotEqualTo(plain.get(0L));
            assertThat(Arrays.stream(some.get(0L)).allMatch(Double::isFinite)).isTrue();
        }
    }

    /** The compute a skip schedule spends, as the meter counts it: full-stack evaluations plus the kept bricks' in skipped ones. */
    @Test
    void theMeterCountsTheFlopsOfTheBricksActuallyEvaluatedAlsoUnderGuidance() {
        double[] grid = KarrasSigmas.edm().sigmas(6);
        try (PointerScope scope = new PointerScope()) {
            PreconditionedDenoiser real = new PreconditionedDenoiser(net, EdmPreconditioning.edm(),
                    new MultiHeadSupervision(new PreconditionedF(), List.of(1, 1), List.of(), MultiHeadSupervision.Pooling.SUM));
            BrickSkipping skip = new BrickSkipping(real, grid, BrickSkipping.Mode.LATE, 0.5, 1);
            ComputeMeter meter = new ComputeMeter();
            sample(new ClassifierFreeGuidance(meter.around(skip, io.github.diffusion4j.assemble.SamplerAssembly.costAt(skip,
                    new long[] {1, 8, 8})), 2.0), grid);
            double full = net.flopsPerSample(8, 8, Exit.ALL);
            double first = net.flopsPerSample(8, 8, Exit.after(0));
            assertThat(first).isLessThan(full);
            // Heun, 6 steps, guidance: 22 evaluations per sample, 12 of them (both branches) skip the second brick
            assertThat(meter.perEvaluation() * 22).isCloseTo(10 * full + 12 * first, org.assertj.core.data.Offset.offset(1e-6 * full));
            assertThat(meter.rows()).as("22 calls of one padded batch of 8 rows").isEqualTo(22 * 8);
            ComputeMeter plain = new ComputeMeter();
            sample(new ClassifierFreeGuidance(plain.around(real, io.github.diffusion4j.assemble.SamplerAssembly.costAt(real,
                    new long[] {1, 8, 8})), 2.0), grid);
            assertThat(plain.perEvaluation()).isEqualTo(full);
            PreconditionedDenoiser bf16 = new PreconditionedDenoiser(new AutocastBackbone(net), EdmPreconditioning.edm(),
                    new MultiHeadSupervision(new PreconditionedF(), List.of(1, 1), List.of(), MultiHeadSupervision.Pooling.SUM));
            assertThat(io.github.diffusion4j.assemble.SamplerAssembly.costAt(bf16, new long[] {1, 8, 8}).applyAsDouble(1.0))
                    .as("a bf16 checkpoint's network (under autocast) costs what it costs in fp32").isEqualTo(full);
            assertThat(io.github.diffusion4j.assemble.SamplerAssembly.costAt(new BrickSkipping(bf16, grid, BrickSkipping.Mode.LATE, 0.5, 1),
                    new long[] {1, 8, 8}).applyAsDouble(grid[grid.length - 2])).as("also when skipping").isEqualTo(first);
        }
    }
}
