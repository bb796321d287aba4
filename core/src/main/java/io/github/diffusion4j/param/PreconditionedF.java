package io.github.diffusion4j.param;

/** EDM's F-parametrisation (Karras et al. 2022, Eq. 7): c_skip and c_out come from the preconditioning itself. */
public final class PreconditionedF extends ScaledOutput {
    @Override
    protected double cSkip(double sigma, Scalings pre, double sigmaData) {
        return pre.cSkip();
    }

    @Override
    protected double cOut(double sigma, Scalings pre, double sigmaData) {
        return pre.cOut();
    }

    @Override
    public String toString() {
        return "PreconditionedF";
    }
}
