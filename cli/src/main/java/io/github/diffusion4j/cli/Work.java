package io.github.diffusion4j.cli;

import io.github.diffusion4j.sample.StepListener;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar with rate and ETA on stderr for work that is not training (sampling, feature
 * passes, evaluation), like {@link Progress}: redrawn in place on a terminal, one line every 15 s
 * otherwise.
 */
final class Work implements AutoCloseable {
    private final ProgressBar bar;
    private boolean sized;

    private Work(String task, long max, String unit) {
        boolean tty = System.console() != null;
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(tty ? 500 : 15_000).setMaxRenderedLength(120).setInitialMax(max)
                .setUnit(" " + unit, 1).showSpeed();
        if (!tty) {
            b.setConsumer(new DelegatingProgressBarConsumer(System.err::println, 120));
        }
        bar = b.build();
    }

    /** A bar for {@code max} units of {@code task}. */
    static Work start(String task, long max, String unit) {
        return new Work(task, max, unit);
    }

    void stepBy(long n) {
        bar.stepBy(n);
    }

    void stepTo(long n) {
        bar.stepTo(n);
    }

    /** A listener counting sampler steps over {@code batches} batches (the total is set from the first call's step count). */
    StepListener samplerSteps(long batches) {
        return (step, steps, sigma, sigmaNext, x, denoised) -> {
            if (!sized) {
                bar.maxHint(batches * steps);
                sized = true;
            }
            bar.step();
        };
    }

    /** Sampler batches needed for {@code n} images in batches of {@code batch}. */
    static long batches(long n, int batch) {
        return (n + batch - 1) / batch;
    }

    @Override
    public void close() {
        bar.close();
    }
}
