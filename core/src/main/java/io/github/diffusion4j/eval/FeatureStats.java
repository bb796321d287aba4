package io.github.diffusion4j.eval;

import io.github.diffusion4j.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Mean μ and unbiased covariance Σ (divisor n − 1, as {@code numpy.cov} in pytorch-fid) of feature
 * rows: the Gaussian fitted for the Fréchet distance (Heusel et al. 2017, Eq. 6).
 *
 * <p>Rows are streamed: every row is first shifted by the first row seen, K (so a large common
 * offset in the features costs no precision); shifted rows are buffered in chunks, each chunk is
 * centred on its own mean, its scatter matrix XcᵀXc is formed as a float64 BLAS product, and chunks
 * are merged with the pairwise update of Chan, Golub and LeVeque (1979):
 * M₂ ← M₂ + M₂,B + δδᵀ·n_A n_B / n with δ = μ_B − μ_A. Finally μ = K + mean of the shifted rows and
 * Σ = M₂ / (n − 1). Memory is O(d² + chunk·d) whatever the number of rows, and no sum of raw squares
 * is ever formed. Not thread-safe.
 */
public final class FeatureStats {
    static final int DEFAULT_CHUNK_ROWS = 512;

    private final int dim;
    private final int chunkRows;
    private final double[] buffer;
    private int buffered;
    private long merged;
    private double[] shift; // K: the first row added
    private final double[] mean; // of the merged rows, minus K
    private final double[] scatter; // Σ (x − mean)(x − mean)ᵀ over the merged rows, row-major d×d

    /** Empty statistics of {@code dim}-dimensional rows. */
    public FeatureStats(int dim) {
        this(dim, DEFAULT_CHUNK_ROWS);
    }

    FeatureStats(int dim, int chunkRows) {
        if (dim < 1) {
            throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        }
        if (chunkRows < 1) {
            throw new IllegalArgumentException("chunkRows must be >= 1, got " + chunkRows);
        }
        this.dim = dim;
        this.chunkRows = chunkRows;
        this.buffer = new double[Math.multiplyExact(chunkRows, dim)];
        this.mean = new double[dim];
        this.scatter = new double[Math.multiplyExact(dim, dim)];
    }

    /** The statistics of {@code rows} (at least one row). */
    public static FeatureStats of(double[][] rows) {
        return new FeatureStats(Dense.width(rows, "feature rows")).add(rows);
    }

    /** Adds one row of length {@link #dim()}. */
    public FeatureStats add(double[] row) {
        checkLength(row.length);
        for (int j = 0; j < dim; j++) {
            if (!Double.isFinite(row[j])) {
                throw new IllegalArgumentException("feature row " + count() + " has a non-finite value at column " + j);
            }
        }
        if (shift == null) {
            shift = row.clone();
        }
        int at = buffered * dim;
        for (int j = 0; j < dim; j++) {
            buffer[at + j] = row[j] - shift[j];
        }
        if (++buffered == chunkRows) {
            flush();
        }
        return this;
    }

    /** Adds one float32 row (as produced by a network) of length {@link #dim()}. */
    public FeatureStats add(float[] row) {
        checkLength(row.length);
        double[] copy = new double[dim];
        for (int j = 0; j < dim; j++) {
            copy[j] = row[j];
        }
        return add(copy);
    }

    /** Adds every row of {@code rows}. */
    public FeatureStats add(double[][] rows) {
        for (double[] row : rows) {
            add(row);
        }
        return this;
    }

    /** The row length d. */
    public int dim() {
        return dim;
    }

    /** The number of rows added so far. */
    public long count() {
        return merged + buffered;
    }

    /** The mean μ (a fresh array of length d); needs at least one row. */
    public double[] mu() {
        flush();
        if (merged < 1) {
            throw new IllegalStateException("mean of no rows");
        }
        double[] mu = new double[dim];
        for (int j = 0; j < dim; j++) {
            mu[j] = shift[j] + mean[j];
        }
        return mu;
    }

    /** The unbiased covariance Σ (a fresh, exactly symmetric d×d matrix); needs at least two rows. */
    public double[][] sigma() {
        flush();
        if (merged < 2) {
            throw new IllegalStateException("covariance needs at least 2 rows, have " + merged);
        }
        double norm = 1.0 / (merged - 1);
        double[][] out = new double[dim][dim];
        for (int i = 0; i < dim; i++) {
            out[i][i] = scatter[i * dim + i] * norm;
            for (int j = 0; j < i; j++) {
                double v = 0.5 * (scatter[i * dim + j] + scatter[j * dim + i]) * norm;
                out[i][j] = v;
                out[j][i] = v;
            }
        }
        return out;
    }

    private void checkLength(int length) {
        if (length != dim) {
            throw new IllegalArgumentException("feature row has " + length + " values, expected " + dim);
        }
    }

    /** Merges the buffered chunk into the running mean and scatter. */
    private void flush() {
        int nb = buffered;
        if (nb == 0) {
            return;
        }
        double[] chunkMean = new double[dim];
        for (int r = 0; r < nb; r++) {
            int at = r * dim;
            for (int j = 0; j < dim; j++) {
                chunkMean[j] += buffer[at + j];
            }
        }
        for (int j = 0; j < dim; j++) {
            chunkMean[j] /= nb;
        }
        double[] centred = new double[nb * dim];
        for (int r = 0; r < nb; r++) {
            int at = r * dim;
            for (int j = 0; j < dim; j++) {
                centred[at + j] = buffer[at + j] - chunkMean[j];
            }
        }
        double[] chunkScatter;
        try (PointerScope ignored = new PointerScope()) {
            Tensor x = Tensors.fromDoubles(centred, nb, dim);
            chunkScatter = Tensors.toDoubles(x.t().mm(x));
        }
        long na = merged;
        long n = na + nb;
        double[] delta = new double[dim];
        for (int j = 0; j < dim; j++) {
            delta[j] = chunkMean[j] - mean[j];
        }
        double w = (double) na * nb / n;
        for (int i = 0; i < dim; i++) {
            int row = i * dim;
            double di = delta[i] * w;
            for (int j = 0; j < dim; j++) {
                scatter[row + j] += chunkScatter[row + j] + di * delta[j];
            }
        }
        for (int j = 0; j < dim; j++) {
            mean[j] += delta[j] * nb / n;
        }
        merged = n;
        buffered = 0;
    }
}
