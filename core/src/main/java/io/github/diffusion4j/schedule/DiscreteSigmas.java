package io.github.diffusion4j.schedule;

/**
 * N of a discrete VP model's training noise levels, re-spaced for few-step sampling (DDIM, Song
 * et al. 2021, Sec. 4.2; dual_diffusion {@code respace.py}): LEADING uses t ∈ {0, T/N, 2T/N, …}
 * (never reaches T−1), TRAILING uses {T/N−1, 2T/N−1, …, T−1}; visited from the largest σ down,
 * then σ_N = 0. For N dividing T these are exactly dual_diffusion's 'ddim' and 'ddodm' spacings
 * (checked against its arrays). Otherwise they keep N steps where the official code does not:
 * 'ddim' is {@code range(0, T, T // N)}, N + 1 steps, and 'ddodm' {@code range(T − 1, −1, −⌈T/N⌉)}
 * ({@code -T // N} floors a negative number, {@code respace.py:11}).
 */
public record DiscreteSigmas(DiscreteVpSchedule schedule, Spacing spacing) implements Discretization {
    /** How the N visited training steps are chosen among the T. */
    public enum Spacing { LEADING, TRAILING }

    /** The training step indices visited, in increasing order. */
    public int[] timesteps(int steps) {
        Discretization.requireSteps(steps);
        int total = schedule.steps();
        if (steps > total) {
            throw new IllegalArgumentException("steps " + steps + " exceeds the schedule's " + total + " training steps");
        }
        int[] t = new int[steps];
        for (int i = 0; i < steps; i++) {
            t[i] = spacing == Spacing.LEADING ? (int) Math.floor((double) i * total / steps)
                    : (int) Math.round((double) (i + 1) * total / steps) - 1;
        }
        return t;
    }

    @Override
    public double[] sigmas(int steps) {
        int[] t = timesteps(steps);
        double[] s = new double[steps];
        for (int i = 0; i < steps; i++) {
            s[i] = schedule.sigmaAt(t[steps - 1 - i]);
        }
        return Discretization.withFinalZero(s);
    }
}
