package io.github.diffusion4j.param;

import static io.github.diffusion4j.testing.Cases.assertRel;
import static io.github.diffusion4j.testing.Cases.logUniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.schedule.LinearVpSchedule;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Loss weights and per-sample losses: Min-SNR-γ (Hang et al. 2023), DDPM's ε-MSE (Ho et al. 2020, Eq. 14) and EDM's λ(σ) (Karras et al. 2022, Eq. 8). */
class LossWeightingTest {
    static final int CASES = 300;
    /** Tensor tests: 30 seeded batches of 10 samples (one σ each), i.e. 300 per-sample cases. */
    static final int GROUPS = 30, BATCH = 10, PER = 3 * 4 * 4;
    static final long[] SHAPE = {BATCH, 3, 4, 4};

    @BeforeAll
    static void init() {
        Engine.init();
    }



    /** λ = min(σ_d²/σ², γ) for γ ∈ [0.5, 20], σ_d ∈ [0.1, 2], σ ∈ [1e-4, 1e3], whatever c_out is. */
    @Test
    void minSnrIsTheClippedSnr() {
        for (long seed = 0; seed < CASES; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double gamma = 0.5 + 19.5 * r.nextDouble(), sd = logUniform(r, 0.1, 2), sigma = logUniform(r, 1e-4, 1e3);
            double snr = (sd / sigma) * (sd / sigma);
            double want = snr < gamma ? snr : gamma;
            double got = LossWeighting.minSnr(gamma).lambda(sigma, r.nextGaussian(), sd);
            assertRel(got, want, 1e-14, String.format("seed %d: γ=%s σ_d=%s σ=%s", seed, gamma, sd, sigma));
        }
        // Hand values: σ_d = 1, σ = 1 ⇒ SNR = 1 < 5; σ = 0.1 ⇒ SNR = 100 → clipped to 5.
        assertThat(LossWeighting.minSnr(5).lambda(1.0, -1.0, 1.0)).isEqualTo(1.0);
        assertThat(LossWeighting.minSnr(5).lambda(0.1, -0.1, 1.0)).isEqualTo(5.0);
    }

    record Batch(double[] x0, double[] n, double[] x, double[] head, double[] sigma, double sd) {}

    static Batch batch(SplittableRandom r) {
        double sd = logUniform(r, 0.1, 2);
        double[] sigma = new double[BATCH];
        double[] x0 = new double[BATCH * PER], n = new double[BATCH * PER], x = new double[BATCH * PER], h = new double[BATCH * PER];
        for (int b = 0; b < BATCH; b++) {
            sigma[b] = logUniform(r, 1e-4, 1e3);
            for (int k = 0; k < PER; k++) {
                int i = b * PER + k;
                x0[i] = sd * r.nextGaussian();
                n[i] = r.nextGaussian();
                x[i] = x0[i] + sigma[b] * n[i];
                h[i] = r.nextGaussian();
            }
        }
        return new Batch(x0, n, x, h, sigma, sd);
    }

    static double[] loss(ScaledOutput param, Preconditioning pre, Batch bt, LossWeighting w, ScalarType headType) {
        try (PointerScope scope = new PointerScope()) {
            Parametrisation.TrainingExample ex = new Parametrisation.TrainingExample(Tensors.fromDoubles(bt.x0(), SHAPE),
                    Tensors.fromDoubles(bt.n(), SHAPE), bt.sigma(), Tensors.fromDoubles(bt.x(), SHAPE), bt.sd());
            Scalings[] s = new Scalings[BATCH];
            for (int b = 0; b < BATCH; b++) {
                s[b] = param.resolve(bt.sigma()[b], pre.at(bt.sigma()[b]), bt.sd());
            }
            Tensor out = param.loss(List.of(Tensors.fromDoubles(bt.head(), SHAPE).to(headType)), ex, s, w).perSample();
            assertThat(out.shape()).containsExactly(BATCH);
            return Tensors.toDoubles(out);
        }
    }

    /** mean over the sample's elements of (a_i − b_i)², by hand. */
    static double meanSq(double[] a, double[] b, int sample) {
        double acc = 0;
        for (int k = 0; k < PER; k++) {
            double d = a[sample * PER + k] - b[sample * PER + k];
            acc += d * d;
        }
        return acc / PER;
    }

