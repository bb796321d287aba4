package io.github.diffusion4j.schedule;

import io.github.diffusion4j.testing.Cases;
import static io.github.diffusion4j.testing.Cases.assertRel;
import static io.github.diffusion4j.testing.Cases.logUniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** VP σ(t) ↔ t round trips and σ = √((1−ᾱ)/ᾱ) with ᾱ = Π(1−β) (Karras et al. 2022, Table 1 VP; Nichol &amp; Dhariwal 2021, Eq. 17; Ho et al. 2020, Sec. 2). */
class VpScheduleRoundTripTest {
    static final int CASES = 300;
    static final double REL = 1e-9;



    /** Random β_d ∈ [1, 30], β_min ∈ [0.01, 1]; t log-uniform in [1e-6, 1] (the schedule's domain is (0, 1]). */
    @Test
    void linearVpRoundTrips() {
        for (long seed = 0; seed < CASES; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double bd = 1 + 29 * r.nextDouble(), bm = 0.01 + 0.99 * r.nextDouble();
            LinearVpSchedule v = new LinearVpSchedule(bd, bm);
            double t = logUniform(r, 1e-6, 1.0);
            String where = String.format("seed %d: Linear(β_d=%s, β_min=%s) t=%s", seed, bd, bm, t);
            // σ(t) by hand: √(exp(½β_d t² + β_min t) − 1) (Table 1), with exp − 1 by its series.
            assertRel(v.sigma(t), Math.sqrt(Cases.expm1ByHand(0.5 * bd * t * t + bm * t)), 1e-12, "σ(t) " + where);
            assertRel(v.t(v.sigma(t)), t, REL, "t(σ(t)) " + where);
            double sigma = logUniform(r, v.sigma(1e-6), v.sigma(1.0));
            assertRel(v.sigma(v.t(sigma)), sigma, REL, "σ(t(σ)) at σ=" + sigma + ", " + where);
        }
    }

    /**
     * Cosine with s ∈ [0.001, 0.05] (and iDDPM's 0.008); t ∈ [1e-4, 0.999]. Below t ≈ 1e-4 the
     * round trip loses digits because σ is formed from 1 − ᾱ with ᾱ ≈ 1 (see the report).
     */
    @Test
    void cosineVpRoundTrips() {
        for (long seed = 0; seed < CASES; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double s = seed % 4 == 0 ? 0.008 : 0.001 + 0.049 * r.nextDouble();
            CosineVpSchedule v = seed % 4 == 0 ? CosineVpSchedule.iddpm() : new CosineVpSchedule(s);
            double t = seed % 2 == 0 ? 1e-4 + (0.999 - 1e-4) * r.nextDouble() : logUniform(r, 1e-4, 0.999);
            String where = String.format("seed %d: Cosine(s=%s) t=%s", seed, s, t);
            double ab = DiscreteSigmasSpacingTest.cosineAlphaBar(t, s);
            assertRel(VpSchedule.alphaBar(v.sigma(t)), ab, 1e-12, "ᾱ(σ(t)) vs Eq. 17, " + where);
            assertRel(v.t(v.sigma(t)), t, REL, "t(σ(t)) " + where);
            double sigma = logUniform(r, v.sigma(1e-4), v.sigma(0.999));
            assertRel(v.sigma(v.t(sigma)), sigma, REL, "σ(t(σ)) at σ=" + sigma + ", " + where);
        }
    }

