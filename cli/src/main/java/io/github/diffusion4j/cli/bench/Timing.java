package io.github.diffusion4j.cli.bench;

import java.util.Arrays;

/** Repeated timing with a median, robust to the noise of a shared machine. */
final class Timing {
    private Timing() {}

    /** Median wall time in seconds of {@code reps} runs of {@code body}, after {@code warmup} untimed runs. */
    static double median(int warmup, int reps, Runnable body) {
        for (int i = 0; i < warmup; i++) {
            body.run();
        }
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long start = System.nanoTime();
            body.run();
            t[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(t);
        return reps % 2 == 1 ? t[reps / 2] : 0.5 * (t[reps / 2 - 1] + t[reps / 2]);
    }
}
