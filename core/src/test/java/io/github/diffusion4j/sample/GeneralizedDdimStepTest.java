package io.github.diffusion4j.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.NoiseSource;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.param.EdmPreconditioning;
import io.github.diffusion4j.param.PreconditionedF;
import io.github.diffusion4j.schedule.KarrasSigmas;
import io.github.diffusion4j.testing.GaussianDenoiser;
import io.github.diffusion4j.testing.Linalg;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generalised DDIM step (Song et al. 2021, Eq. 12; Relay's blur_sampler, methods.md §3.4): with the
 * identity basis and α ≡ 1 it is today's DDIM(η) / Euler-ancestral bit for bit; in a rotated basis
 * with per-coefficient α it is Relay's γ form and moves a point of the forward process along its own ε.
 */
class GeneralizedDdimStepTest {
    @BeforeAll
    static void init() {
        Engine.init();
        PerSeedReproducibilityTest.init();
    }

    @AfterAll
    static void free() {
        PerSeedReproducibilityTest.free();
    }

    /** The step AncestralSampler took before it used GeneralizedDdimStep, kept here verbatim as the reference. */
    static Tensor referenceStep(Tensor x64, Tensor denoised, double sigma, double sigmaNext, double up, NoiseSource noise) {
        double down = Math.sqrt(Math.max(sigmaNext * sigmaNext - up * up, 0.0));
        Tensor eps = x64.sub(denoised).div(new Scalar(sigma));
        Tensor xNext = denoised.add(eps.mul(new Scalar(down)));
        if (up > 0) {
            long[] shape = xNext.shape();
            xNext = xNext.add(noise.randn(java.util.Arrays.copyOfRange(shape, 1, shape.length)).mul(new Scalar(up)));
        }
        return xNext;
    }

    /** AncestralSampler.sample as it was, without the scopes (they do not change the arithmetic). */
    static Tensor referenceSampler(double eta, Denoiser d, Tensor xStart, double[] sigmas, Conditioning cond, NoiseSource noise) {
        AncestralSampler a = new AncestralSampler(eta);
        Tensor x = xStart;
        for (int step = 0; step < sigmas.length - 1; step++) {
            double sigma = sigmas[step];
            double sigmaNext = sigmas[step + 1];
            Tensor x64 = x.to(ScalarType.Double);
            Tensor denoised = d.denoise(x64, sigma, cond);
            x = referenceStep(x64, denoised, sigma, sigmaNext, a.sigmaUp(sigma, sigmaNext), noise);
        }
        return x;
    }

    static double[] randoms(SplittableRandom r, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * r.nextGaussian();
        }
        return v;
    }

    @Test
    void identityStepIsTodaysDdimStepBitForBit() {
        for (long seed = 0; seed < 200; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double sigma = Math.exp(-6 + 11 * r.nextDouble());
            double sigmaNext = seed % 7 == 0 ? 0.0 : sigma * r.nextDouble();
            double eta = seed % 3 == 0 ? 0.0 : seed % 3 == 1 ? 1.0 : r.nextDouble();
            double up = new AncestralSampler(eta).sigmaUp(sigma, sigmaNext);
            try (PointerScope scope = new PointerScope()) {
                Tensor x = Tensors.fromDoubles(randoms(r, 4 * 6, sigma), 4, 1, 2, 3);
                Tensor denoised = Tensors.fromDoubles(randoms(r, 4 * 6, 1), 4, 1, 2, 3);
                double[] got = Tensors.toDoubles(GeneralizedDdimStep.EDM.apply(x, denoised, sigma, sigmaNext, up,
                        new SeededNoise(seed, seed + 1, seed + 2, seed + 3)));
                double[] want = Tensors.toDoubles(referenceStep(x, denoised, sigma, sigmaNext, up,
                        new SeededNoise(seed, seed + 1, seed + 2, seed + 3)));
                assertThat(got).as("seed %d: σ=%s σ'=%s η=%s", seed, sigma, sigmaNext, eta).isEqualTo(want);
            }
        }
    }

    @Test
    void ddimAndEulerAncestralAreTodaysSamplersBitForBit() {
        Denoiser conv = new PreconditionedDenoiser(PerSeedReproducibilityTest.convBackbone(), EdmPreconditioning.edm(),
                new PreconditionedF());
        Denoiser[] denoisers = {GaussianDenoiser.example3d(), conv, new ClassifierFreeGuidance(conv, 2.0)};
        long[][] shapes = {{3}, {1, 8, 8}, {1, 8, 8}};
        for (double eta : new double[] {0.0, 0.5, 1.0}) {
            for (int k = 0; k < denoisers.length; k++) {
                double[] sigmas = KarrasSigmas.edm().sigmas(6);
                Conditioning cond = k == 0 ? Conditioning.NONE : Conditioning.classes(0, 1, 2, 3, 4);
                try (PointerScope scope = new PointerScope()) {
                    SeededNoise a = new SeededNoise(5, 6, 7, 8, 9);
                    SeededNoise b = new SeededNoise(5, 6, 7, 8, 9);
                    Tensor startA = a.randn(shapes[k]).mul(new Scalar(sigmas[0]));
                    Tensor startB = b.randn(shapes[k]).mul(new Scalar(sigmas[0]));
                    double[] got = Tensors.toDoubles(new AncestralSampler(eta).sample(denoisers[k], startA, sigmas, cond, a,
                            StepListener.NONE));
                    double[] want = Tensors.toDoubles(referenceSampler(eta, denoisers[k], startB, sigmas, cond, b));
                    assertThat(got).as("η=%s denoiser %d", eta, k).isEqualTo(want);
                }
            }
        }
    }

    /** A rotation of the last dimension (3) as basis, with per-coefficient α(σ) = a_k + (1 − a_k)/(1 + σ²). */
    record RotatedBasis(Tensor r, double[] a) implements SignalBasis {
        static RotatedBasis random(SplittableRandom rnd) {
            double p = 2 * Math.PI * rnd.nextDouble(), q = 2 * Math.PI * rnd.nextDouble();
            double[][] rz = {{Math.cos(p), -Math.sin(p), 0}, {Math.sin(p), Math.cos(p), 0}, {0, 0, 1}};
            double[][] rx = {{1, 0, 0}, {0, Math.cos(q), -Math.sin(q)}, {0, Math.sin(q), Math.cos(q)}};
            double[][] m = Linalg.matmul(rz, rx);
            double[] flat = new double[9];
            for (int i = 0; i < 3; i++) {
                System.arraycopy(m[i], 0, flat, 3 * i, 3);
            }
            return new RotatedBasis(Tensors.fromDoubles(flat, 3, 3), new double[] {1.0, 0.3 * rnd.nextDouble(), 0.01});
        }

        double[] alphas(double sigma) {
            double[] out = new double[3];
            for (int k = 0; k < 3; k++) {
                out[k] = a[k] + (1 - a[k]) / (1 + sigma * sigma);
            }
            return out;
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.matmul(r.t());
        }

        @Override
        public Tensor inverse(Tensor u) {
            return u.matmul(r);
        }

        @Override
        public Tensor alpha(double sigma) {
            return Tensors.fromDoubles(alphas(sigma), 3);
        }
    }

    /**
     * x at σ from the forward process in the basis, u = α(σ)⊙u₀ + σε, and the true x₀ as x̂₀: the
     * deterministic step lands on α(σ')⊙u₀ + σ'ε (DDIM keeps ε, Song et al. 2021, Eq. 12), and the
     * stochastic one on Relay's γu + (α' − γα)û₀ plus σ_up n (methods.md §3.4).
     */
    @Test
    void inAScaledBasisTheStepKeepsEpsilonAndIsRelaysGammaForm() {
        for (long seed = 0; seed < 100; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double sigma = Math.exp(-4 + 7 * r.nextDouble());
            double sigmaNext = sigma * r.nextDouble();
            double s = r.nextDouble();
            try (PointerScope scope = new PointerScope()) {
                RotatedBasis basis = RotatedBasis.random(r);
                GeneralizedDdimStep step = new GeneralizedDdimStep(basis);
                Tensor u0 = Tensors.fromDoubles(randoms(r, 5 * 3, 1), 5, 3);
                Tensor eps = Tensors.fromDoubles(randoms(r, 5 * 3, 1), 5, 3);
                Tensor x0 = basis.inverse(u0);
                Tensor x = basis.inverse(u0.mul(basis.alpha(sigma)).add(eps.mul(new Scalar(sigma))));
                double[] deterministic = Tensors.toDoubles(basis.forward(step.apply(x, x0, sigma, sigmaNext, 0.0, null)));
                double[] expected = Tensors.toDoubles(u0.mul(basis.alpha(sigmaNext)).add(eps.mul(new Scalar(sigmaNext))));
                for (int i = 0; i < expected.length; i++) {
                    assertThat(deterministic[i]).as("seed %d, coefficient %d", seed, i)
                            .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-12 * (1 + sigma)));
                }

                double up = s * sigmaNext;
                double gamma = Math.sqrt(1 - s * s) * sigmaNext / sigma;
                double[] stochastic = Tensors.toDoubles(step.apply(x, x0, sigma, sigmaNext, up, new SeededNoise(1, 2, 3, 4, 5)));
                Tensor u = basis.forward(x);
                Tensor gammaForm = u.mul(new Scalar(gamma))
                        .add(u0.mul(basis.alpha(sigmaNext).sub(basis.alpha(sigma).mul(new Scalar(gamma)))));
                double[] relay = Tensors.toDoubles(basis.inverse(gammaForm)
                        .add(new SeededNoise(1, 2, 3, 4, 5).randn(3).mul(new Scalar(up))));
                for (int i = 0; i < relay.length; i++) {
                    assertThat(stochastic[i]).as("seed %d, element %d, s=%s", seed, i, s)
                            .isCloseTo(relay[i], org.assertj.core.data.Offset.offset(1e-12 * (1 + sigma)));
                }
            }
        }
    }
}
