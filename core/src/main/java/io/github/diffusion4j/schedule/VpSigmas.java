package io.github.diffusion4j.schedule;

/**
 * VP time steps (Karras et al. 2022, Table 1, VP column): t_i = 1 + i/(N−1)(ε_s − 1),
 * σ_i = σ(t_i) for a continuous VP schedule, then σ_N = 0.
 */
public record VpSigmas(VpSchedule schedule, double epsilonS) implements Discretization {
    /** EDM's VP discretisation: linear β (19.9, 0.1), ε_s = 1e-3. */
    public static VpSigmas edm() {
        return new VpSigmas(LinearVpSchedule.edm(), 1e-3);
    }

    @Override
    public double[] sigmas(int steps) {
        Discretization.requireSteps(steps);
        double[] s = new double[steps];
        for (int i = 0; i < steps; i++) {
            double frac = Discretization.fraction(i, steps);
            s[i] = schedule.sigma(1 + frac * (epsilonS - 1));
        }
        return Discretization.withFinalZero(s);
    }
}