    /** ε-prediction with NATURAL weighting is DDPM's per-sample mean((ε̂ − n)²). */
    @Test
    void epsilonNaturalLossIsTheEpsilonMse() {
        for (long seed = 0; seed < GROUPS; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            Batch bt = batch(r);
            double[] got = loss(new EpsilonPrediction(), new EdmPreconditioning(bt.sd()), bt, LossWeighting.NATURAL, ScalarType.Double);
            for (int b = 0; b < BATCH; b++) {
                assertRel(got[b], meanSq(bt.head(), bt.n(), b), 1e-9, "seed " + seed + " sample " + b + " σ=" + bt.sigma()[b]);
            }
        }
    }

    /** The same in float32 heads (the loss is computed in the heads' dtype): within float32 rounding. */
    @Test
    void epsilonNaturalLossInFloat32() {
        for (long seed = 0; seed < GROUPS; seed++) {
            Batch bt = batch(new SplittableRandom(seed));
            double[] got = loss(new EpsilonPrediction(), new EdmPreconditioning(bt.sd()), bt, LossWeighting.NATURAL, ScalarType.Float);
            for (int b = 0; b < BATCH; b++) {
                assertRel(got[b], meanSq(bt.head(), bt.n(), b), 1e-5, "seed " + seed + " sample " + b);
            }
        }
    }

    /** ε-prediction with Min-SNR-γ and σ_d = 1 weighs the ε-MSE by min(SNR, γ)/SNR (Hang et al. 2023, ε form). */
    @Test
    void epsilonMinSnrLoss() {
        for (long seed = 0; seed < GROUPS; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            Batch b0 = batch(r);
            Batch bt = new Batch(b0.x0(), b0.n(), b0.x(), b0.head(), b0.sigma(), 1.0);
            double gamma = 0.5 + 19.5 * r.nextDouble();
            double[] got = loss(new EpsilonPrediction(), new VpPreconditioning(LinearVpSchedule.edm(), 999), bt,
                    LossWeighting.minSnr(gamma), ScalarType.Double);
            for (int b = 0; b < BATCH; b++) {
                double snr = 1 / (bt.sigma()[b] * bt.sigma()[b]);
                double weight = Math.min(snr, gamma) / snr;
                assertRel(got[b], weight * meanSq(bt.head(), bt.n(), b), 1e-9, "seed " + seed + " γ=" + gamma + " sample " + b);
            }
        }
    }

    /**
     * EDM's F with NATURAL weighting: the per-sample loss equals λ(σ)·mean((D − x₀)²) with
     * λ = (σ²+σ_d²)/(σσ_d)² and D = c_skip x + c_out F, all by hand (Eq. 8).
     */
    @Test
    void edmNaturalLossIsLambdaTimesDenoiserError() {
        for (long seed = 0; seed < GROUPS; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            Batch bt = batch(r);
            double sd = bt.sd();
            double[] got = loss(new PreconditionedF(), new EdmPreconditioning(sd), bt, LossWeighting.NATURAL, ScalarType.Double);
            for (int b = 0; b < BATCH; b++) {
                double s = bt.sigma()[b];
                double cSkip = sd * sd / (s * s + sd * sd), cOut = s * sd / Math.sqrt(s * s + sd * sd);
                double lambda = (s * s + sd * sd) / (s * sd * s * sd);
                double[] dn = new double[BATCH * PER];
                for (int k = 0; k < PER; k++) {
                    int i = b * PER + k;
                    dn[i] = cSkip * bt.x()[i] + cOut * bt.head()[i];
                }
                assertRel(got[b], lambda * meanSq(dn, bt.x0(), b), 1e-9, "seed " + seed + " sample " + b + " σ=" + s);
            }
        }
    }

    /** v-prediction with NATURAL weighting (σ_d = 1) is the v-MSE against α n − σ_vp x₀ (Salimans &amp; Ho 2022). */
    @Test
    void velocityNaturalLossIsTheVMse() {
        for (long seed = 0; seed < GROUPS; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            Batch b0 = batch(r);
            Batch bt = new Batch(b0.x0(), b0.n(), b0.x(), b0.head(), b0.sigma(), 1.0);
            double[] got = loss(new VelocityPrediction(), new VpPreconditioning(LinearVpSchedule.edm(), 999), bt,
                    LossWeighting.NATURAL, ScalarType.Double);
            for (int b = 0; b < BATCH; b++) {
                double s = bt.sigma()[b], root = Math.sqrt(1 + s * s);
                double[] v = new double[BATCH * PER];
                for (int k = 0; k < PER; k++) {
                    int i = b * PER + k;
                    v[i] = bt.n()[i] / root - s / root * bt.x0()[i];
                }
                assertRel(got[b], meanSq(bt.head(), v, b), 1e-9, "seed " + seed + " sample " + b + " σ=" + s);
            }
        }
    }
}
