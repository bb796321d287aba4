package io.github.diffusion4j.cli;

import io.github.diffusion4j.train.TrainListener;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A training progress bar with rate, loss and ETA: counted in steps, or in seconds when the run
 * has a time budget. One line per tick when stderr is not a terminal.
 */
final class Progress implements TrainListener, AutoCloseable {
    private final ProgressBar bar;
    private final boolean timed;
    private final long startNanos = System.nanoTime();
    private final Suffix suffix;

    /** More text after the bar's own, from the step and the current rate (an experiment's ETA). */
    @FunctionalInterface
    interface Suffix {
        String after(long step, double imagesPerSecond);
    }

    Progress(String task, long start, long totalSteps, double minutes, Suffix suffix) {
        this.suffix = suffix;
        boolean tty = System.console() != null;
        timed = minutes > 0;
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(tty ? 500 : 15_000).setMaxRenderedLength(160);
        if (!tty) {
            b.setConsumer(new DelegatingProgressBarConsumer(System.err::println, 120));
        }
        if (timed) {
            b.setInitialMax(Math.round(minutes * 60)).setUnit(" s", 1);
        } else {
            b.setInitialMax(totalSteps).startsFrom(start, Duration.ZERO).setUnit(" steps", 1).showSpeed();
        }
        bar = b.build();
    }

    @Override
    public void onStep(long step, long totalSteps, double loss, double imagesPerSecond) {
        bar.stepTo(timed ? (System.nanoTime() - startNanos) / 1_000_000_000L : step);
        bar.setExtraMessage(String.format(" | step %d  loss %.4f  %.0f img/s", step, loss, imagesPerSecond)
                + suffix.after(step, imagesPerSecond));
    }

    @Override
    public void onMessage(String line) {
        System.err.println();
        System.err.println(line);
    }

    @Override
    public void close() {
        bar.close();
    }
}
