package io.github.diffusion4j.cli;

import io.github.diffusion4j.assemble.SamplerAssembly;
import io.github.diffusion4j.experiment.ExperimentSpec;
import io.github.diffusion4j.experiment.VariantPlan;
import io.github.diffusion4j.sample.Churn;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The time left for a whole experiment: the GFLOPs still to do (training, checkpoint and protocol
 * sampling, from the variants' analytic costs) over the throughput measured so far, training and
 * sampling separately (sampling at the training throughput until one evaluation has been timed).
 */
final class ExperimentEta {
    private final ExperimentSpec.Protocol protocol;
    private final List<VariantPlan> plans;
    private final Map<String, Long> stepsDone = new HashMap<>();
    /** Evaluations done per variant and protocol point (a point is measured once per setting of a sweep). */
    private final Map<String, Integer> measured = new HashMap<>();
    private double trainGflopPerSecond = Double.NaN;
    private double sampleGflopPerSecond = Double.NaN;

    ExperimentEta(ExperimentSpec.Protocol protocol, List<VariantPlan> plans) {
        this.protocol = protocol;
        this.plans = plans;
    }

    /** Variant (or cascade stage) {@code p} is trained up to {@code step}. */
    void trained(VariantPlan p, long step) {
        stepsDone.put(p.name(), step);
    }

    /** Variant {@code p} is training at {@code step} at {@code imagesPerSecond}. */
    void training(VariantPlan p, long step, double imagesPerSecond) {
        stepsDone.put(p.name(), step);
        if (imagesPerSecond > 0 && Double.isFinite(imagesPerSecond)) {
            trainGflopPerSecond = imagesPerSecond * p.trainGflopPerImage();
        }
    }

    /** Protocol point {@code point} of {@code p} is measured (in {@code seconds} of sampling; NaN: measured earlier). */
    void evaluated(VariantPlan p, ExperimentSpec.Point point, double seconds) {
        measured.merge(p.name() + "/" + point.key(), 1, Integer::sum);
        if (seconds > 0) {
            sampleGflopPerSecond = samplingGflop(p, point) / seconds;
        }
    }

    /** The time left, as "12 min", or "unknown" before any throughput is measured. */
    String remaining() {
        double trainWork = 0;
        double sampleWork = 0;
        ExperimentSpec.Point first = protocol.points().get(0);
        for (VariantPlan p : plans) {
            for (VariantPlan unit : p.cascade() ? p.stages() : List.of(p)) {
                long left = unit.steps() - stepsDone.getOrDefault(unit.name(), 0L);
                trainWork += left * (double) unit.config().training().batch() * unit.trainGflopPerImage();
                double fractionLeft = (double) left / unit.steps();
                int checkpoints = (int) Math.ceil((double) unit.steps() / unit.config().training().checkpointEvery());
                sampleWork += fractionLeft * checkpoints * samplingGflop(unit, first) * unit.config().evaluation().n() / protocol.n();
            }
            List<ExperimentSpec.Point> points = protocol.points();
            for (int i = 0; i < points.size(); i++) { // the sweep (levels × modes, or measure settings) at the first point only
                int settings = i > 0 ? 1 : p.cascade() ? Math.max(1, p.levels().size()) * Math.max(1, p.truncated().size())
                        : Math.max(1, p.measure().size());
                int left = settings - measured.getOrDefault(p.name() + "/" + points.get(i).key(), 0);
                sampleWork += samplingGflop(p, points.get(i)) * Math.max(0, left);
            }
        }
        if (Double.isNaN(trainGflopPerSecond) && trainWork > 0 || Double.isNaN(trainGflopPerSecond) && Double.isNaN(sampleGflopPerSecond)) {
            return trainWork + sampleWork == 0 ? "0 min" : "unknown (no throughput measured yet)";
        }
        double sampleRate = Double.isNaN(sampleGflopPerSecond) ? trainGflopPerSecond : sampleGflopPerSecond;
        double seconds = (trainWork > 0 ? trainWork / trainGflopPerSecond : 0) + sampleWork / sampleRate;
        return seconds < 90 ? Math.round(seconds) + " s" : Math.round(seconds / 60) + " min";
    }

    /** GFLOPs of the protocol's n samples of {@code p} at {@code point} (×2 under guidance; a cascade: every stage at the point's NFE, an upper bound). */
    private double samplingGflop(VariantPlan p, ExperimentSpec.Point point) {
        int nfe = SamplerAssembly.sampler(point.sampler(), Churn.NONE).evaluations(point.steps());
        double forward = p.cascade() ? p.stages().stream().mapToDouble(VariantPlan::forwardGflop).sum() : p.forwardGflop();
        return protocol.n() * nfe * (protocol.guidance() == 1.0 ? 1 : 2) * forward;
    }
}
