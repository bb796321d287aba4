package io.github.diffusion4j.param;

import static io.github.diffusion4j.testing.Cases.assertRel;
import static io.github.diffusion4j.testing.Cases.logUniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** EDM preconditioning and loss weight (Karras et al. 2022, Eq. 7–8 and Table 1, "Network and preconditioning" / "λ(σ)"). */
class EdmPreconditioningPropertiesTest {
    static final int CASES = 300;



    /**
     * For σ_data log-uniform in [0.05, 5] and σ log-uniform in [1e-4, 1e3]:
     * c_skip + (c_out/σ_d)² = σ_d²/(σ²+σ_d²) + σ²/(σ²+σ_d²) = 1; c_in = 1/√(σ²+σ_d²); c_noise = ln(σ)/4;
     * c_skip and c_out as in Table 1.
     */
    @Test
    void scalingsMatchTableOne() {
        for (long seed = 0; seed < CASES; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double sd = logUniform(r, 0.05, 5), sigma = logUniform(r, 1e-4, 1e3);
            String where = String.format("seed %d: σ_d=%s σ=%s", seed, sd, sigma);
            Scalings s = new EdmPreconditioning(sd).at(sigma);
            double cOverSd = s.cOut() / sd;
            assertThat(Math.abs(s.cSkip() + cOverSd * cOverSd - 1)).as("c_skip + (c_out/σ_d)² = 1, %s", where)
                    .isLessThanOrEqualTo(1e-14);
            assertRel(s.cIn(), 1 / Math.sqrt(sigma * sigma + sd * sd), 1e-14, "c_in, " + where);
            assertThat(Math.abs(s.cNoise() - Math.log(sigma) / 4)).as("c_noise = ln(σ)/4, %s", where).isLessThanOrEqualTo(1e-14);
            assertRel(s.cSkip(), sd * sd / (sigma * sigma + sd * sd), 1e-14, "c_skip, " + where);
            assertRel(s.cOut(), sigma * sd / Math.sqrt(sigma * sigma + sd * sd), 1e-14, "c_out, " + where);
            assertThat(new EdmPreconditioning(sd).sigmaData()).isEqualTo(sd);
        }
    }

    /** Hand values at EDM's σ_d = 0.5, σ = 0.5: c_skip = 0.25/0.5 = ½, c_out = 0.25/√0.5 = √2/4, c_in = √2, c_noise = ln(0.5)/4. */
    @Test
    void handValuesAtSigmaEqualsSigmaData() {
        Scalings s = EdmPreconditioning.edm().at(0.5);
        assertRel(s.cSkip(), 0.5, 1e-15, "c_skip");
        assertRel(s.cOut(), Math.sqrt(2) / 4, 1e-15, "c_out");
        assertRel(s.cIn(), Math.sqrt(2), 1e-15, "c_in");
        assertRel(s.cNoise(), -0.25 * Math.log(2), 1e-15, "c_noise");
    }

    /** λ = 1/c_out² (LossWeighting.NATURAL with PreconditionedF) equals EDM's λ(σ) = (σ²+σ_d²)/(σσ_d)². */
    @Test
    void naturalWeightOfPreconditionedFIsEdmLambda() {
        PreconditionedF f = new PreconditionedF();
        for (long seed = 0; seed < CASES; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double sd = logUniform(r, 0.05, 5), sigma = logUniform(r, 1e-4, 1e3);
            EdmPreconditioning pre = new EdmPreconditioning(sd);
            Scalings s = f.resolve(sigma, pre.at(sigma), sd);
            double lambda = LossWeighting.NATURAL.lambda(sigma, s.cOut(), sd);
            assertRel(lambda, (sigma * sigma + sd * sd) / (sigma * sd * sigma * sd), 1e-13,
                    String.format("seed %d: σ_d=%s σ=%s", seed, sd, sigma));
        }
    }
}
