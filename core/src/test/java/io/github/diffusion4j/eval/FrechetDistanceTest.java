package io.github.diffusion4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FrechetDistanceTest {

    /** d² for commuting covariances Q diag(λ₁) Qᵀ and Q diag(λ₂) Qᵀ: ‖μ₁ − μ₂‖² + Σᵢ (√λ₁ᵢ − √λ₂ᵢ)². */
    private static double closedForm(double[] mu1, double[] lambda1, double[] mu2, double[] lambda2) {
        double d2 = 0;
        for (int i = 0; i < mu1.length; i++) {
            d2 += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
            double r = Math.sqrt(lambda1[i]) - Math.sqrt(lambda2[i]);
            d2 += r * r;
        }
        return d2;
    }

    @Test
    void identicalStatisticsGiveZero() {
        FeatureStats stats = FeatureStats.of(Draws.gaussian(1, 400, 24, 3, 2));
        assertThat(FrechetDistance.of(stats, stats)).isCloseTo(0.0, within(1e-9));
        double[][] sigma = Draws.spd(2, 40, 80);
        double[] mu = Draws.gaussian(3, 1, 40, 0, 1)[0];
        assertThat(FrechetDistance.of(mu, sigma, mu, sigma)).isCloseTo(0.0, within(1e-9));
    }

    @Test
    void commutingCovariancesMatchTheClosedForm() {
        int d = 30;
        double[][] q = Draws.orthogonal(11, d);
        double[] lambda1 = new double[d];
        double[] lambda2 = new double[d];
        for (int i = 0; i < d; i++) {
            lambda1[i] = 0.1 + 5 * Math.abs(Math.sin(i + 1.0));
            lambda2[i] = 0.2 + 3 * Math.abs(Math.cos(2 * i + 0.5));
        }
        double[] mu1 = Draws.gaussian(12, 1, d, 0, 1)[0];
        double[] mu2 = Draws.gaussian(13, 1, d, 0.5, 1)[0];
        double expected = closedForm(mu1, lambda1, mu2, lambda2);
        double actual = FrechetDistance.of(mu1, Draws.rotated(q, lambda1), mu2, Draws.rotated(q, lambda2));
        assertThat(Math.abs(actual - expected) / expected).isLessThan(1e-9);

        // diagonal covariances, no rotation
        double[][] diag1 = new double[d][d];
        double[][] diag2 = new double[d][d];
        for (int i = 0; i < d; i++) {
            diag1[i][i] = lambda1[i];
            diag2[i][i] = lambda2[i];
        }
        assertThat(Math.abs(FrechetDistance.of(mu1, diag1, mu2, diag2) - expected) / expected).isLessThan(1e-9);
    }

    @Test
    void nonCommutingTwoByTwoMatchesTheClosedForm() {
        // For 2×2 PSD M: tr √M = √(tr M + 2√det M); with M = √Σ₁ Σ₂ √Σ₁: tr M = tr Σ₁Σ₂, det M = det Σ₁ det Σ₂.
        double[][] s1 = {{2.0, 0.7}, {0.7, 1.0}};
        double[][] s2 = {{0.5, -0.3}, {-0.3, 3.0}};
        double trProduct = s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0] + s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1];
        double det1 = s1[0][0] * s1[1][1] - s1[0][1] * s1[1][0];
        double det2 = s2[0][0] * s2[1][1] - s2[0][1] * s2[1][0];
        double traceSqrt = Math.sqrt(trProduct + 2 * Math.sqrt(det1 * det2));
        double[] mu1 = {1, 2};
        double[] mu2 = {0, 4};
        double expected = 1 + 4 + (2.0 + 1.0) + (0.5 + 3.0) - 2 * traceSqrt;
        assertThat(FrechetDistance.of(mu1, s1, mu2, s2)).isCloseTo(expected, within(1e-12 * expected));
    }

    @Test
    void rankDeficientCovariancesStayFiniteAndMatchTheClosedForm() {
        // 50×50 covariances spanned by 10 columns of Q each (5 shared): rank 10, singular product.
        int d = 50;
        double[][] q = Draws.orthogonal(21, d);
        double[] mu1 = Draws.gaussian(22, 1, d, 0, 1)[0];
        double[] mu2 = Draws.gaussian(23, 1, d, 0, 1)[0];
        for (double floor : new double[] {0.0, 1e-12}) {
            double[] lambda1 = new double[d];
            double[] lambda2 = new double[d];
            java.util.Arrays.fill(lambda1, floor);
            java.util.Arrays.fill(lambda2, floor);
            for (int i = 0; i < 10; i++) {
                lambda1[i] = 1 + i;
                lambda2[i + 5] = 2 + 0.5 * i;
            }
            double expected = closedForm(mu1, lambda1, mu2, lambda2);
            double actual = FrechetDistance.of(mu1, Draws.rotated(q, lambda1), mu2, Draws.rotated(q, lambda2));
            // Round-off of size ε‖Σ‖ ≈ 1e-15 in the 40-dimensional null space enters through square
            // roots (√1e-15 ≈ 3e-8 each); observed relative error ≈ 2e-8, tolerance stated: 1e-7.
            assertThat(actual).as("floor %s", floor).isFinite();
            assertThat(Math.abs(actual - expected) / expected).as("floor %s", floor).isLessThan(1e-7);
        }
    }

    @Test
    void isSymmetric() {
        double[][] s1 = Draws.spd(31, 20, 25);
        double[][] s2 = Draws.spd(32, 20, 60);
        double[] mu1 = Draws.gaussian(33, 1, 20, 0, 1)[0];
        double[] mu2 = Draws.gaussian(34, 1, 20, 0, 1)[0];
        double ab = FrechetDistance.of(mu1, s1, mu2, s2);
        double ba = FrechetDistance.of(mu2, s2, mu1, s1);
        assertThat(ab).isPositive();
        assertThat(ba).isCloseTo(ab, within(1e-9 * ab));
    }
}
