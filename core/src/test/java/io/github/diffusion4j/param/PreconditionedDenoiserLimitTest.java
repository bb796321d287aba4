package io.github.diffusion4j.param;

import static io.github.diffusion4j.testing.Cases.logUniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.diffusion4j.denoise.Backbone;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Exit;
import io.github.diffusion4j.denoise.NoiseLevel;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.schedule.LinearVpSchedule;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** D(x; σ) = c_skip x + c_out F(c_in x; c_noise) with a bounded F, and D(x; σ) → x as σ → 0 (Karras et al. 2022, Eq. 7 and Table 1). */
class PreconditionedDenoiserLimitTest {
    static final long[] SHAPE = {10, 1, 2, 2};
    static final int PER = 4;

    @BeforeAll
    static void init() {
        Engine.init();
    }


    /** A backbone returning tanh(x_in) as its single head and remembering the c_noise it was given. */
    static final class TanhBackbone implements Backbone {
        double[] lastCNoise;

        @Override
        public List<org.bytedeco.pytorch.Tensor> forward(org.bytedeco.pytorch.Tensor xIn, NoiseLevel level, Conditioning cond,
                Exit exit) {
            lastCNoise = Tensors.toDoubles(level.cNoise());
            return List.of(xIn.tanh());
        }
    }

    /**
     * A preconditioning/parametrisation pair with its scalings written out by hand:
     * {cSkip, cOut, cIn} at σ for data scale σ_d.
     */
    record Combo(String name, Preconditioning pre, ScaledOutput param, double sd) {
        double[] hand(double s) {
            double sd2 = sd * sd, r = Math.sqrt(s * s + sd2);
            return switch (name) {
                case "EDM+F" -> new double[] {sd2 / (s * s + sd2), s * sd / r, 1 / r};
                case "EDM+eps" -> new double[] {1, -s, 1 / r};
                case "EDM+v" -> new double[] {sd2 / (s * s + sd2), -s * sd / r, 1 / r};
                case "VP+F", "VP+eps" -> new double[] {1, -s, 1 / Math.sqrt(s * s + 1)};
                case "VE+F" -> new double[] {1, s, 1};
                case "VE+eps" -> new double[] {1, -s, 1};
                default -> throw new IllegalStateException(name);
            };
        }

        /** lim_{σ→0} (D − x)/σ = (c_out/σ)(0)·tanh(c_in(0)·x). */
        double limit(double x) {
            double slope = switch (name) {
                case "EDM+F", "VE+F" -> 1;
                default -> -1;
            };
            double cIn0 = name.startsWith("EDM") ? 1 / sd : 1;
            return slope * Math.tanh(cIn0 * x);
        }
    }

    static List<Combo> combos(double sd) {
        Preconditioning edm = new EdmPreconditioning(sd);
        Preconditioning vp = new VpPreconditioning(LinearVpSchedule.edm(), 999);
        Preconditioning ve = new VePreconditioning();
        return List.of(new Combo("EDM+F", edm, new PreconditionedF(), sd), new Combo("EDM+eps", edm, new EpsilonPrediction(), sd),
                new Combo("EDM+v", edm, new VelocityPrediction(), sd), new Combo("VP+F", vp, new PreconditionedF(), 1),
                new Combo("VP+eps", vp, new EpsilonPrediction(), 1), new Combo("VE+F", ve, new PreconditionedF(), 1),
                new Combo("VE+eps", ve, new EpsilonPrediction(), 1));
    }

    /** 30 seeded groups (one σ_data each) of 10 rows: 300 random cases per preconditioning/parametrisation pair. */
    static final int GROUPS = 30, ROWS = 10;

    static double[] randomX(SplittableRandom r) {
        double[] x = new double[ROWS * PER];
        for (int i = 0; i < x.length; i++) {
            x[i] = 6 * r.nextDouble() - 3;
        }
        return x;
    }

