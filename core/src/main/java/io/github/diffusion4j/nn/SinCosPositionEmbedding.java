package io.github.diffusion4j.nn;

/**
 * The fixed 2-D sine-cosine position embedding of MAE (He et al. 2022, {@code get_2d_sincos_pos_embed}),
 * used by DiT and LEGO: for the token in row i, column j of a grid (row-major order), the first half of
 * the dim channels encodes the column j, the second half the row i, each as
 * {@code [sin(pos·ω_k), cos(pos·ω_k)]}, ω_k = 1/10000^(k/(dim/4)), k &lt; dim/4, in float64 then
 * rounded to float32 as the official code does. Non-square grids keep the same meaning per axis.
 */
public final class SinCosPositionEmbedding {
    private SinCosPositionEmbedding() {}

    /** The table [rows·cols, dim] flattened row-major, as float32. */
    public static float[] table(int dim, int rows, int cols) {
        if (dim < 4 || dim % 4 != 0) {
            throw new IllegalArgumentException("a 2-D sin-cos position embedding needs a width divisible by 4, got " + dim);
        }
        int quarter = dim / 4;
        double[] omega = new double[quarter];
        for (int k = 0; k < quarter; k++) {
            omega[k] = 1.0 / Math.pow(10000.0, (double) k / quarter);
        }
        float[] out = new float[rows * cols * dim];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int base = (i * cols + j) * dim;
                for (int k = 0; k < quarter; k++) {
                    out[base + k] = (float) Math.sin(j * omega[k]);
                    out[base + quarter + k] = (float) Math.cos(j * omega[k]);
                    out[base + 2 * quarter + k] = (float) Math.sin(i * omega[k]);
                    out[base + 3 * quarter + k] = (float) Math.cos(i * omega[k]);
                }
            }
        }
        return out;
    }
}
