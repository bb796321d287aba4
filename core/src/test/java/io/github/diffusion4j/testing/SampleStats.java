package io.github.diffusion4j.testing;

/** Sample mean and covariance of n rows of dimension d, with standard errors estimated from the same rows. */
public record SampleStats(double[] mean, double[][] cov, double[] meanSe, double[][] covSe) {
    public static SampleStats of(double[] rows, int d) {
        int n = rows.length / d;
        double[] m = new double[d];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < d; i++) {
                m[i] += rows[r * d + i] / n;
            }
        }
        double[][] c = new double[d][d];
        double[][] c2 = new double[d][d];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double p = (rows[r * d + i] - m[i]) * (rows[r * d + j] - m[j]);
                    c[i][j] += p;
                    c2[i][j] += p * p;
                }
            }
        }
        double[] mse = new double[d];
        double[][] cse = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double mean = c[i][j] / n;
                cse[i][j] = Math.sqrt(Math.max(c2[i][j] / n - mean * mean, 0) / n);
                c[i][j] = c[i][j] / (n - 1);
            }
            mse[i] = Math.sqrt(c[i][i] / n);
        }
        return new SampleStats(m, c, mse, cse);
    }
}