    static double[] denoise(Combo c, TanhBackbone bb, ScalarType modelType, double[] x, double[] sigma) {
        try (PointerScope scope = new PointerScope()) {
            return Tensors.toDoubles(new PreconditionedDenoiser(bb, c.pre(), c.param(), modelType)
                    .denoise(Tensors.fromDoubles(x, SHAPE), Tensors.fromDoubles(sigma, ROWS), Conditioning.NONE));
        }
    }

    /**
     * With a float64 backbone, D equals c_skip x + c_out tanh(c_in x) from the hand scalings for
     * per-row σ log-uniform in [1e-4, 1e3], and the backbone is fed the hand c_noise.
     */
    @Test
    void denoiserIsTheHandFormula() {
        for (long seed = 0; seed < GROUPS; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double sd = logUniform(r, 0.1, 2);
            double[] sigma = new double[ROWS];
            for (int b = 0; b < ROWS; b++) {
                sigma[b] = logUniform(r, 1e-4, 1e3);
            }
            double[] x = randomX(r);
            for (Combo c : combos(sd)) {
                TanhBackbone bb = new TanhBackbone();
                double[] d = denoise(c, bb, ScalarType.Double, x, sigma);
                for (int i = 0; i < x.length; i++) {
                    int b = i / PER;
                    double[] h = c.hand(sigma[b]);
                    double want = h[0] * x[i] + h[1] * Math.tanh(h[2] * x[i]);
                    if (!(Math.abs(d[i] - want) <= 1e-12 * (1 + Math.abs(x[i]) + Math.abs(h[1])))) {
                        fail(String.format("D = %s, want %s at x=%s; seed %d row %d: %s σ_d=%s σ=%s", d[i], want, x[i],
                                seed, b, c.name(), c.sd(), sigma[b]));
                    }
                }
                for (int b = 0; b < ROWS; b++) {
                    double wantNoise = switch (c.name().substring(0, 2)) {
                        case "ED" -> Math.log(sigma[b]) / 4;
                        case "VE" -> Math.log(sigma[b]) - Math.log(2);
                        default -> c.pre().at(sigma[b]).cNoise(); // VP's c_noise is checked by hand in VpVePreconditioningTest
                    };
                    assertThat(Math.abs(bb.lastCNoise[b] - wantNoise))
                            .as("c_noise fed to the backbone, seed %d row %d: %s σ=%s", seed, b, c.name(), sigma[b])
                            .isLessThanOrEqualTo(1e-12 * Math.max(1, Math.abs(wantNoise)));
                }
            }
        }
    }

    /**
     * With the default float32 backbone at σ = 1e-6 and 1e-8 (alternating rows): |D − x| ≤ 1.01·σ, and
     * (D − x)/σ is within 1e-3 of its limit (c_out/σ)(0)·tanh(c_in(0) x) (the O(σ) terms are ≤ σ|x|/σ_d² ≤ 3e-4).
     */
    @Test
    void denoiserTendsToIdentityAsSigmaVanishes() {
        for (long seed = 0; seed < GROUPS; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double sd = logUniform(r, 0.1, 2);
            double[] x = randomX(r);
            double[] sigma = new double[ROWS];
            for (int b = 0; b < ROWS; b++) {
                sigma[b] = b % 2 == 0 ? 1e-6 : 1e-8;
            }
            for (Combo c : combos(sd)) {
                double[] d = denoise(c, new TanhBackbone(), ScalarType.Float, x, sigma);
                for (int i = 0; i < x.length; i++) {
                    int b = i / PER;
                    double dev = d[i] - x[i];
                    if (!(Math.abs(dev) <= 1.01 * sigma[b])) {
                        fail(String.format("|D − x| = %s > 1.01σ at x=%s; seed %d row %d: %s σ_d=%s σ=%s", Math.abs(dev), x[i],
                                seed, b, c.name(), c.sd(), sigma[b]));
                    }
                    if (!(Math.abs(dev / sigma[b] - c.limit(x[i])) <= 1e-3)) {
                        fail(String.format("(D − x)/σ = %s, limit %s at x=%s; seed %d row %d: %s σ_d=%s σ=%s", dev / sigma[b],
                                c.limit(x[i]), x[i], seed, b, c.name(), c.sd(), sigma[b]));
                    }
                }
            }
        }
    }
}
