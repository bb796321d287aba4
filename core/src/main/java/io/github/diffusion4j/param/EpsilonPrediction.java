package io.github.diffusion4j.param;

/** ε-prediction (Ho et al. 2020): x̂₀ = x − σ ε̂, so c_skip = 1, c_out = −σ; the natural loss is ε-MSE. */
public final class EpsilonPrediction extends ScaledOutput {
    @Override
    protected double cSkip(double sigma, Scalings pre, double sigmaData) {
        return 1.0;
    }

    @Override
    protected double cOut(double sigma, Scalings pre, double sigmaData) {
        return -sigma;
    }

    @Override
    public String toString() {
        return "EpsilonPrediction";
    }
}
