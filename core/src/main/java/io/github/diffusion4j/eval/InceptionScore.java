package io.github.diffusion4j.eval;

/**
 * Inception Score (Salimans et al. 2016, Sec. 4): IS = exp(E_x KL(p(y|x) ‖ p(y))), computed as in the
 * reference implementation ({@code inception_score.py} of improved-gan): the rows are cut into
 * {@code splits} consecutive parts of ⌊N / splits⌋ rows (a remainder is dropped), p(y) is the mean
 * row of each part, and the result is the mean and population standard deviation ({@code numpy.std})
 * of the per-part scores. Terms with p(y|x) = 0 contribute 0 (0 log 0 = 0).
 *
 * @param mean mean of the per-split scores
 * @param std population standard deviation of the per-split scores
 * @param splits number of splits
 */
public record InceptionScore(double mean, double std, int splits) {
    /** The reference implementation's number of splits. */
    public static final int DEFAULT_SPLITS = 10;
    private static final double SUM_TOLERANCE = 1e-6;

    /** IS of class-probability rows with the default 10 splits. */
    public static InceptionScore ofProbabilities(double[][] probabilities) {
        return ofProbabilities(probabilities, DEFAULT_SPLITS);
    }

    /**
     * IS of class-probability rows: each row must be non-negative and sum to 1 within 1e-6
     * (it is used as given, not renormalised).
     */
    public static InceptionScore ofProbabilities(double[][] probabilities, int splits) {
        int classes = Dense.width(probabilities, "class probabilities");
        for (int i = 0; i < probabilities.length; i++) {
            double sum = 0;
            for (double p : probabilities[i]) {
                if (!(p >= 0) || p == Double.POSITIVE_INFINITY) {
                    throw new IllegalArgumentException("class probabilities: row " + i + " has an entry " + p);
                }
                sum += p;
            }
            if (Math.abs(sum - 1) > SUM_TOLERANCE) {
                throw new IllegalArgumentException("class probabilities: row " + i + " sums to " + sum + ", not 1");
            }
        }
        return score(probabilities, classes, splits);
    }

    /** IS of classifier logits with the default 10 splits. */
    public static InceptionScore ofLogits(double[][] logits) {
        return ofLogits(logits, DEFAULT_SPLITS);
    }

    /** IS of classifier logits, turned into probabilities by a softmax with the row maximum subtracted. */
    public static InceptionScore ofLogits(double[][] logits, int splits) {
        int classes = Dense.width(logits, "logits");
        double[][] p = new double[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            p[i] = softmax(logits[i], i);
        }
        return score(p, classes, splits);
    }

    private static double[] softmax(double[] z, int row) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("logits: row " + row + " has a non-finite entry " + v);
            }
            max = Math.max(max, v);
        }
        double[] out = new double[z.length];
        double sum = 0;
        for (int c = 0; c < z.length; c++) {
            out[c] = Math.exp(z[c] - max);
            sum += out[c];
        }
        for (int c = 0; c < z.length; c++) {
            out[c] /= sum;
        }
        return out;
    }

    private static InceptionScore score(double[][] p, int classes, int splits) {
        if (splits < 1 || splits > p.length) {
            throw new IllegalArgumentException("splits must be in [1, " + p.length + "], got " + splits);
        }
        int part = p.length / splits;
        double[] scores = new double[splits];
        for (int k = 0; k < splits; k++) {
            int from = k * part;
            double[] marginal = new double[classes];
            for (int i = from; i < from + part; i++) {
                for (int c = 0; c < classes; c++) {
                    marginal[c] += p[i][c];
                }
            }
            for (int c = 0; c < classes; c++) {
                marginal[c] /= part;
            }
            double kl = 0;
            for (int i = from; i < from + part; i++) {
                for (int c = 0; c < classes; c++) {
                    double q = p[i][c];
                    if (q > 0) {
                        kl += q * (Math.log(q) - Math.log(marginal[c]));
                    }
                }
            }
            scores[k] = Math.exp(kl / part);
        }
        double mean = 0;
        for (double s : scores) {
            mean += s;
        }
        mean /= splits;
        double var = 0;
        for (double s : scores) {
            var += (s - mean) * (s - mean);
        }
        return new InceptionScore(mean, Math.sqrt(var / splits), splits);
    }
}
