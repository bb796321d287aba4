package io.github.diffusion4j.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.schedule.KarrasSigmas;
import io.github.diffusion4j.testing.GaussianDenoiser;
import io.github.diffusion4j.testing.MixtureDenoiser;
import io.github.diffusion4j.testing.SampleStats;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every sampler, driven by the closed-form ideal denoiser (no training), must reproduce the data
 * distribution: its mean and covariance within 5 standard errors (estimated from the same 10,000
 * samples) plus a small allowance for the discretisation error at the step count used, and for the
 * mixture the mode weights within 5 binomial standard errors.
 */
class GroundTruthSamplerTest {
    static final int N = 10_000;
    static final double SE = 5.0;
    /** Discretisation allowance: at the step counts below, the bias of every sampler on these problems is far smaller. */
    static final double BIAS = 0.01;

    @BeforeAll
    static void init() {
        Engine.init();
    }

    static Stream<Arguments> samplers() {
        return Stream.of(
                Arguments.of("heun", EdmSampler.heun(), 32),
                Arguments.of("euler", EdmSampler.euler(), 256),
                Arguments.of("heun+churn", EdmSampler.heun(new Churn(40, 0.05, 50, 1.003)), 64),
                Arguments.of("ddim(eta=0)", AncestralSampler.ddim(), 128),
                Arguments.of("ddim(eta=0.5)", new AncestralSampler(0.5), 256),
                Arguments.of("euler_a", AncestralSampler.eulerAncestral(), 256),
                Arguments.of("dpmpp_2m", new DpmSolverPlusPlus2M(), 32));
    }

    static double[] run(Sampler sampler, Denoiser d, int dim, int steps) {
        try (PointerScope scope = new PointerScope()) {
            double[] sigmas = KarrasSigmas.edm().sigmas(steps);
            SeededNoise noise = new SeededNoise(LongStream.range(0, N).toArray());
            Tensor x0 = Start.PURE_NOISE.latent(noise, sigmas[0], new long[] {dim});
            Tensor out = sampler.sample(d, x0, sigmas, Conditioning.NONE, noise, StepListener.NONE);
            return Tensors.toDoubles(out);
        }
    }

    @ParameterizedTest(name = "{0} on a 3-D Gaussian")
    @MethodSource("samplers")
    void reproducesGaussianMeanAndCovariance(String name, Sampler sampler, int steps) {
        GaussianDenoiser g = GaussianDenoiser.example3d();
        SampleStats st = SampleStats.of(run(sampler, g, g.dim(), steps), g.dim());
        assertMoments(name, st, g.mean(), g.covariance());
    }

    @ParameterizedTest(name = "{0} on a 2-D mixture")
    @MethodSource("samplers")
    void reproducesMixtureMomentsAndModeWeights(String name, Sampler sampler, int steps) {
        MixtureDenoiser m = MixtureDenoiser.example();
        double[] xs = run(sampler, m, 2, steps);
        assertMoments(name, SampleStats.of(xs, 2), m.mean(), m.covariance());
        int[] counts = new int[m.weights.length];
        for (int r = 0; r < N; r++) {
            counts[m.nearestMode(xs[2 * r], xs[2 * r + 1])]++;
        }
        for (int k = 0; k < counts.length; k++) {
            double w = m.weights[k];
            double tol = SE * Math.sqrt(w * (1 - w) / N);
            assertThat((double) counts[k] / N).as("%s: weight of mode %d", name, k).isCloseTo(w, org.assertj.core.data.Offset.offset(tol));
        }
    }

    static void assertMoments(String name, SampleStats st, double[] mean, double[][] cov) {
        for (int i = 0; i < mean.length; i++) {
            assertThat(st.mean()[i]).as("%s: mean[%d]", name, i)
                    .isCloseTo(mean[i], org.assertj.core.data.Offset.offset(SE * st.meanSe()[i] + BIAS));
            for (int j = 0; j < mean.length; j++) {
                assertThat(st.cov()[i][j]).as("%s: cov[%d][%d]", name, i, j)
                        .isCloseTo(cov[i][j], org.assertj.core.data.Offset.offset(SE * st.covSe()[i][j] + BIAS));
            }
        }
    }
}
