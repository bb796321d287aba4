package io.github.diffusion4j.param;

/** x₀-prediction: x̂₀ = F, so c_skip = 0, c_out = 1. */
public final class SamplePrediction extends ScaledOutput {
    @Override
    protected double cSkip(double sigma, Scalings pre, double sigmaData) {
        return 0.0;
    }

    @Override
    protected double cOut(double sigma, Scalings pre, double sigmaData) {
        return 1.0;
    }

    @Override
    public String toString() {
        return "SamplePrediction";
    }
}
