package io.github.diffusion4j.schedule;

/**
 * A discrete VP model's training noise levels, re-spaced for few-step sampling (DDIM, Song et al.
 * 2021, Sec. 4.2; dual_diffusion {@code respace.py}), visited from the largest σ down, then 0.
 * LEADING uses t ∈ {0, T/N, 2T/N, …} (never reaches T−1) and TRAILING {T/N−1, 2T/N−1, …, T−1},
 * always N steps. DDIM and DDODM are the official dual_diffusion spacings bit for bit: 'ddim' is
 * {@code range(0, T, T // N)} (N + 1 steps when N does not divide T) and 'ddodm' is
 * {@code range(T − 1, −1, −⌈T/N⌉)} ({@code -T // N} is floor division of a negative number,
 * {@code respace.py:11}); for N dividing T they equal LEADING and TRAILING.
 */
public record DiscreteSigmas(DiscreteVpSchedule schedule, Spacing spacing) implements Discretization {
    /** How the N visited training steps are chosen among the T. */
    public enum Spacing { LEADING, TRAILING, DDIM, DDODM }

    /** The training step indices visited, in increasing order. */
    public int[] timesteps(int steps) {
        Discretization.requireSteps(steps);
        int total = schedule.steps();
        if (steps > total) {
            throw new IllegalArgumentException("steps " + steps + " exceeds the schedule's " + total + " training steps");
        }
        if (spacing == Spacing.DDIM) {
            return java.util.stream.IntStream.iterate(0, j -> j < total, j -> j + total / steps).toArray();
        }
        if (spacing == Spacing.DDODM) {
            int stride = -Math.floorDiv(-total, steps);
            int[] down = java.util.stream.IntStream.iterate(total - 1, j -> j >= 0, j -> j - stride).toArray();
            int[] t = new int[down.length];
            for (int i = 0; i < down.length; i++) {
                t[i] = down[down.length - 1 - i];
            }
            return t;
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
        double[] s = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            s[i] = schedule.sigmaAt(t[t.length - 1 - i]);
        }
        return Discretization.withFinalZero(s);
    }
}
