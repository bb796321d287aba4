package io.github.diffusion4j.param;

import static io.github.diffusion4j.testing.Cases.expm1ByHand;
import static io.github.diffusion4j.testing.Cases.assertRel;
import static io.github.diffusion4j.testing.Cases.logUniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.diffusion4j.schedule.DiscreteVpSchedule;
import io.github.diffusion4j.schedule.LinearVpSchedule;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** VP and VE preconditioning (Karras et al. 2022, Table 1, "VP" and "VE" columns: c_skip, c_out, c_in, c_noise). */
class VpVePreconditioningTest {
    static final int CASES = 300;



    /** σ⁻¹(σ) of the linear VP-SDE by bisection on σ(t) = √(exp(½β_d t² + β_min t) − 1), t ∈ [0, 2]. */
    static double tByBisection(double sigma, double bd, double bm) {
        double lo = 0, hi = 2;
        for (int i = 0; i < 200 && hi - lo > 0; i++) {
            double mid = 0.5 * (lo + hi);
            if (mid == lo || mid == hi) {
                break;
            }
            if (Math.sqrt(expm1ByHand(0.5 * bd * mid * mid + bm * mid)) < sigma) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    /** σ log-uniform in [1e-4, 1e3]: c_skip = 1, c_out = −σ, c_in = 1/√(σ²+1), c_noise = 999·σ⁻¹(σ). */
    @Test
    void vpScalingsForTheContinuousLinearSchedule() {
        VpPreconditioning pre = new VpPreconditioning(LinearVpSchedule.edm(), 999);
        assertThat(pre.sigmaData()).isEqualTo(1.0);
        for (long seed = 0; seed < CASES; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double sigma = logUniform(r, 1e-4, 1e3);
            String where = "seed " + seed + ": σ=" + sigma;
            Scalings s = pre.at(sigma);
            assertThat(s.cSkip()).as("c_skip, %s", where).isEqualTo(1.0);
            assertThat(s.cOut()).as("c_out, %s", where).isEqualTo(-sigma);
            assertRel(s.cIn(), 1 / Math.sqrt(sigma * sigma + 1), 1e-14, "c_in, " + where);
            assertRel(s.cNoise(), 999 * tByBisection(sigma, 19.9, 0.1), 1e-9, "c_noise, " + where);
        }
    }

    /** EDM's VP end points: c_noise(σ(1)) = 999 and c_noise(σ(ε_s = 1e-3)) = 0.999, with σ(t) written out here. */
    @Test
    void vpNoiseConditioningAtTheEndPoints() {
        VpPreconditioning pre = new VpPreconditioning(LinearVpSchedule.edm(), 999);
        double sigmaMax = Math.sqrt(Math.exp(0.5 * 19.9 + 0.1) - 1); // ≈ 152.167
        double sigmaMin = Math.sqrt(expm1ByHand(0.5 * 19.9 * 1e-6 + 0.1 * 1e-3)); // ≈ 0.0104860
        assertRel(pre.at(sigmaMax).cNoise(), 999, 1e-12, "c_noise at σ_max");
        assertRel(pre.at(sigmaMin).cNoise(), 0.999, 1e-10, "c_noise at σ_min");
    }

    /** For a discrete schedule with time scale 1, c_noise at the hand-computed σ_j is the step index j. */
    @Test
    void vpNoiseConditioningOfADiscreteScheduleIsTheStepIndex() {
        VpPreconditioning pre = new VpPreconditioning(DiscreteVpSchedule.ddpm(), 1);
        double alphaBar = 1;
        for (int j = 0; j < 1000; j++) {
            alphaBar *= 1 - (1e-4 + j * (0.02 - 1e-4) / 999);
            double sigmaJ = Math.sqrt((1 - alphaBar) / alphaBar);
            double c = pre.at(sigmaJ).cNoise();
            if (!(Math.abs(c - j) <= 1e-9 * Math.max(j, 1))) {
                fail("step " + j + ": c_noise = " + c);
            }
        }
    }

    /** σ log-uniform in [1e-4, 1e3]: c_skip = 1, c_out = σ, c_in = 1, c_noise = ln(σ/2). */
    @Test
    void veScalings() {
        VePreconditioning pre = new VePreconditioning();
        assertThat(pre.sigmaData()).isEqualTo(1.0);
        for (long seed = 0; seed < CASES; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double sigma = logUniform(r, 1e-4, 1e3);
            String where = "seed " + seed + ": σ=" + sigma;
            Scalings s = pre.at(sigma);
            assertThat(s.cSkip()).as("c_skip, %s", where).isEqualTo(1.0);
            assertThat(s.cOut()).as("c_out, %s", where).isEqualTo(sigma);
            assertThat(s.cIn()).as("c_in, %s", where).isEqualTo(1.0);
            assertThat(Math.abs(s.cNoise() - (Math.log(sigma) - Math.log(2)))).as("c_noise = ln(σ/2), %s", where)
                    .isLessThanOrEqualTo(1e-14 * Math.max(1, Math.abs(Math.log(sigma))));
        }
    }
}
