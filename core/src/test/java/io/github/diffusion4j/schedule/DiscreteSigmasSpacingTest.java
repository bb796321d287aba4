package io.github.diffusion4j.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** DDIM re-spacing of a discrete VP schedule (Song et al. 2021, Sec. 4.2; dual_diffusion respace.py "ddim"/"ddodm"; Ho et al. 2020, Sec. 4 β's). */
class DiscreteSigmasSpacingTest {

    /** DDPM's σ_j = √((1−ᾱ_j)/ᾱ_j) with ᾱ_j = Π_{i≤j}(1−β_i), β linear 1e-4 … 0.02 over 1000 steps, by a direct product loop. */
    static double[] ddpmSigmasByHand() {
        return sigmasOfBetas(linearBetasByHand(1e-4, 0.02, 1000));
    }

    static double[] linearBetasByHand(double start, double end, int steps) {
        double[] b = new double[steps];
        for (int j = 0; j < steps; j++) {
            b[j] = start + j * ((end - start) / (steps - 1));
        }
        return b;
    }

    /** iDDPM cosine β_j = min(1 − ᾱ((j+1)/T)/ᾱ(j/T), 0.999), ᾱ(t) = cos²(((t+s)/(1+s))π/2)/cos²((s/(1+s))π/2) (Nichol &amp; Dhariwal 2021, Eq. 17). */
    static double[] cosineSigmasByHand(int steps, double s) {
        double[] b = new double[steps];
        for (int j = 0; j < steps; j++) {
            b[j] = Math.min(1 - cosineAlphaBar((j + 1.0) / steps, s) / cosineAlphaBar((double) j / steps, s), 0.999);
        }
        return sigmasOfBetas(b);
    }

    static double cosineAlphaBar(double t, double s) {
        double f = Math.cos((t + s) / (1 + s) * Math.PI / 2);
        double f0 = Math.cos(s / (1 + s) * Math.PI / 2);
        return f * f / (f0 * f0);
    }

    static double[] alphaBarsOfBetas(double[] betas) {
        double[] ab = new double[betas.length];
        double prod = 1.0;
        for (int j = 0; j < betas.length; j++) {
            prod *= 1.0 - betas[j];
            ab[j] = prod;
        }
        return ab;
    }

    static double[] sigmasOfBetas(double[] betas) {
        double[] ab = alphaBarsOfBetas(betas);
        double[] s = new double[ab.length];
        for (int j = 0; j < ab.length; j++) {
            s[j] = Math.sqrt((1 - ab[j]) / ab[j]);
        }
        return s;
    }

    static void assertSigmasAt(double[] got, double[] sigmaByHand, int[] visitedIncreasing, String what) {
        int n = visitedIncreasing.length;
        assertThat(got).as(what).hasSize(n + 1);
        for (int i = 0; i < n; i++) {
            double want = sigmaByHand[visitedIncreasing[n - 1 - i]];
            if (!(Math.abs(got[i] - want) <= 1e-12 * want)) {
                fail(String.format("%s: σ_%d = %s, want σ at t=%d = %s", what, i, got[i], visitedIncreasing[n - 1 - i], want));
            }
        }
        assertThat(got[n]).as(what + ": σ_N").isEqualTo(0.0);
    }

    @Test
    void leadingAndTrailingVisitHandListedStepsForTenOfAThousand() {
        int[] leading = {0, 100, 200, 300, 400, 500, 600, 700, 800, 900};
        int[] trailing = {99, 199, 299, 399, 499, 599, 699, 799, 899, 999};
        for (String name : new String[] {"ddpm", "cosine"}) {
            DiscreteVpSchedule sched = name.equals("ddpm") ? DiscreteVpSchedule.ddpm() : DiscreteVpSchedule.cosine(1000, 0.008);
            double[] byHand = name.equals("ddpm") ? ddpmSigmasByHand() : cosineSigmasByHand(1000, 0.008);
            DiscreteSigmas lead = new DiscreteSigmas(sched, DiscreteSigmas.Spacing.LEADING);
            DiscreteSigmas trail = new DiscreteSigmas(sched, DiscreteSigmas.Spacing.TRAILING);
            assertThat(lead.timesteps(10)).as(name + " LEADING").containsExactly(leading);
            assertThat(trail.timesteps(10)).as(name + " TRAILING").containsExactly(trailing);
            assertSigmasAt(lead.sigmas(10), byHand, leading, name + " LEADING sigmas");
            assertSigmasAt(trail.sigmas(10), byHand, trailing, name + " TRAILING sigmas");
        }
    }

    @Test
    void otherDivisorsOfTHaveTheirHandListedSteps() {
        DiscreteSigmas lead = new DiscreteSigmas(DiscreteVpSchedule.ddpm(), DiscreteSigmas.Spacing.LEADING);
        DiscreteSigmas trail = new DiscreteSigmas(DiscreteVpSchedule.ddpm(), DiscreteSigmas.Spacing.TRAILING);
        assertThat(lead.timesteps(4)).containsExactly(0, 250, 500, 750);
        assertThat(trail.timesteps(4)).containsExactly(249, 499, 749, 999);
        assertThat(lead.timesteps(1)).containsExactly(0);
        assertThat(trail.timesteps(1)).containsExactly(999);
        assertThat(lead.timesteps(5)).containsExactly(0, 200, 400, 600, 800);
        assertThat(trail.timesteps(5)).containsExactly(199, 399, 599, 799, 999);
        // N = T visits every training step under both spacings.
        int[] all = new int[1000];
        for (int j = 0; j < 1000; j++) {
            all[j] = j;
        }
        assertThat(lead.timesteps(1000)).containsExactly(all);
        assertThat(trail.timesteps(1000)).containsExactly(all);
        assertThatThrownBy(() -> lead.sigmas(1001)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> trail.sigmas(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * For random T and N ≤ T: N strictly increasing steps in [0, T−1], LEADING starting at 0,
     * TRAILING ending at T−1, consecutive gaps ⌊T/N⌋ or ⌈T/N⌉ (an even spacing of T/N), and σ's equal
     * to the hand product's σ at those steps, largest first.
     */
    @Test
    void randomTAndNAreEvenlySpaced() {
        for (long seed = 0; seed < 300; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int total = 2 + r.nextInt(1999);
            int n = 1 + r.nextInt(Math.min(total, 300));
            double b0 = Math.exp(Math.log(1e-5) + r.nextDouble() * Math.log(100)), b1 = 0.005 + 0.045 * r.nextDouble();
            double[] byHand = sigmasOfBetas(linearBetasByHand(b0, b1, total));
            DiscreteVpSchedule sched = DiscreteVpSchedule.linear(b0, b1, total);
            for (DiscreteSigmas.Spacing sp : DiscreteSigmas.Spacing.values()) {
                String where = String.format("seed %d: T=%d N=%d β=[%s, %s] %s", seed, total, n, b0, b1, sp);
                int[] t = new DiscreteSigmas(sched, sp).timesteps(n);
                assertThat(t).as(where).hasSize(n);
                assertThat(t[0]).as(where).isGreaterThanOrEqualTo(0);
                assertThat(t[n - 1]).as(where).isLessThanOrEqualTo(total - 1);
                if (sp == DiscreteSigmas.Spacing.LEADING) {
                    assertThat(t[0]).as(where + ": LEADING starts at 0").isEqualTo(0);
                } else {
                    assertThat(t[n - 1]).as(where + ": TRAILING ends at T−1").isEqualTo(total - 1);
                }
                for (int i = 1; i < n; i++) {
                    int gap = t[i] - t[i - 1];
                    if (gap < total / n || gap > (total + n - 1) / n) {
                        fail(String.format("%s: gap t_%d − t_%d = %d is not ⌊T/N⌋ or ⌈T/N⌉", where, i, i - 1, gap));
                    }
                }
                assertSigmasAt(new DiscreteSigmas(sched, sp).sigmas(n), byHand, t, where);
            }
        }
    }
}
