package io.github.diffusion4j.schedule;

/**
 * A variance-preserving noise process x_t = √ᾱ(t) x₀ + √(1−ᾱ(t)) ε, expressed through the EDM
 * noise level σ(t) = √((1−ᾱ)/ᾱ) and its inverse (methods.md, notation; Karras et al. 2022, Eq. 4).
 */
public interface VpSchedule {
    /** σ at time {@code t}. */
    double sigma(double t);

    /** The time at which the process reaches noise level {@code sigma}. */
    double t(double sigma);

    /** The signal scale √ᾱ = 1/√(1+σ²) at noise level {@code sigma}. */
    static double alpha(double sigma) {
        return 1.0 / Math.sqrt(1.0 + sigma * sigma);
    }

    /** The VP noise scale √(1−ᾱ) = σ/√(1+σ²) at EDM noise level {@code sigma}. */
    static double vpSigma(double sigma) {
        return sigma / Math.sqrt(1.0 + sigma * sigma);
    }

    /** ᾱ = 1/(1+σ²). */
    static double alphaBar(double sigma) {
        return 1.0 / (1.0 + sigma * sigma);
    }

    /** σ = √((1−ᾱ)/ᾱ). */
    static double sigmaOfAlphaBar(double alphaBar) {
        return Math.sqrt((1.0 - alphaBar) / alphaBar);
    }
}
