package io.github.diffusion4j.schedule;

import java.util.Arrays;

/**
 * A grid with every level ≥ σ_trunc dropped and the final σ = 0 kept, as Relay's stage-2 sampler
 * truncates EDM's grid (Teng et al. 2024; RelayDiffusion {@code generate.py}: keep σ &lt;
 * {@code truncation_sigma}; methods.md §3.4): sampling then starts at the first kept level, so
 * {@code sigmas(N)} has M + 1 ≤ N + 1 levels (Relay ImageNet: a 200-step grid keeps 100 steps).
 */
public record TruncatedSigmas(Discretization base, double truncation) implements Discretization {
    public TruncatedSigmas {
        if (base == null) {
            throw new IllegalArgumentException("need a base discretization");
        }
        if (!(truncation > 0)) {
            throw new IllegalArgumentException("truncation σ must be > 0, got " + truncation);
        }
    }

    @Override
    public double[] sigmas(int steps) {
        double[] all = base.sigmas(steps);
        double[] kept = Arrays.stream(all, 0, all.length - 1).filter(s -> s < truncation).toArray();
        if (kept.length == 0) {
            throw new IllegalArgumentException("no level of the " + steps + "-step grid lies below the truncation σ = "
                    + truncation + " (its smallest nonzero level is " + all[all.length - 2] + ")");
        }
        return Discretization.withFinalZero(kept);
    }
}
