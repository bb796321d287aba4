package io.github.diffusion4j.train;

/** EDM's learning-rate schedule: a linear ramp over the first {@code warmupImages} images, then constant. */
public record LearningRate(double base, long warmupImages) {
    /** The learning rate after {@code imagesSeen} images. */
    public double at(long imagesSeen) {
        return warmupImages <= 0 ? base : base * Math.min(imagesSeen / (double) warmupImages, 1.0);
    }
}
