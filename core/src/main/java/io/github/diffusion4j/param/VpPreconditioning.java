package io.github.diffusion4j.param;

import io.github.diffusion4j.schedule.VpSchedule;

/**
 * VP preconditioning (Karras et al. 2022, Table 1): c_skip = 1, c_out = −σ, c_in = 1/√(σ²+1),
 * c_noise = s·σ⁻¹(σ), with s = M−1 = 999 for the continuous VP-SDE and 1 for a discrete schedule
 * whose times are already step indices.
 */
public record VpPreconditioning(VpSchedule schedule, double timeScale) implements Preconditioning {
    @Override
    public Scalings at(double sigma) {
        return new Scalings(1.0, -sigma, 1.0 / Math.sqrt(sigma * sigma + 1), timeScale * schedule.t(sigma));
    }

    @Override
    public double sigmaData() {
        return 1.0;
    }
}
