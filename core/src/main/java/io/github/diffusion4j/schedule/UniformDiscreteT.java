package io.github.diffusion4j.schedule;

/** DDPM's p(σ): t uniform over the T training steps, σ = σ_t (Ho et al. 2020, Alg. 1). */
public record UniformDiscreteT(DiscreteVpSchedule schedule) implements TrainingNoise {
    @Override
    public double sample(double z, double u) {
        int t = Math.min((int) (u * schedule.steps()), schedule.steps() - 1);
        return schedule.sigmaAt(t);
    }
}
