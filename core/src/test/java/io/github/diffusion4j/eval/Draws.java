package io.github.diffusion4j.eval;

import io.github.diffusion4j.engine.CounterRng;

/** Seeded Gaussian rows and random orthogonal matrices for the metric tests. */
final class Draws {
    private Draws() {}

    /** {@code n} rows of {@code d} independent N(mean, scale²) values from seed {@code seed}. */
    static double[][] gaussian(long seed, int n, int d, double mean, double scale) {
        long key = CounterRng.streamKey(seed, 0);
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = mean + scale * CounterRng.gaussian(key, (long) i * d + j);
            }
        }
        return out;
    }

    /** A random d×d orthogonal matrix: modified Gram–Schmidt on the columns of a Gaussian matrix. */
    static double[][] orthogonal(long seed, int d) {
        double[][] a = gaussian(seed, d, d, 0, 1); // a[i][j]: column j, entry i
        for (int j = 0; j < d; j++) {
            for (int p = 0; p < j; p++) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += a[i][p] * a[i][j];
                }
                for (int i = 0; i < d; i++) {
                    a[i][j] -= dot * a[i][p];
                }
            }
            double norm = 0;
            for (int i = 0; i < d; i++) {
                norm += a[i][j] * a[i][j];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < d; i++) {
                a[i][j] /= norm;
            }
        }
        return a;
    }

    /** Q diag(lambda) Qᵀ. */
    static double[][] rotated(double[][] q, double[] lambda) {
        int d = lambda.length;
        double[][] out = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double acc = 0;
                for (int k = 0; k < d; k++) {
                    acc += q[i][k] * lambda[k] * q[j][k];
                }
                out[i][j] = acc;
            }
        }
        return out;
    }

    /** A random symmetric positive-definite matrix A Aᵀ / m with A a d×m Gaussian matrix. */
    static double[][] spd(long seed, int d, int m) {
        double[][] a = gaussian(seed, d, m, 0, 1);
        double[][] out = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double acc = 0;
                for (int k = 0; k < m; k++) {
                    acc += a[i][k] * a[j][k];
                }
                out[i][j] = acc / m;
            }
        }
        return out;
    }
}
