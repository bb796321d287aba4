package io.github.diffusion4j.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Training noise distributions: EDM's ln σ ~ N(−1.2, 1.2²) (Karras et al. 2022, Table 1 "Training") and DDPM's t ~ U{0..T−1} (Ho et al. 2020, Alg. 1). */
class TrainingNoiseTest {
    static final int DRAWS = 20_000;

    /** ln σ = P_mean + P_std·z exactly, whatever u is. */
    @Test
    void logNormalIsAnAffineMapOfZ() {
        LogNormalSigma p = LogNormalSigma.edm();
        for (long seed = 0; seed < 300; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double z = 4 * (2 * r.nextDouble() - 1), u = r.nextDouble();
            assertThat(Math.abs(Math.log(p.sample(z, u)) - (-1.2 + 1.2 * z)))
                    .as("seed %d: z=%s u=%s", seed, z, u).isLessThanOrEqualTo(1e-12);
            assertThat(p.sample(z, u)).as("independent of u, seed %d", seed).isEqualTo(p.sample(z, 1 - u));
        }
    }

    /**
     * Over 20,000 draws from a fixed standard normal stream (five seeds), ln σ has mean −1.2 and
     * standard deviation 1.2 within 5 standard errors (SE_mean = 1.2/√n, SE_std ≈ 1.2/√(2n)).
     */
    @Test
    void logNormalMomentsOverTwentyThousandDraws() {
        LogNormalSigma p = LogNormalSigma.edm();
        for (long seed = 1; seed <= 5; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            double sum = 0, sumSq = 0;
            for (int i = 0; i < DRAWS; i++) {
                double ls = Math.log(p.sample(r.nextGaussian(), r.nextDouble()));
                sum += ls;
                sumSq += ls * ls;
            }
            double mean = sum / DRAWS;
            double std = Math.sqrt((sumSq - DRAWS * mean * mean) / (DRAWS - 1));
            assertThat(mean).as("seed %d: mean of ln σ", seed)
                    .isCloseTo(-1.2, org.assertj.core.data.Offset.offset(5 * 1.2 / Math.sqrt(DRAWS)));
            assertThat(std).as("seed %d: std of ln σ", seed)
                    .isCloseTo(1.2, org.assertj.core.data.Offset.offset(5 * 1.2 / Math.sqrt(2.0 * DRAWS)));
        }
    }

    /** The step index whose σ (computed by the hand product) equals {@code sigma}. */
    static int indexOf(double[] sigmaByHand, double sigma, String where) {
        int idx = Arrays.binarySearch(sigmaByHand, sigma);
        int best = idx >= 0 ? idx : Math.min(-idx - 1, sigmaByHand.length - 1);
        if (best > 0 && Math.abs(sigmaByHand[best - 1] - sigma) < Math.abs(sigmaByHand[best] - sigma)) {
            best--;
        }
        if (!(Math.abs(sigmaByHand[best] - sigma) <= 1e-12 * sigma)) {
            fail(where + ": σ=" + sigma + " is not one of the training levels");
        }
        return best;
    }

    /** u on a midpoint grid of 64 points per step lands on every step exactly 64 times; u = 0 and u → 1 hit the ends. */
    @Test
    void uniformDiscreteTHitsEveryStepEquallyOnAGrid() {
        for (int total : new int[] {2, 7, 1000}) {
            double[] byHand = total == 1000 ? DiscreteSigmasSpacingTest.ddpmSigmasByHand()
                    : DiscreteSigmasSpacingTest.sigmasOfBetas(DiscreteSigmasSpacingTest.linearBetasByHand(1e-4, 0.02, total));
            UniformDiscreteT p = new UniformDiscreteT(DiscreteVpSchedule.linear(1e-4, 0.02, total));
            int per = 64;
            int[] counts = new int[total];
            for (int k = 0; k < per * total; k++) {
                double u = (k + 0.5) / (per * total);
                counts[indexOf(byHand, p.sample(0.0, u), "grid")]++;
            }
            for (int j = 0; j < total; j++) {
                assertThat(counts[j]).as("T=%d: step %d", total, j).isEqualTo(per);
            }
            assertThat(indexOf(byHand, p.sample(0.0, 0.0), "u=0")).isEqualTo(0);
            assertThat(indexOf(byHand, p.sample(0.0, Math.nextDown(1.0)), "u=1⁻")).isEqualTo(total - 1);
        }
    }

    /**
     * 200,000 uniform u's over DDPM's 1000 steps: Pearson's χ² with 999 degrees of freedom stays below
     * its mean + 5 standard deviations (999 + 5·√1998 ≈ 1222.5), and no step is missed.
     */
    @Test
    void uniformDiscreteTChiSquare() {
        double[] byHand = DiscreteSigmasSpacingTest.ddpmSigmasByHand();
        UniformDiscreteT p = new UniformDiscreteT(DiscreteVpSchedule.ddpm());
        int draws = 200_000;
        for (long seed = 1; seed <= 3; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int[] counts = new int[1000];
            for (int i = 0; i < draws; i++) {
                counts[indexOf(byHand, p.sample(r.nextGaussian(), r.nextDouble()), "χ² draw")]++;
            }
            double expected = draws / 1000.0, chi2 = 0;
            for (int c : counts) {
                chi2 += (c - expected) * (c - expected) / expected;
                assertThat(c).as("seed %d: every step is drawn", seed).isPositive();
            }
            assertThat(chi2).as("seed %d: χ²(999)", seed).isLessThan(999 + 5 * Math.sqrt(2 * 999));
        }
    }
}