    /** DDPM, iDDPM-cosine and random linear β's: integer and fractional t over [0, T−1], σ over [σ_0, σ_{T−1}]. */
    @Test
    void discreteVpRoundTrips() {
        DiscreteVpSchedule ddpm = DiscreteVpSchedule.ddpm();
        DiscreteVpSchedule cosine = DiscreteVpSchedule.cosine(1000, 0.008);
        for (long seed = 0; seed < CASES; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            DiscreteVpSchedule v;
            String name;
            switch ((int) (seed % 3)) {
                case 0 -> { v = ddpm; name = "ddpm"; }
                case 1 -> { v = cosine; name = "cosine(1000, 0.008)"; }
                default -> {
                    double b0 = logUniform(r, 1e-5, 1e-3), b1 = 0.005 + 0.045 * r.nextDouble();
                    int total = 2 + r.nextInt(2000);
                    v = DiscreteVpSchedule.linear(b0, b1, total);
                    name = String.format("linear(%s, %s, %d)", b0, b1, total);
                }
            }
            int last = v.steps() - 1;
            int j = r.nextInt(v.steps());
            double tf = r.nextDouble() * last;
            String where = String.format("seed %d: %s j=%d t=%s", seed, name, j, tf);
            double tj = v.t(v.sigma(j));
            assertThat(Math.abs(tj - j)).as("t(σ(j)) = %s, want j, %s", tj, where).isLessThanOrEqualTo(REL * Math.max(j, 1));
            assertRel(v.sigma(j), v.sigmaAt(j), 1e-14, "σ(j) = σ_j, " + where);
            assertRel(v.t(v.sigma(tf)), tf, REL, "t(σ(t)) " + where);
            double sigma = logUniform(r, v.sigmaAt(0), v.sigmaAt(last));
            assertRel(v.sigma(v.t(sigma)), sigma, REL, "σ(t(σ)) at σ=" + sigma + ", " + where);
            // Between two steps, ln σ is linear in t (k-diffusion's DiscreteSchedule.t_to_sigma).
            int lo = Math.min((int) Math.floor(tf), last - 1);
            double w = tf - lo;
            double want = Math.exp((1 - w) * Math.log(v.sigmaAt(lo)) + w * Math.log(v.sigmaAt(lo + 1)));
            assertRel(v.sigma(tf), want, 1e-12, "log-linear interpolation, " + where);
        }
    }

    /** α² + σ_vp² = 1, σ_vp/α = σ and ᾱ → σ → ᾱ, for σ log-uniform in [1e-4, 1e3] (methods.md notation). */
    @Test
    void vpIdentities() {
        for (long seed = 0; seed < CASES; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double sigma = logUniform(r, 1e-4, 1e3);
            String where = "seed " + seed + ": σ=" + sigma;
            double a = VpSchedule.alpha(sigma), sv = VpSchedule.vpSigma(sigma);
            assertThat(Math.abs(a * a + sv * sv - 1)).as("α² + σ_vp² = 1, " + where).isLessThanOrEqualTo(1e-14);
            assertRel(sv / a, sigma, 1e-14, "σ_vp/α = σ, " + where);
            assertRel(a * a, VpSchedule.alphaBar(sigma), 1e-14, "α² = ᾱ, " + where);
            // ᾱ = 1/(1+σ²) ⇒ (1−ᾱ)/ᾱ = σ²; 1 − ᾱ cancels when σ is small, so the back map is checked for σ ≥ 1e-3.
            if (sigma >= 1e-3) {
                assertRel(VpSchedule.sigmaOfAlphaBar(VpSchedule.alphaBar(sigma)), sigma, REL, "σ(ᾱ(σ)) = σ, " + where);
            }
        }
    }

