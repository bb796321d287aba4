package io.github.diffusion4j.sample;

import static io.github.diffusion4j.testing.Cases.logUniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.NoiseSource;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.schedule.KarrasSigmas;
import io.github.diffusion4j.testing.GaussianDenoiser;
import io.github.diffusion4j.testing.Linalg;
import io.github.diffusion4j.testing.MixtureDenoiser;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Deterministic DDIM is Euler on the probability-flow ODE in EDM units, and DDIM's σ_η (Song et al. 2021, Eq. 12, 16; Karras et al. 2022, Sec. 3 and Alg. 1). */
class SamplerIdentitiesTest {
    static final int CASES = 300;
    static final int ROWS = 4;

    @BeforeAll
    static void init() {
        Engine.init();
    }


    /** A deterministic sampler must never draw noise. */
    static final NoiseSource NO_NOISE = shape -> {
        throw new AssertionError("a deterministic sampler drew noise");
    };

    /** A random Gaussian ideal denoiser (rotated, anisotropic), or the 2-D mixture of the testing package. */
    static Denoiser randomDenoiser(SplittableRandom r, int[] dim) {
        if (r.nextInt(3) == 0) {
            dim[0] = 2;
            return MixtureDenoiser.example();
        }
        double a = 2 * Math.PI * r.nextDouble(), b = 2 * Math.PI * r.nextDouble();
        double[][] rz = {{Math.cos(a), -Math.sin(a), 0}, {Math.sin(a), Math.cos(a), 0}, {0, 0, 1}};
        double[][] rx = {{1, 0, 0}, {0, Math.cos(b), -Math.sin(b)}, {0, Math.sin(b), Math.cos(b)}};
        double[] mu = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
        double[] lambda = {logUniform(r, 1e-3, 10), logUniform(r, 1e-3, 10), logUniform(r, 1e-3, 10)};
        dim[0] = 3;
        return new GaussianDenoiser(mu, Linalg.matmul(rz, rx), lambda);
    }

