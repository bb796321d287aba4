package io.github.diffusion4j.eval;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019, Eq. 1–2): precision is the fraction of
 * generated samples that fall in at least one real sample's k-NN ball (radius: distance to its
 * k-th nearest other real sample, boundary included, as the reference {@code ManifoldEstimator});
 * recall is the same with the two sets swapped. Distances are computed in blocks of
 * 1024 × 1024 pairs, so memory is O(n·k + block²), not O(n²).
 *
 * @param precision fraction of generated samples on the real manifold
 * @param recall fraction of real samples on the generated manifold
 * @param k neighbourhood size
 */
public record PrecisionRecall(double precision, double recall, int k) {
    /** The paper's neighbourhood size. */
    public static final int DEFAULT_K = 3;
    static final int BLOCK = 1024;

    /** Precision and recall with k = 3. */
    public static PrecisionRecall of(double[][] real, double[][] generated) {
        return of(real, generated, DEFAULT_K);
    }

    /** Precision and recall with k-NN balls; each set needs more than k rows. */
    public static PrecisionRecall of(double[][] real, double[][] generated, int k) {
        return of(real, generated, k, BLOCK);
    }

    static PrecisionRecall of(double[][] real, double[][] generated, int k, int block) {
        int d = Dense.width(real, "real features");
        int dg = Dense.width(generated, "generated features");
        if (dg != d) {
            throw new IllegalArgumentException("feature sets have " + d + " and " + dg + " columns");
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (real.length <= k || generated.length <= k) {
            throw new IllegalArgumentException("k = " + k + " needs more than k rows in each set, have "
                    + real.length + " real and " + generated.length + " generated");
        }
        try (PointerScope ignored = new PointerScope()) {
            Tensor r = Dense.matrix(real, d);
            Tensor g = Dense.matrix(generated, d);
            double[] realRadii = KnnRadii.squared(r, real.length, k, block);
            double[] generatedRadii = KnnRadii.squared(g, generated.length, k, block);
            double precision = fractionCovered(g, generated.length, r, real.length, realRadii, block);
            double recall = fractionCovered(r, real.length, g, generated.length, generatedRadii, block);
            return new PrecisionRecall(precision, recall, k);
        }
    }

    /** The fraction of {@code queries} within distance √radii2[j] of some centre j. */
    private static double fractionCovered(Tensor queries, int nq, Tensor centres, int nc, double[] radii2, int block) {
        PairwiseDistances distances = new PairwiseDistances(queries, centres);
        int covered = 0;
        for (int i0 = 0; i0 < nq; i0 += block) {
            int rows = Math.min(block, nq - i0);
            boolean[] hit = new boolean[rows];
            int hits = 0;
            for (int j0 = 0; j0 < nc && hits < rows; j0 += block) {
                int cols = Math.min(block, nc - j0);
                double[] d2 = distances.block(i0, rows, j0, cols);
                for (int r = 0; r < rows; r++) {
                    if (hit[r]) {
                        continue;
                    }
                    for (int c = 0; c < cols; c++) {
                        if (d2[r * cols + c] <= radii2[j0 + c]) {
                            hit[r] = true;
                            hits++;
                            break;
                        }
                    }
                }
            }
            covered += hits;
        }
        return (double) covered / nq;
    }
}
