package io.github.diffusion4j.eval;

import io.github.diffusion4j.engine.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * Moves feature rows into float64 libtorch tensors, whose matrix products run on BLAS; the callers
 * open the {@link org.bytedeco.javacpp.PointerScope} that frees the tensors.
 */
final class Dense {
    private Dense() {}

    /** The number of columns of {@code rows}, checked to be the same for every row and at least 1. */
    static int width(double[][] rows, String what) {
        if (rows.length == 0) {
            throw new IllegalArgumentException(what + ": no rows");
        }
        int d = rows[0].length;
        if (d == 0) {
            throw new IllegalArgumentException(what + ": rows have no columns");
        }
        for (int i = 1; i < rows.length; i++) {
            if (rows[i].length != d) {
                throw new IllegalArgumentException(
                        what + ": row " + i + " has " + rows[i].length + " columns, row 0 has " + d);
            }
        }
        return d;
    }

    /** A float64 tensor {@code [rows.length, d]} holding a copy of the rows. */
    static Tensor matrix(double[][] rows, int d) {
        double[] flat = new double[Math.multiplyExact(rows.length, d)];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * d, d);
        }
        return Tensors.fromDoubles(flat, rows.length, d);
    }

    /** A float64 tensor {@code [d, d]} holding a copy of a square matrix. */
    static Tensor square(double[][] m, int d, String what) {
        if (m.length != d) {
            throw new IllegalArgumentException(what + " has " + m.length + " rows, expected " + d);
        }
        for (int i = 0; i < d; i++) {
            if (m[i].length != d) {
                throw new IllegalArgumentException(what + " row " + i + " has " + m[i].length + " entries, expected " + d);
            }
        }
        return matrix(m, d);
    }

    /** An int64 tensor holding {@code values}, for {@code index_select}. */
    static Tensor indices(long[] values) {
        return Tensors.fromLongs(values);
    }

    /** The entries of a 2-D tensor as rows of a Java matrix. */
    static double[][] rows(Tensor t) {
        int n = Math.toIntExact(t.size(0));
        int m = Math.toIntExact(t.size(1));
        double[] flat = Tensors.toDoubles(t);
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * m, out[i], 0, m);
        }
        return out;
    }
}
