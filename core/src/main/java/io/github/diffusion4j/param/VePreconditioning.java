package io.github.diffusion4j.param;

/** VE preconditioning (Karras et al. 2022, Table 1): c_skip = 1, c_out = σ, c_in = 1, c_noise = ln(σ/2). */
public record VePreconditioning() implements Preconditioning {
    @Override
    public Scalings at(double sigma) {
        return new Scalings(1.0, sigma, 1.0, Math.log(0.5 * sigma));
    }

    @Override
    public double sigmaData() {
        return 1.0;
    }
}
