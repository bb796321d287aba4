package io.github.diffusion4j.param;

/**
 * EDM preconditioning (Karras et al. 2022, Table 1): c_skip = σ_d²/(σ²+σ_d²),
 * c_out = σσ_d/√(σ²+σ_d²), c_in = 1/√(σ²+σ_d²), c_noise = ¼ ln σ.
 */
public record EdmPreconditioning(double sigmaData) implements Preconditioning {
    /** σ_data = 0.5, EDM's default for images in [−1, 1]. */
    public static EdmPreconditioning edm() {
        return new EdmPreconditioning(0.5);
    }

    @Override
    public Scalings at(double sigma) {
        double s2 = sigma * sigma + sigmaData * sigmaData;
        double root = Math.sqrt(s2);
        return new Scalings(sigmaData * sigmaData / s2, sigma * sigmaData / root, 1.0 / root, 0.25 * Math.log(sigma));
    }
}
