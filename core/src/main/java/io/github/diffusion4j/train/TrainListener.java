package io.github.diffusion4j.train;

import java.nio.file.Path;

/** What a training run reports as it goes: progress for bars, messages, checkpoints. */
public interface TrainListener {
    /** After every step; {@code loss} is NaN for a skipped step. */
    default void onStep(long step, long totalSteps, double loss, double imagesPerSecond) {}

    /** A line also written to log.txt. */
    default void onMessage(String line) {}

    /** After a checkpoint's files are complete. */
    default void onCheckpoint(long step, Path state, Path ema, Path grid) {}

    TrainListener NONE = new TrainListener() {};
}
