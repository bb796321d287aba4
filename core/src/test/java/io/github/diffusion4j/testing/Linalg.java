package io.github.diffusion4j.testing;

/** Tiny dense linear algebra for test ground truth. */
public final class Linalg {
    private Linalg() {}

    public static double[][] matmul(double[][] a, double[][] b) {
        int n = a.length, m = b[0].length, k = b.length;
        double[][] c = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double acc = 0;
                for (int t = 0; t < k; t++) {
                    acc += a[i][t] * b[t][j];
                }
                c[i][j] = acc;
            }
        }
        return c;
    }

    /** V diag(g) Vᵀ. */
    public static double[][] sandwich(double[][] v, double[] g) {
        int d = g.length;
        double[][] out = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double acc = 0;
                for (int k = 0; k < d; k++) {
                    acc += v[i][k] * g[k] * v[j][k];
                }
                out[i][j] = acc;
            }
        }
        return out;
    }
}
