package io.github.diffusion4j.process;

import io.github.diffusion4j.engine.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * The orthonormal 2-D DCT-II inside each non-overlapping p×p patch (Relay Diffusion, Teng et al.
 * 2024, Sec. 3.2; RelayDiffusion {@code blurring.py dct_2d(x, p, norm='ortho')}), for images
 * [B, C, H, W] of any H×W that p divides. Coefficients are written back in place, as the official
 * code does: pixel [i·p + a, j·p + b] holds coefficient (a, b) of patch (i, j), a the vertical
 * frequency. Per patch, U = M X Mᵀ with the orthonormal DCT-II matrix
 * M[k, n] = c_k cos(π(2n + 1)k/(2p)), c₀ = √(1/p), c_k = √(2/p); the inverse is X = Mᵀ U M.
 */
public record BlockDct(int patch) {
    public BlockDct {
        if (patch < 1) {
            throw new IllegalArgumentException("patch size must be >= 1, got " + patch);
        }
    }

    /** The p×p orthonormal DCT-II matrix M[k, n] (row k = frequency), float64 values in row-major order. */
    public static double[] matrix(int p) {
        double[] m = new double[p * p];
        for (int k = 0; k < p; k++) {
            double c = Math.sqrt((k == 0 ? 1.0 : 2.0) / p);
            for (int n = 0; n < p; n++) {
                m[k * p + n] = c * Math.cos(Math.PI * (2 * n + 1) * k / (2.0 * p));
            }
        }
        return m;
    }

    /** The coefficients of {@code x} [B, C, H, W], in place (same shape and dtype). */
    public Tensor forward(Tensor x) {
        return flat(coefficients(x), x);
    }

    /** The pixels of coefficients {@code u} [B, C, H, W] laid out in place; the inverse of {@link #forward}. */
    public Tensor inverse(Tensor u) {
        return pixels(blocks(u));
    }

    /**
     * The coefficients of {@code x} [B, C, H, W] as a [B, C, H/p, p, W/p, p] tensor: element
     * [.., i, a, j, b] is coefficient (a, b) of patch (i, j). Its reshape to [B, C, H, W] is
     * {@link #forward}; a per-coefficient table of shape [p, 1, p] broadcasts onto it.
     */
    public Tensor coefficients(Tensor x) {
        Tensor m = matrix(x);
        Tensor patches = blocks(x).permute(0, 1, 2, 4, 3, 5); // [B, C, I, J, a, b]
        return m.matmul(patches).matmul(m.t()).permute(0, 1, 2, 4, 3, 5); // M X Mᵀ, back to [B, C, I, a, J, b]
    }

    /** The pixels [B, C, H, W] of coefficients {@code u} [B, C, H/p, p, W/p, p] (as {@link #coefficients} gives). */
    public Tensor pixels(Tensor u) {
        Tensor m = matrix(u);
        Tensor x = m.t().matmul(u.permute(0, 1, 2, 4, 3, 5)).matmul(m).permute(0, 1, 2, 4, 3, 5); // Mᵀ U M
        long[] s = Tensors.shape(x);
        return x.reshape(s[0], s[1], s[2] * s[3], s[4] * s[5]);
    }

    /** {@code x} [B, C, H, W] viewed as [B, C, H/p, p, W/p, p]. */
    Tensor blocks(Tensor x) {
        long[] s = Tensors.shape(x);
        if (s.length != 4) {
            throw new IllegalArgumentException("block DCT needs images [B, C, H, W], got shape " + java.util.Arrays.toString(s));
        }
        if (s[2] % patch != 0 || s[3] % patch != 0) {
            throw new IllegalArgumentException("image " + s[2] + "x" + s[3] + " is not divisible into " + patch + "x" + patch + " patches");
        }
        return x.reshape(s[0], s[1], s[2] / patch, patch, s[3] / patch, patch);
    }

    private static Tensor flat(Tensor u, Tensor like) {
        long[] s = Tensors.shape(like);
        return u.reshape(s[0], s[1], s[2], s[3]);
    }

    private Tensor matrix(Tensor like) {
        return Tensors.fromDoubles(matrix(patch), patch, patch).to(like.scalar_type());
    }
}
