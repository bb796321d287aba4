package io.github.diffusion4j.schedule;

/** The training noise distribution p(σ) (Karras et al. 2022, Sec. 5 "p_train"). */
public interface TrainingNoise {
    /**
     * One σ drawn from p(σ), given a standard normal {@code z} and an independent uniform
     * {@code u} in [0, 1) (the caller owns the random stream, so draws are reproducible per seed).
     */
    double sample(double z, double u);
}
