package io.github.diffusion4j.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.schedule.KarrasSigmas;
import io.github.diffusion4j.testing.GaussianDenoiser;
import java.util.stream.LongStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * For Gaussian data the probability-flow ODE has the exact solution
 * x(σ) = μ + V diag(√((λ+σ²)/(λ+σ₀²))) Vᵀ (x(σ₀) − μ), so a deterministic solver's global error is
 * measured without statistical noise. Doubling the steps must divide Euler's error by about 2
 * (first order) and Heun's and DPM-Solver++(2M)'s by about 4 (second order).
 */
class ConvergenceOrderTest {
    static final GaussianDenoiser G = GaussianDenoiser.example3d();

    @BeforeAll
    static void init() {
        Engine.init();
    }

    static double error(Sampler sampler, int steps) {
        try (PointerScope scope = new PointerScope()) {
            KarrasSigmas grid = KarrasSigmas.edm();
            double[] sigmas = grid.sigmas(steps);
            SeededNoise noise = new SeededNoise(LongStream.range(0, 200).toArray());
            Tensor x0 = Start.PURE_NOISE.latent(noise, sigmas[0], new long[] {G.dim()});
            double[] start = Tensors.toDoubles(x0);
            double[] got = Tensors.toDoubles(sampler.sample(G, x0, sigmas, Conditioning.NONE, noise, StepListener.NONE));
            double[] exact = G.flow(start, sigmas[0], 0.0);
            double max = 0;
            for (int i = 0; i < got.length; i++) {
                max = Math.max(max, Math.abs(got[i] - exact[i]));
            }
            return max;
        }
    }

    static double[] ratios(Sampler sampler, int... steps) {
        double[] r = new double[steps.length - 1];
        double prev = error(sampler, steps[0]);
        StringBuilder log = new StringBuilder(sampler + ":");
        for (int i = 1; i < steps.length; i++) {
            double e = error(sampler, steps[i]);
            r[i - 1] = prev / e;
            log.append(String.format(" N=%d err=%.3e ratio=%.3f;", steps[i], e, r[i - 1]));
            prev = e;
        }
        System.out.println(log);
        return r;
    }

    @Test
    void eulerIsFirstOrder() {
        for (double r : ratios(EdmSampler.euler(), 64, 128, 256, 512)) {
            assertThat(r).isBetween(1.7, 2.3);
        }
    }

    @Test
    void heunIsSecondOrder() {
        for (double r : ratios(EdmSampler.heun(), 32, 64, 128, 256)) {
            assertThat(r).isBetween(3.4, 4.6);
        }
    }

    @Test
    void dpmSolverPlusPlus2MIsSecondOrder() {
        for (double r : ratios(new DpmSolverPlusPlus2M(), 32, 64, 128, 256)) {
            assertThat(r).isBetween(3.2, 4.8);
        }
    }

    @Test
    void deterministicDdimIsFirstOrder() {
        for (double r : ratios(AncestralSampler.ddim(), 64, 128, 256, 512)) {
            assertThat(r).isBetween(1.7, 2.3);
        }
    }
}
