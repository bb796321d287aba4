package io.github.diffusion4j.param;

/** The loss weight λ(σ) on ‖D(x; σ) − x₀‖² (Karras et al. 2022, Eq. 8). */
public interface LossWeighting {
    /** λ at noise level {@code sigma} for a parametrisation with output scale {@code cOut}. */
    double lambda(double sigma, double cOut, double sigmaData);

    /**
     * λ = 1/c_out²: an unweighted MSE in the network's output space. For EDM's F this is EDM's
     * λ(σ) = (σ²+σ_d²)/(σσ_d)² (Table 1); for ε-prediction it is the ε-MSE of DDPM.
     */
    LossWeighting NATURAL = (sigma, cOut, sigmaData) -> 1.0 / (cOut * cOut);

    /**
     * Min-SNR-γ (Hang et al. 2023, Eq. 7): λ = min(SNR, γ) on the x₀ error with
     * SNR = σ_d²/σ² (= ᾱ/(1−ᾱ) for VP with σ_d = 1); γ = 5 in the paper.
     */
    static LossWeighting minSnr(double gamma) {
        return (sigma, cOut, sigmaData) -> Math.min(sigmaData * sigmaData / (sigma * sigma), gamma);
    }
}