    /** ᾱ_j = 1/(1+σ_j²) equals Π_{i≤j}(1−β_i) computed here, for DDPM, cosine and random linear β's. */
    @Test
    void discreteAlphaBarIsTheProductOfOneMinusBeta() {
        check("ddpm", DiscreteVpSchedule.ddpm(), DiscreteSigmasSpacingTest.linearBetasByHand(1e-4, 0.02, 1000));
        double[] cosB = new double[1000];
        for (int j = 0; j < 1000; j++) {
            cosB[j] = Math.min(1 - DiscreteSigmasSpacingTest.cosineAlphaBar((j + 1.0) / 1000, 0.008)
                    / DiscreteSigmasSpacingTest.cosineAlphaBar(j / 1000.0, 0.008), 0.999);
        }
        check("cosine", DiscreteVpSchedule.cosine(1000, 0.008), cosB);
        for (long seed = 0; seed < 20; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double b0 = logUniform(r, 1e-5, 1e-3), b1 = 0.005 + 0.045 * r.nextDouble();
            int total = 2 + r.nextInt(2000);
            check(String.format("seed %d linear(%s, %s, %d)", seed, b0, b1, total), DiscreteVpSchedule.linear(b0, b1, total),
                    DiscreteSigmasSpacingTest.linearBetasByHand(b0, b1, total));
        }
    }

    static void check(String name, DiscreteVpSchedule v, double[] betas) {
        double[] ab = DiscreteSigmasSpacingTest.alphaBarsOfBetas(betas);
        assertThat(v.steps()).as(name).isEqualTo(betas.length);
        double[] got = v.betas();
        for (int j = 0; j < betas.length; j++) {
            assertRel(VpSchedule.alphaBar(v.sigmaAt(j)), ab[j], 1e-12, name + " ᾱ_" + j);
            // β's are differences (1 − ᾱ_j/ᾱ_{j−1} for the cosine schedule), so they carry an absolute rounding error.
            if (!(Math.abs(got[j] - betas[j]) <= 1e-14 + 1e-12 * betas[j])) {
                fail(name + " β_" + j + ": got " + got[j] + ", want " + betas[j]);
            }
        }
    }

    /** DDPM's linear schedule ends at ᾱ_999 ≈ 4.04e-5, i.e. σ_999 ≈ 157.4 (Ho et al. 2020; verified by the product loop here). */
    @Test
    void ddpmEndPointMatchesPublishedValue() {
        double prod = 1.0;
        for (int j = 0; j < 1000; j++) {
            prod *= 1 - (1e-4 + j * (0.02 - 1e-4) / 999); // β_j linear from 1e-4 to 0.02
        }
        assertThat(prod).isCloseTo(4.04e-5, org.assertj.core.data.Offset.offset(0.01e-5));
        double sigma999 = Math.sqrt((1 - prod) / prod);
        assertThat(sigma999).isCloseTo(157.4, org.assertj.core.data.Offset.offset(0.05));
        DiscreteVpSchedule d = DiscreteVpSchedule.ddpm();
        assertRel(d.sigmaAt(999), sigma999, 1e-12, "σ_999");
        assertRel(d.sigma(999.0), sigma999, 1e-12, "σ(999)");
        assertRel(d.sigmaAt(0), Math.sqrt(1e-4 / (1 - 1e-4)), 1e-12, "σ_0 = √(β_0/(1−β_0))");
    }

    /** EDM's VP end points: σ(1) = √(e^{10.05} − 1) ≈ 152.17 and σ(1e-3) ≈ 0.010486 for β_d = 19.9, β_min = 0.1. */
    @Test
    void edmLinearVpEndPoints() {
        // ½·19.9·1 + 0.1 = 10.05; e^{10.05} = 23155.8..., √23154.8 = 152.167...
        LinearVpSchedule v = LinearVpSchedule.edm();
        assertRel(v.sigma(1.0), Math.sqrt(Math.exp(10.05) - 1), 1e-12, "σ(1)");
        assertThat(v.sigma(1.0)).isCloseTo(152.167, org.assertj.core.data.Offset.offset(1e-3));
        // ½·19.9·1e-6 + 0.1·1e-3 = 1.09950e-4; e^x − 1 = 1.099560e-4; √ = 0.0104860
        assertThat(v.sigma(1e-3)).isCloseTo(0.0104860, org.assertj.core.data.Offset.offset(1e-7));
        assertRel(v.t(Math.sqrt(Math.exp(10.05) - 1)), 1.0, 1e-12, "t(σ_max)");
    }
}
