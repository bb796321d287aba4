package io.github.diffusion4j.testing;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.engine.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * The ideal denoiser for a 2-D mixture Σ_k w_k N(μ_k, s_k² I): posterior responsibilities
 * r_k ∝ w_k N(x; μ_k, (s_k²+σ²) I) and D = Σ_k r_k (μ_k + s_k²/(s_k²+σ²)(x − μ_k)), in plain Java.
 */
public final class MixtureDenoiser implements Denoiser {
    public final double[] weights;
    public final double[][] means;
    public final double[] variances;

    public MixtureDenoiser(double[] weights, double[][] means, double[] variances) {
        this.weights = weights;
        this.means = means;
        this.variances = variances;
    }

    /** Three well separated, unequally weighted modes. */
    public static MixtureDenoiser example() {
        return new MixtureDenoiser(new double[] {0.5, 0.3, 0.2},
                new double[][] {{-2, 0}, {2, 1}, {0, -3}}, new double[] {0.25, 0.09, 0.16});
    }

    public double[] mean() {
        double[] m = new double[2];
        for (int k = 0; k < weights.length; k++) {
            m[0] += weights[k] * means[k][0];
            m[1] += weights[k] * means[k][1];
        }
        return m;
    }

    /** Σ = Σ_k w_k (s_k² I + μ_k μ_kᵀ) − μ μᵀ. */
    public double[][] covariance() {
        double[] m = mean();
        double[][] c = new double[2][2];
        for (int k = 0; k < weights.length; k++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    c[i][j] += weights[k] * ((i == j ? variances[k] : 0) + means[k][i] * means[k][j]);
                }
            }
        }
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                c[i][j] -= m[i] * m[j];
            }
        }
        return c;
    }

    /** Index of the nearest mode mean. */
    public int nearestMode(double x, double y) {
        int best = 0;
        double bestD = Double.MAX_VALUE;
        for (int k = 0; k < means.length; k++) {
            double d = (x - means[k][0]) * (x - means[k][0]) + (y - means[k][1]) * (y - means[k][1]);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best;
    }

    @Override
    public Tensor denoise(Tensor x, Tensor sigma, Conditioning cond) {
        double[] xs = Tensors.toDoubles(x);
        double[] s = Tensors.toDoubles(sigma);
        double[] out = new double[xs.length];
        int kk = weights.length;
        for (int r = 0; r < s.length; r++) {
            double px = xs[2 * r], py = xs[2 * r + 1];
            double s2 = s[r] * s[r];
            double[] logR = new double[kk];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < kk; k++) {
                double var = variances[k] + s2;
                double dx = px - means[k][0], dy = py - means[k][1];
                logR[k] = Math.log(weights[k]) - Math.log(var) - (dx * dx + dy * dy) / (2 * var);
                max = Math.max(max, logR[k]);
            }
            double z = 0, ox = 0, oy = 0;
            for (int k = 0; k < kk; k++) {
                double w = Math.exp(logR[k] - max);
                double shrink = variances[k] / (variances[k] + s2);
                z += w;
                ox += w * (means[k][0] + shrink * (px - means[k][0]));
                oy += w * (means[k][1] + shrink * (py - means[k][1]));
            }
            out[2 * r] = ox / z;
            out[2 * r + 1] = oy / z;
        }
        return Tensors.fromDoubles(out, x.shape());
    }
}
