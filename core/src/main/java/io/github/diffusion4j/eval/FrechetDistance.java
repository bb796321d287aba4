package io.github.diffusion4j.eval;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Squared Fréchet distance between two Gaussians (Heusel et al. 2017, Eq. 6; Dowson &amp; Landau
 * 1982): d² = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (√Σ₁ Σ₂ √Σ₁)^{1/2}, the FID when the statistics are
 * those of Inception features.
 *
 * <p>The matrix square roots come from symmetric eigendecompositions: √Σ₁ = V diag(√max(λ, 0)) Vᵀ,
 * and the trace term is Σᵢ √max(νᵢ, 0) over the eigenvalues νᵢ of the symmetric positive
 * semi-definite √Σ₁ Σ₂ √Σ₁, which has the same spectrum as the product Σ₁Σ₂ that pytorch-fid
 * passes to {@code scipy.linalg.sqrtm}. Working with symmetric matrices only, and clipping the
 * tiny negative eigenvalues that round-off gives a singular covariance, keeps the result real and
 * finite for rank-deficient Σ (fewer samples than dimensions) without pytorch-fid's ε·I offset, which
 * changes the value it returns.
 *
 * <p>Eigendecomposition: libtorch's {@code linalg_eigh} on float64 tensors (LAPACK {@code syevd}),
 * because libtorch is already the engine's dependency and its LAPACK/BLAS path handles the 2048×2048
 * Inception covariances in seconds, where a pure-Java solver such as EJML would add a dependency and
 * run far slower at that size.
 *
 * <p>Round-off can make d² a tiny negative number when the two Gaussians are equal; it is returned
 * clipped at 0.
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    /** d² between the Gaussians fitted to two feature sets. */
    public static double of(FeatureStats a, FeatureStats b) {
        return of(a.mu(), a.sigma(), b.mu(), b.sigma());
    }

    /** d² between N(mu1, sigma1) and N(mu2, sigma2); the covariances are symmetrised before use. */
    public static double of(double[] mu1, double[][] sigma1, double[] mu2, double[][] sigma2) {
        int d = mu1.length;
        if (d == 0) {
            throw new IllegalArgumentException("mu1 is empty");
        }
        if (mu2.length != d) {
            throw new IllegalArgumentException("mu1 has " + d + " entries but mu2 has " + mu2.length);
        }
        double meanTerm = 0;
        for (int i = 0; i < d; i++) {
            double diff = mu1[i] - mu2[i];
            meanTerm += diff * diff;
        }
        double trace1;
        double trace2;
        double traceSqrt;
        try (PointerScope ignored = new PointerScope()) {
            Tensor s1 = symmetric(Dense.square(sigma1, d, "sigma1"));
            Tensor s2 = symmetric(Dense.square(sigma2, d, "sigma2"));
            Tensor root1 = sqrtPsd(s1);
            Tensor middle = symmetric(root1.mm(s2).mm(root1));
            Tensor nu = torch.linalg_eigvalsh(middle);
            traceSqrt = nu.clamp_min(new Scalar(0.0)).sqrt().sum().item_double();
            trace1 = s1.trace().item_double();
            trace2 = s2.trace().item_double();
        }
        double d2 = meanTerm + trace1 + trace2 - 2 * traceSqrt;
        if (Double.isNaN(d2)) {
            throw new IllegalArgumentException("Fréchet distance is NaN: the statistics contain non-finite values");
        }
        return Math.max(0.0, d2);
    }

    /**
     * Whether the symmetrised {@code sigma} is positive semi-definite up to {@code relTol} of its
     * largest variance: a Cholesky factorisation of Σ + δI, δ = relTol · max diag, succeeds exactly
     * when every eigenvalue of Σ exceeds −δ (a third of the cost of an eigendecomposition).
     */
    public static boolean positiveSemiDefinite(double[][] sigma, double relTol) {
        int d = sigma.length;
        double maxDiag = 0;
        for (int i = 0; i < d; i++) {
            maxDiag = Math.max(maxDiag, sigma[i][i]);
        }
        double delta = relTol * (maxDiag > 0 ? maxDiag : 1);
        try (PointerScope ignored = new PointerScope()) {
            Tensor s = symmetric(Dense.square(sigma, d, "sigma"));
            Tensor shifted = s.add(torch.eye(d, new org.bytedeco.pytorch.TensorOptions(s.scalar_type())).mul(new Scalar(delta)));
            T_TensorTensor_T chol = torch.linalg_cholesky_ex(shifted);
            return chol.get1().item_int() == 0;
        }
    }

    /** (M + Mᵀ) / 2. */
    private static Tensor symmetric(Tensor m) {
        return m.add(m.t()).mul(new Scalar(0.5));
    }

    /** The PSD square root V diag(√max(λ, 0)) Vᵀ of a symmetric matrix. */
    private static Tensor sqrtPsd(Tensor s) {
        T_TensorTensor_T eig = torch.linalg_eigh(s);
        Tensor lambda = eig.get0();
        Tensor v = eig.get1();
        Tensor scaled = v.mul(lambda.clamp_min(new Scalar(0.0)).sqrt().unsqueeze(0));
        return scaled.mm(v.t());
    }
}
