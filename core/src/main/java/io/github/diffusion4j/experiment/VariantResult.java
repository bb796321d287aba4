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
 * @param stages               a cascade's stages, stage 0 first (empty for one model); for a cascade the cost fields are the
 *                             last stage's, parameters and steps the sums
 */
public record VariantResult(String name, String description, List<String> overrides, long parameters, double forwardGflop,
        double trainGflopPerImage, long steps, int batch, long imagesSeen, double trainImagesPerSecond, List<CurvePoint> curve,
        List<Evaluation> evaluations, String machine, List<Stage> stages) {

    public VariantResult {
        overrides = overrides == null ? List.of() : List.copyOf(overrides);
        curve = curve == null ? List.of() : List.copyOf(curve);
        evaluations = evaluations == null ? List.of() : List.copyOf(evaluations);
        stages = stages == null ? List.of() : List.copyOf(stages);
    }

    /** One stage of a cascade variant as trained: resolution, size, cost, budget share and measured throughput. */
    public record Stage(int resolution, long parameters, double forwardGflop, double trainGflopPerImage, long steps, long imagesSeen,
            double trainImagesPerSecond) {}

    /** Training GFLOPs of the whole variant (summed over a cascade's stages). */
    public double trainGflop() {
        return stages.isEmpty() ? imagesSeen * trainGflopPerImage : stages.stream().mapToDouble(s -> s.imagesSeen() * s.trainGflopPerImage()).sum();
    }

    /** One checkpoint evaluation ({@code evaluation.duringTraining} samples with the protocol's first point). */
    public record CurvePoint(long step, double kimg, double fd, double kid, Double labelAccuracy) {}

    /**
     * The protocol's measurement at one (sampler, steps) point: {@code nfe} network evaluations per
     * sample (×2 under guidance), sampling seconds per image as measured, and the metrics. For a
     * cascade: the point sets the last stage's sampler and steps (a relay stage keeps its relay sampler
     * at those steps before truncation), {@code nfe} is the last stage's, the GFLOPs and seconds the
     * whole chain's, at the stages' {@code levels} (one per stage after the base; null for one model), {@code truncated}
     * or not (null for one model); {@code measure}: the sampling overrides of a one-model variant's measurement (null: its own).
     */
    public record Evaluation(String sampler, int steps, int nfe, double samplingGflopPerImage, double samplingSecondsPerImage, int n,
            double fd, double kid, double precision, double recall, Double labelAccuracy, List<Double> levels, Boolean truncated,
            List<String> measure) {
        public Evaluation(String sampler, int steps, int nfe, double samplingGflopPerImage, double samplingSecondsPerImage, int n,
                double fd, double kid, double precision, double recall, Double labelAccuracy) {
            this(sampler, steps, nfe, samplingGflopPerImage, samplingSecondsPerImage, n, fd, kid, precision, recall, labelAccuracy, null, null,
                    null);
        }

        /** What identifies the measurement besides the point: the cascade's levels and mode, or the sampling overrides. */
        boolean sameSetting(List<Double> otherLevels, Boolean otherTruncated, List<String> otherMeasure) {
            return java.util.Objects.equals(levels, otherLevels) && java.util.Objects.equals(truncated, otherTruncated)
                    && java.util.Objects.equals(measure, otherMeasure);
        }

        /** The setting as the report names it: the cascade's levels (and "truncated"), or the sampling overrides; "" for none. */
        public String settingName() {
            if (levels != null) {
                return levels + (Boolean.TRUE.equals(truncated) ? " truncated" : "");
            }
            return measure == null ? "" : String.join(", ", measure);
        }

        public ExperimentSpec.Point point() {
            return new ExperimentSpec.Point(sampler, steps);
        }
    }

    /** The evaluation at {@code point}, if measured. */
    public Optional<Evaluation> at(ExperimentSpec.Point point) {
        return at(point, null, null, null);
    }

    /** The evaluation at {@code point}, cascade {@code levels} and mode {@code truncated}, or sampling overrides {@code measure}, if measured. */
    public Optional<Evaluation> at(ExperimentSpec.Point point, List<Double> levels, Boolean truncated, List<String> measure) {
        return evaluations.stream().filter(e -> e.point().equals(point) && e.sameSetting(levels, truncated, measure)).findFirst();
    }

    /** This result measured on {@code where}. */
    public VariantResult on(String where) {
        return new VariantResult(name, description, overrides, parameters, forwardGflop, trainGflopPerImage, steps, batch, imagesSeen,
                trainImagesPerSecond, curve, evaluations, where, stages);
    }

    /** This result with {@code e} added (replacing one at the same point). */
    public VariantResult with(Evaluation e) {
        List<Evaluation> all = new ArrayList<>(evaluations.stream()
                .filter(x -> !(x.point().equals(e.point()) && x.sameSetting(e.levels(), e.truncated(), e.measure()))).toList());
        all.add(e);
        return new VariantResult(name, description, overrides, parameters, forwardGflop, trainGflopPerImage, steps, batch, imagesSeen,
                trainImagesPerSecond, curve, all, machine, stages);
    }
}
