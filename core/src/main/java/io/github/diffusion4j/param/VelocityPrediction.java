package io.github.diffusion4j.param;

/** v-prediction (Salimans \&amp; Ho 2022, Sec. 4): v = α ε − σ_vp x₀ with σ_data scaling, so c_skip = σ_d²/(σ²+σ_d²), c_out = −σσ_d/√(σ²+σ_d²). */
public final class VelocityPrediction extends ScaledOutput {
    @Override
    protected double cSkip(double sigma, Scalings pre, double sigmaData) {
        return sigmaData * sigmaData / (sigma * sigma + sigmaData * sigmaData);
    }

    @Override
    protected double cOut(double sigma, Scalings pre, double sigmaData) {
        return -sigma * sigmaData / Math.sqrt(sigma * sigma + sigmaData * sigmaData);
    }

    @Override
    public String toString() {
        return "VelocityPrediction";
    }
}
