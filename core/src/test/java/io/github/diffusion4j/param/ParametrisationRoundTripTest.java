package io.github.diffusion4j.param;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ε, x₀, v and EDM-F targets F* = (x₀ − c_skip x)/c_out invert x̂₀ = c_skip x + c_out F (Karras et al. 2022, Eq. 7; Ho et al. 2020; Salimans &amp; Ho 2022, Sec. 4). */
class ParametrisationRoundTripTest {
    /** 30 seeded groups (one σ_data each) of 10 rows (one σ each): 300 random cases per parametrisation. */
    static final int GROUPS = 30, BATCH = 10, PER = 8;
    static final long[] SHAPE = {BATCH, 2, 2, 2};

    @BeforeAll
    static void init() {
        Engine.init();
    }


    enum Pre { EDM, VP, VE }

    static Preconditioning preconditioning(Pre p, double sigmaData) {
        return switch (p) {
            case EDM -> new EdmPreconditioning(sigmaData);
            case VP -> new VpPreconditioning(LinearVpSchedule.edm(), 999);
            case VE -> new VePreconditioning();
        };
    }

    static final List<ScaledOutput> PARAMS =
            List.of(new EpsilonPrediction(), new SamplePrediction(), new VelocityPrediction(), new PreconditionedF());

    /**
     * For random x₀ ~ N(0, σ_d²), n ~ N(0, I), per-row σ log-uniform in [1e-4, 1e3] and
     * x = x₀ + σ n (formed here): D(F*) = x₀ to 1e-10 for every parametrisation under EDM, VP and VE
     * preconditioning, and each target equals its closed form.
     */
    @Test
    void targetThenDenoisedReproducesX0() {
        for (long seed = 0; seed < GROUPS; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double sd = logUniform(r, 0.1, 2);
            double[] sigma = new double[BATCH];
            double[] x0 = new double[BATCH * PER], n = new double[BATCH * PER], x = new double[BATCH * PER];
            for (int b = 0; b < BATCH; b++) {
                sigma[b] = logUniform(r, 1e-4, 1e3);
                for (int k = 0; k < PER; k++) {
                    int i = b * PER + k;
                    x0[i] = sd * r.nextGaussian();
                    n[i] = r.nextGaussian();
                    x[i] = x0[i] + sigma[b] * n[i];
                }
            }
            try (PointerScope scope = new PointerScope()) {
                Tensor tx0 = Tensors.fromDoubles(x0, SHAPE), tx = Tensors.fromDoubles(x, SHAPE);
                for (Pre p : Pre.values()) {
                    Preconditioning pre = preconditioning(p, sd);
                    double psd = pre.sigmaData();
                    for (ScaledOutput param : PARAMS) {
                        Scalings[] s = new Scalings[BATCH];
                        for (int b = 0; b < BATCH; b++) {
                            Scalings ps = pre.at(sigma[b]);
                            s[b] = param.resolve(sigma[b], ps, psd);
                            if (s[b].cIn() != ps.cIn() || s[b].cNoise() != ps.cNoise()) {
                                fail(String.format("seed %d row %d: %s under %s changed c_in or c_noise", seed, b, param, p));
                            }
                        }
                        double[] f = Tensors.toDoubles(param.target(tx0, tx, s));
                        double[] d = Tensors.toDoubles(param.denoised(List.of(Tensors.fromDoubles(f, SHAPE)), tx, s));
                        for (int i = 0; i < x0.length; i++) {
                            int b = i / PER;
                            if (!(Math.abs(d[i] - x0[i]) <= 1e-10)) {
                                fail(String.format("D(F*) = %s, want x₀ = %s at element %d; seed %d row %d: %s under %s, σ_d=%s, σ=%s",
                                        d[i], x0[i], i, seed, b, param, p, psd, sigma[b]));
                            }
                            double want = expectedTarget(param, p, psd, sigma[b], x0[i], n[i], x[i]);
                            if (!(Math.abs(f[i] - want) <= 1e-10 * Math.max(1, Math.abs(want)))) {
                                fail(String.format("F* = %s, want %s at element %d; seed %d row %d: %s under %s, σ_d=%s, σ=%s",
                                        f[i], want, i, seed, b, param, p, psd, sigma[b]));
                            }
                        }
                    }
                }
            }
        }
    }