    /** Runs {@code sampler} and returns x after every step (copied out, the listener must not keep tensors). */
    static List<double[]> trajectory(Sampler sampler, Denoiser d, double[] start, int dim, double[] sigmas) {
        List<double[]> xs = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            Tensor x0 = Tensors.fromDoubles(start, start.length / dim, dim);
            Tensor out = sampler.sample(d, x0, sigmas, Conditioning.NONE, NO_NOISE,
                    (step, steps, sigma, sigmaNext, x, denoised) -> xs.add(Tensors.toDoubles(x)));
            xs.add(Tensors.toDoubles(out));
        }
        return xs;
    }

    /**
     * Random Karras grids (σ_min ∈ [1e-3, 0.1], σ_max ∈ [1, 100], ρ ∈ [1, 10], 1–12 steps) and random
     * ideal denoisers: x' = x̂₀ + σ'(x − x̂₀)/σ (DDIM, η = 0) and x' = x + (σ' − σ)(x − x̂₀)/σ (Euler) are
     * the same step, so the two trajectories agree to rounding at every step.
     */
    @Test
    void deterministicDdimIsEuler() {
        for (long seed = 0; seed < CASES; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int[] dim = new int[1];
            Denoiser d = randomDenoiser(r, dim);
            double lo = logUniform(r, 1e-3, 0.1), hi = logUniform(r, 1, 100), rho = 1 + 9 * r.nextDouble();
            int steps = 1 + r.nextInt(12);
            double[] sigmas = new KarrasSigmas(lo, hi, rho).sigmas(steps);
            double[] start = new double[ROWS * dim[0]];
            for (int i = 0; i < start.length; i++) {
                start[i] = sigmas[0] * r.nextGaussian();
            }
            String where = String.format("seed %d: Karras(%s, %s, %s) N=%d dim=%d", seed, lo, hi, rho, steps, dim[0]);
            List<double[]> ddim = trajectory(AncestralSampler.ddim(), d, start, dim[0], sigmas);
            List<double[]> euler = trajectory(EdmSampler.euler(), d, start, dim[0], sigmas);
            assertThat(ddim).as(where).hasSize(steps + 1);
            assertThat(euler).as(where).hasSize(steps + 1);
            double tol = 1e-12 * (1 + sigmas[0]) * 10;
            for (int k = 0; k <= steps; k++) {
                for (int i = 0; i < start.length; i++) {
                    if (!(Math.abs(ddim.get(k)[i] - euler.get(k)[i]) <= tol)) {
                        fail(String.format("after step %d element %d: DDIM %s vs Euler %s, %s", k, i, ddim.get(k)[i],
                                euler.get(k)[i], where));
                    }
                }
            }
        }
    }

    /**
     * DDIM written by hand in VP units (Song et al. 2021, Eq. 12, η = 0) on a Gaussian:
     * x_vp = x/√(1+σ²), ε̂ = (x_vp − √ᾱ x̂₀)/√(1−ᾱ), x'_vp = √ᾱ' x̂₀ + √(1−ᾱ') ε̂, x' = x'_vp·√(1+σ'²).
     */
    @Test
    void ddimMatchesTheVpFormOfEquationTwelve() {
        GaussianDenoiser g = GaussianDenoiser.example3d();
        for (long seed = 0; seed < 30; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int steps = 1 + r.nextInt(12);
            double[] sigmas = new KarrasSigmas(logUniform(r, 1e-3, 0.1), logUniform(r, 1, 100), 1 + 9 * r.nextDouble()).sigmas(steps);
            double[] x = new double[ROWS * 3];
            for (int i = 0; i < x.length; i++) {
                x[i] = sigmas[0] * r.nextGaussian();
            }
            List<double[]> lib = trajectory(AncestralSampler.ddim(), g, x, 3, sigmas);
            for (int k = 0; k < steps; k++) {
                double s = sigmas[k], sn = sigmas[k + 1];
                double ab = 1 / (1 + s * s), abn = 1 / (1 + sn * sn);
                double[] x0hat;
                try (PointerScope scope = new PointerScope()) {
                    x0hat = Tensors.toDoubles(g.denoise(Tensors.fromDoubles(x, ROWS, 3), s, Conditioning.NONE));
                }
                double[] next = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    double xVp = x[i] * Math.sqrt(ab);
                    double eps = (xVp - Math.sqrt(ab) * x0hat[i]) / Math.sqrt(1 - ab);
                    double nextVp = Math.sqrt(abn) * x0hat[i] + Math.sqrt(1 - abn) * eps;
                    next[i] = nextVp / Math.sqrt(abn);
                }
                x = next;
                for (int i = 0; i < x.length; i++) {
                    if (!(Math.abs(lib.get(k)[i] - x[i]) <= 1e-9 * (1 + Math.abs(x[i])))) {
                        fail(String.format("seed %d step %d element %d: library %s, VP form %s", seed, k, i, lib.get(k)[i], x[i]));
                    }
                }
            }
        }
    }

    /**
     * σ_up = η·√(σ'²(σ²−σ'²)/σ²) by hand, and equal to DDIM's σ_η = η√((1−ᾱ')/(1−ᾱ))√(1−ᾱ/ᾱ')
     * (Eq. 16) divided by √ᾱ' with ᾱ = 1/(1+σ²); for η = 1, σ_up² + σ_down² = σ'².
     */
    @Test
    void sigmaUpIsDdimSigmaEtaInEdmUnits() {
        for (long seed = 0; seed < CASES; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double sigma = logUniform(r, 1e-3, 1e3);
            double next = seed % 10 == 0 ? 0.0 : sigma * r.nextDouble();
            double eta = seed % 2 == 0 ? 1.0 : r.nextDouble();
            String where = String.format("seed %d: σ=%s σ'=%s η=%s", seed, sigma, next, eta);
            double got = new AncestralSampler(eta).sigmaUp(sigma, next);
            double byHand = eta * Math.sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma));
            assertThat(Math.abs(got - byHand)).as("by hand, %s", where).isLessThanOrEqualTo(1e-13 * byHand);
            if (next == 0) {
                assertThat(got).as("no noise is added on the final step to σ' = 0, %s", where).isEqualTo(0.0);
                continue;
            }
            double ab = 1 / (1 + sigma * sigma), abn = 1 / (1 + next * next);
            double sigmaEta = eta * Math.sqrt((1 - abn) / (1 - ab)) * Math.sqrt(1 - ab / abn);
            // The VP form rounds where it forms 1 − ᾱ' (ᾱ' ≈ 1 for small σ') and 1 − ᾱ/ᾱ' (σ' ≈ σ):
            // its relative error is about 1e-16 over each of those, so the tolerance carries both terms.
            double vpRel = 1e-9 + 1e-15 / (1 - abn) + 1e-15 / Math.abs(1 - ab / abn);
            assertThat(Math.abs(got - sigmaEta / Math.sqrt(abn))).as("Eq. 16 in EDM units, %s", where)
                    .isLessThanOrEqualTo(vpRel * got);
            if (eta == 1.0) {
                double down2 = next * next - got * got;
                assertThat(Math.abs(down2 + got * got - next * next)).as("σ_up² + σ_down² = σ'², %s", where)
                        .isLessThanOrEqualTo(1e-12 * next * next);
                assertThat(down2).as("σ_down² = σ'⁴/σ², %s", where)
                        .isCloseTo(next * next * next * next / (sigma * sigma), org.assertj.core.data.Offset.offset(1e-9 * next * next));
            }
        }
        // Hand value: σ = 2, σ' = 1, η = 1: √(1·(4 − 1)/4) = √3/2.
        assertThat(AncestralSampler.eulerAncestral().sigmaUp(2, 1)).isCloseTo(Math.sqrt(3) / 2, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(AncestralSampler.ddim().sigmaUp(2, 1)).isEqualTo(0.0);
    }
}
