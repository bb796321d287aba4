package io.github.diffusion4j.testing;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.engine.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * The ideal denoiser for data ~ N(μ, Σ) with Σ = V diag(λ) Vᵀ given by construction:
 * D(x; σ) = μ + V diag(λ/(λ+σ²)) Vᵀ (x − μ), computed row by row in plain Java (no libtorch maths).
 */
public final class GaussianDenoiser implements Denoiser {
    final double[] mu;
    final double[][] v; // columns are eigenvectors
    final double[] lambda;

    public GaussianDenoiser(double[] mu, double[][] v, double[] lambda) {
        this.mu = mu;
        this.v = v;
        this.lambda = lambda;
    }

    /** A 3-D Gaussian with a rotated, anisotropic covariance. */
    public static GaussianDenoiser example3d() {
        double a = 0.7, b = -0.4;
        double[][] rz = {{Math.cos(a), -Math.sin(a), 0}, {Math.sin(a), Math.cos(a), 0}, {0, 0, 1}};
        double[][] rx = {{1, 0, 0}, {0, Math.cos(b), -Math.sin(b)}, {0, Math.sin(b), Math.cos(b)}};
        return new GaussianDenoiser(new double[] {0.5, -1.0, 2.0}, Linalg.matmul(rz, rx), new double[] {4.0, 1.0, 0.09});
    }

    public int dim() {
        return mu.length;
    }

    public double[] mean() {
        return mu.clone();
    }

    /** Σ = V diag(λ) Vᵀ. */
    public double[][] covariance() {
        return Linalg.sandwich(v, lambda);
    }

    /** The exact probability-flow ODE solution from {@code x} at σ_from to σ_to, per row. */
    public double[] flow(double[] x, double sigmaFrom, double sigmaTo) {
        double[] gain = new double[lambda.length];
        for (int k = 0; k < lambda.length; k++) {
            gain[k] = Math.sqrt((lambda[k] + sigmaTo * sigmaTo) / (lambda[k] + sigmaFrom * sigmaFrom));
        }
        return apply(x, gain);
    }

    private double[] apply(double[] x, double[] gain) {
        int d = mu.length;
        double[][] m = Linalg.sandwich(v, gain);
        double[] out = new double[x.length];
        for (int r = 0; r < x.length / d; r++) {
            for (int i = 0; i < d; i++) {
                double acc = 0;
                for (int j = 0; j < d; j++) {
                    acc += m[i][j] * (x[r * d + j] - mu[j]);
                }
                out[r * d + i] = mu[i] + acc;
            }
        }
        return out;
    }

    @Override
    public Tensor denoise(Tensor x, Tensor sigma, Conditioning cond) {
        double[] xs = Tensors.toDoubles(x);
        double[] s = Tensors.toDoubles(sigma);
        int d = mu.length;
        double[] out = new double[xs.length];
        for (int r = 0; r < s.length; r++) {
            double[] gain = new double[d];
            for (int k = 0; k < d; k++) {
                gain[k] = lambda[k] / (lambda[k] + s[r] * s[r]);
            }
            double[] row = apply(java.util.Arrays.copyOfRange(xs, r * d, r * d + d), gain);
            System.arraycopy(row, 0, out, r * d, d);
        }
        return Tensors.fromDoubles(out, x.shape());
    }
}