    /** Closed-form targets, derived by hand from x = x₀ + σ n. */
    static double expectedTarget(ScaledOutput param, Pre p, double sd, double sigma, double x0, double n, double x) {
        if (param instanceof EpsilonPrediction) {
            return n; // (x₀ − x)/(−σ) = n
        }
        if (param instanceof SamplePrediction) {
            return x0; // c_skip = 0, c_out = 1
        }
        if (param instanceof VelocityPrediction) {
            if (sd == 1.0) {
                // Salimans & Ho: v = α n − σ_vp x₀ with α = 1/√(1+σ²), σ_vp = σ/√(1+σ²).
                double root = Math.sqrt(1 + sigma * sigma);
                return n / root - sigma / root * x0;
            }
            // x₀ − c_skip x = (σ² x₀ − σ_d² σ n)/(σ²+σ_d²); dividing by c_out = −σσ_d/√(σ²+σ_d²)
            // gives (σ_d² n − σ x₀)/(σ_d √(σ²+σ_d²)).
            return (sd * sd * n - sigma * x0) / (sd * Math.sqrt(sigma * sigma + sd * sd));
        }
        return switch (p) {
            case EDM -> {
                double cSkip = sd * sd / (sigma * sigma + sd * sd);
                double cOut = sigma * sd / Math.sqrt(sigma * sigma + sd * sd);
                yield (x0 - cSkip * x) / cOut;
            }
            case VP -> n; // c_skip = 1, c_out = −σ
            case VE -> -n; // c_skip = 1, c_out = σ
        };
    }

    /** ε's target is exactly the noise, x₀'s target exactly x₀, and v's target (σ_d = 1) α n − σ_vp x₀, at hand values. */
    @Test
    void handValuesAtSigmaOne() {
        try (PointerScope scope = new PointerScope()) {
            // σ = 1, x₀ = 0.6, n = −0.8 ⇒ x = −0.2. v = (n − σ x₀)/√2 = (−0.8 − 0.6)/√2 = −1.4/√2.
            Tensor x0 = Tensors.fromDoubles(new double[] {0.6}, 1, 1);
            Tensor x = Tensors.fromDoubles(new double[] {-0.2}, 1, 1);
            VelocityPrediction v = new VelocityPrediction();
            Scalings[] sv = {v.resolve(1.0, new VePreconditioning().at(1.0), 1.0)};
            assertThat(Tensors.toDoubles(v.target(x0, x, sv))[0]).isCloseTo(-1.4 / Math.sqrt(2), org.assertj.core.data.Offset.offset(1e-15));
            EpsilonPrediction e = new EpsilonPrediction();
            Scalings[] se = {e.resolve(1.0, new VePreconditioning().at(1.0), 1.0)};
            assertThat(Tensors.toDoubles(e.target(x0, x, se))[0]).isCloseTo(-0.8, org.assertj.core.data.Offset.offset(1e-15));
            // EDM F at σ = σ_d = 0.5: c_skip = ½, c_out = √2/4; x₀ = 0.6, n = −0.8 ⇒ x = 0.2;
            // F* = (0.6 − 0.1)/(√2/4) = 2/√2 = √2.
            Tensor xe = Tensors.fromDoubles(new double[] {0.2}, 1, 1);
            PreconditionedF f = new PreconditionedF();
            Scalings[] sf = {f.resolve(0.5, EdmPreconditioning.edm().at(0.5), 0.5)};
            assertThat(Tensors.toDoubles(f.target(x0, xe, sf))[0]).isCloseTo(Math.sqrt(2), org.assertj.core.data.Offset.offset(1e-15));
        }
    }
}
