package io.github.diffusion4j.schedule;

/** EDM's p(σ): ln σ ~ N(P_mean, P_std²) (Karras et al. 2022, Table 1, "Training"; P_mean = −1.2, P_std = 1.2). */
public record LogNormalSigma(double pMean, double pStd) implements TrainingNoise {
    /** EDM's defaults. */
    public static LogNormalSigma edm() {
        return new LogNormalSigma(-1.2, 1.2);
    }

    @Override
    public double sample(double z, double u) {
        return Math.exp(pMean + pStd * z);
    }
}
