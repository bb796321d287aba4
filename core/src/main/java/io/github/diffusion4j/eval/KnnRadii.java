package io.github.diffusion4j.eval;

import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * Squared k-nearest-neighbour radii of a point set, the ball radii of the k-NN manifold estimate of
 * Kynkäänniemi et al. 2019 (Eq. 1): the k-th smallest distance from each point to the other
 * points, the point itself excluded by index (a duplicate of it still counts, at distance 0).
 */
final class KnnRadii {
    private KnnRadii() {}

    /** The squared distance from each row of {@code points} ({@code n} rows, n > k) to its k-th nearest other row. */
    static double[] squared(Tensor points, int n, int k, int block) {
        double[][] best = new double[n][k]; // per row, the k smallest so far, ascending
        for (double[] row : best) {
            Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        PairwiseDistances distances = new PairwiseDistances(points, points);
        for (int i0 = 0; i0 < n; i0 += block) {
            int rows = Math.min(block, n - i0);
            for (int j0 = 0; j0 < n; j0 += block) {
                int cols = Math.min(block, n - j0);
                double[] d2 = distances.block(i0, rows, j0, cols);
                for (int r = 0; r < rows; r++) {
                    double[] kept = best[i0 + r];
                    for (int c = 0; c < cols; c++) {
                        if (j0 + c != i0 + r) {
                            insert(kept, d2[r * cols + c]);
                        }
                    }
                }
            }
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = best[i][k - 1];
        }
        return out;
    }

    /** Inserts {@code v} into the ascending array {@code kept}, dropping its largest entry, if it is smaller than that. */
    private static void insert(double[] kept, double v) {
        int last = kept.length - 1;
        if (!(v < kept[last])) {
            return;
        }
        int at = last;
        while (at > 0 && kept[at - 1] > v) {
            kept[at] = kept[at - 1];
            at--;
        }
        kept[at] = v;
    }
}
