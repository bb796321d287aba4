package io.github.diffusion4j.param;

/**
 * A preconditioning: D(x; σ) = c_skip(σ) x + c_out(σ) F(c_in(σ) x; c_noise(σ))
 * (Karras et al. 2022, Eq. 7, Table 1).
 */
public interface Preconditioning {
    /** The scalings at noise level {@code sigma}. */
    Scalings at(double sigma);

    /** The data standard deviation σ_data the scalings assume. */
    double sigmaData();
}
