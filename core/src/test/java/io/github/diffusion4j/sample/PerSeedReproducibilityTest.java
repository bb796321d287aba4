package io.github.diffusion4j.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.denoise.Backbone;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.param.EdmPreconditioning;
import io.github.diffusion4j.param.PreconditionedF;
import io.github.diffusion4j.schedule.KarrasSigmas;
import io.github.diffusion4j.testing.GaussianDenoiser;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Per-seed noise (EDM StackedRandomGenerator): the same seeds give bit-identical samples at batch sizes 1, 7 and 64. */
class PerSeedReproducibilityTest {
    static Tensor weight;

    @BeforeAll
    static void init() {
        Engine.init();
        double[] w = new double[4 * 1 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.sin(1.7 * i) * 0.3;
        }
        weight = Tensors.fromDoubles(w, 4, 1, 3, 3).to(torch.ScalarType.Float);
    }

    @AfterAll
    static void free() {
        weight.close();
    }

    /** A small conv backbone with a class-dependent shift, so the torch path is exercised too. */
    static Backbone convBackbone() {
        return (xIn, level, cond, exit) -> {
            Tensor cNoise = level.cNoise();
            long[] one = {1, 1};
            Tensor h = torch.conv2d(xIn, weight, new TensorOptional(), one, one, one, 1);
            Tensor out = torch.tanh(h.sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()))
                    .add(Tensors.broadcastable(cNoise, xIn).mul(new Scalar(0.1)));
            long[] labels = cond.classLabels();
            double[] shift = new double[labels.length];
            for (int i = 0; i < labels.length; i++) {
                shift[i] = 0.05 * labels[i];
            }
            return List.of(out.add(Tensors.broadcastable(Tensors.fromDoubles(shift, labels.length), xIn).to(out.scalar_type())));
        };
    }

    static Stream<Arguments> cases() {
        Denoiser gaussian = GaussianDenoiser.example3d();
        Denoiser conv = new PreconditionedDenoiser(convBackbone(), EdmPreconditioning.edm(), new PreconditionedF());
        Denoiser guided = new ClassifierFreeGuidance(conv, 2.0);
        return Stream.of(
                Arguments.of("gaussian, heun+churn", gaussian, EdmSampler.heun(new Churn(30, 0.01, 10, 1.007)), new long[] {3}),
                Arguments.of("gaussian, euler_a", gaussian, AncestralSampler.eulerAncestral(), new long[] {3}),
                Arguments.of("conv, heun+churn", conv, EdmSampler.heun(new Churn(30, 0.01, 10, 1.007)), new long[] {1, 8, 8}),
                Arguments.of("conv+guidance, ddim(0.5)", guided, new AncestralSampler(0.5), new long[] {1, 8, 8}),
                Arguments.of("conv, dpmpp_2m", conv, new DpmSolverPlusPlus2M(), new long[] {1, 8, 8}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameSeedsSameSamplesAtAnyBatchSize(String name, Denoiser d, Sampler s, long[] shape) {
        Generator g = new Generator(d, s, KarrasSigmas.edm().sigmas(8), shape);
        long[] seeds = LongStream.range(1000, 1064).toArray();
        Map<Long, double[]> reference = run(g, seeds, 1);
        for (int batch : new int[] {7, 64}) {
            Map<Long, double[]> other = run(g, seeds, batch);
            for (long seed : seeds) {
                assertThat(other.get(seed)).as("%s: seed %d at batch %d", name, seed, batch).isEqualTo(reference.get(seed));
            }
        }
        assertThat(reference.get(1000L)).as("different seeds differ").isNotEqualTo(reference.get(1001L));
    }

    static Map<Long, double[]> run(Generator g, long[] seeds, int batch) {
        Map<Long, double[]> out = new HashMap<>();
        g.withClasses(10).generate(seeds, batch, StepListener.NONE, out::put);
        return out;
    }
}
