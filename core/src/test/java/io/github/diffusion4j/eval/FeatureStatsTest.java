package io.github.diffusion4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FeatureStatsTest {

    /** Textbook two-pass mean and (n − 1)-covariance, as numpy.mean / numpy.cov(rowvar=False). */
    private static double[] twoPassMean(double[][] x) {
        int d = x[0].length;
        double[] mu = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mu[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mu[j] /= x.length;
        }
        return mu;
    }

    private static double[][] twoPassCov(double[][] x) {
        int d = x[0].length;
        double[] mu = twoPassMean(x);
        double[][] s = new double[d][d];
        for (double[] row : x) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    s[i][j] += (row[i] - mu[i]) * (row[j] - mu[j]);
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                s[i][j] /= x.length - 1;
            }
        }
        return s;
    }

    /** Rows with a large common offset per column (1e5·(j+1)) and correlated columns: a naive or unshifted update loses digits here. */
    private static double[][] data(int n, int d) {
        double[][] z = Draws.gaussian(7, n, d, 0, 1);
        double[][] x = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = 1e5 * (j + 1) + (j + 1) * z[i][j] + (j > 0 ? 0.5 * z[i][j - 1] : 0);
            }
        }
        return x;
    }

    private static void assertClose(double[] actual, double[] expected, double rel) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i]))
                    .as("entry %d: %s vs %s", i, actual[i], expected[i])
                    .isLessThanOrEqualTo(rel * Math.max(1, Math.abs(expected[i])));
        }
    }

    @Test
    void matchesATwoPassComputationForEveryChunkSize() {
        double[][] x = data(1001, 9);
        double[] mu = twoPassMean(x);
        double[][] cov = twoPassCov(x);
        for (int chunk : new int[] {1, 2, 64, FeatureStats.DEFAULT_CHUNK_ROWS, 5000}) {
            FeatureStats stats = new FeatureStats(9, chunk).add(x);
            assertThat(stats.count()).isEqualTo(1001);
            assertClose(stats.mu(), mu, 1e-12);
            double[][] sigma = stats.sigma();
            for (int i = 0; i < 9; i++) {
                assertClose(sigma[i], cov[i], 1e-12);
                for (int j = 0; j < 9; j++) {
                    assertThat(sigma[i][j]).isEqualTo(sigma[j][i]);
                }
            }
        }
    }

    @Test
    void rowByRowAndBatchedAddsAgreeAndStatsStayUsableAfterReading() {
        double[][] x = data(300, 4);
        FeatureStats one = new FeatureStats(4, 32);
        for (int i = 0; i < 150; i++) {
            one.add(x[i]);
        }
        one.sigma(); // reading flushes a partial chunk; adding more must still be exact
        for (int i = 150; i < 300; i++) {
            one.add(x[i]);
        }
        FeatureStats all = FeatureStats.of(x);
        assertClose(one.mu(), all.mu(), 1e-13);
        for (int i = 0; i < 4; i++) {
            assertClose(one.sigma()[i], all.sigma()[i], 1e-12);
        }
        assertClose(one.mu(), twoPassMean(x), 1e-13);
    }

    @Test
    void floatRowsAreWidenedExactly() {
        FeatureStats stats = new FeatureStats(2);
        stats.add(new float[] {1.5f, -2f}).add(new float[] {2.5f, 0f});
        assertThat(stats.mu()).containsExactly(2.0, -1.0);
        assertThat(stats.sigma()[0]).containsExactly(0.5, 1.0);
        assertThat(stats.sigma()[1]).containsExactly(1.0, 2.0);
    }

    @Test
    void rejectsWrongLengthsNonFiniteValuesAndTooFewRows() {
        FeatureStats stats = new FeatureStats(3);
        assertThatThrownBy(() -> stats.add(new double[2])).hasMessageContaining("has 2 values, expected 3");
        assertThatThrownBy(() -> stats.add(new double[] {0, Double.NaN, 0})).hasMessageContaining("non-finite");
        assertThatThrownBy(stats::mu).isInstanceOf(IllegalStateException.class);
        stats.add(new double[3]);
        assertThatThrownBy(stats::sigma).hasMessageContaining("at least 2 rows");
    }
}
