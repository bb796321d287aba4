package io.github.diffusion4j.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an experiment measured for one variant, as stored in {@code variants/NAME.json}: its cost,
 * its training, the FD curve of the checkpoint evaluations and one entry per protocol point.
 *
 * @param trainImagesPerSecond median over the run's logged windows (each logEvery steps)
 * @param machine              where the latest training or measurement ran (CPU, cores, vector and bf16 support)
 */
public record VariantResult(String name, String description, List<String> overrides, long parameters, double forwardGflop,
        double trainGflopPerImage, long steps, int batch, long imagesSeen, double trainImagesPerSecond, List<CurvePoint> curve,
        List<Evaluation> evaluations, String machine) {

    public VariantResult {
        overrides = overrides == null ? List.of() : List.copyOf(overrides);
        curve = curve == null ? List.of() : List.copyOf(curve);
        evaluations = evaluations == null ? List.of() : List.copyOf(evaluations);
    }

    /** One checkpoint evaluation ({@code evaluation.duringTraining} samples with the protocol's first point). */
    public record CurvePoint(long step, double kimg, double fd, double kid, Double labelAccuracy) {}

    /**
     * The protocol's measurement at one (sampler, steps) point: {@code nfe} network evaluations per
     * sample (×2 under guidance), sampling seconds per image as measured, and the metrics.
     */
    public record Evaluation(String sampler, int steps, int nfe, double samplingGflopPerImage, double samplingSecondsPerImage, int n,
            double fd, double kid, double precision, double recall, Double labelAccuracy) {
        public ExperimentSpec.Point point() {
            return new ExperimentSpec.Point(sampler, steps);
        }
    }

    /** The evaluation at {@code point}, if measured. */
    public Optional<Evaluation> at(ExperimentSpec.Point point) {
        return evaluations.stream().filter(e -> e.point().equals(point)).findFirst();
    }

    /** This result measured on {@code where}. */
    public VariantResult on(String where) {
        return new VariantResult(name, description, overrides, parameters, forwardGflop, trainGflopPerImage, steps, batch, imagesSeen,
                trainImagesPerSecond, curve, evaluations, where);
    }

    /** This result with {@code e} added (replacing one at the same point). */
    public VariantResult with(Evaluation e) {
        List<Evaluation> all = new ArrayList<>(evaluations.stream().filter(x -> !x.point().equals(e.point())).toList());
        all.add(e);
        return new VariantResult(name, description, overrides, parameters, forwardGflop, trainGflopPerImage, steps, batch, imagesSeen,
                trainImagesPerSecond, curve, all, machine);
    }
}
