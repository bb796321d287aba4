package io.github.diffusion4j.experiment;

import io.github.diffusion4j.assemble.NetworkAssembly;
import io.github.diffusion4j.assemble.SamplerAssembly;
import io.github.diffusion4j.config.ConfigException;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.config.ExperimentConfig.EvaluationConfig;
import io.github.diffusion4j.config.ExperimentConfig.StageConfig;
import io.github.diffusion4j.config.ExperimentConfig.TrainingConfig;
import io.github.diffusion4j.net.Network;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * One variant of an {@link ExperimentSpec} resolved to the config it trains with: its source and
 * overrides, its analytic cost, and its share of the budget in steps. The config carries the
 * protocol's first sampler setting (so the checkpoint curve uses it), its guidance, the
 * {@code duringTraining} evaluation and the checkpoint spacing.
 *
 * @param overrides          the variant's own {@code set} (applied after the spec's common one)
 * @param trainGflopPerImage forward + backward ≈ 3 × the forward pass (the usual convention, Kaplan et al. 2020, Sec. 2.1)
 */
public record VariantPlan(String name, String description, String source, List<String> overrides, ExperimentConfig config,
        long parameters, double forwardGflop, double trainGflopPerImage, long steps, long images) {
    /** Training FLOPs per forward-pass FLOP (backward ≈ 2 × forward). */
    public static final double TRAIN_PER_FORWARD = 3.0;

    /** Every variant of {@code spec}, whose relative paths are read against {@code specDir}; needs libtorch (networks are built to count FLOPs). */
    public static List<VariantPlan> of(ExperimentSpec spec, Path specDir) {
        List<VariantPlan> out = new ArrayList<>();
        for (ExperimentSpec.Variant v : spec.variants()) {
            out.add(of(spec, v, specDir));
        }
        var first = out.get(0).config().data();
        for (VariantPlan p : out) {
            var d = p.config().data();
            if (!d.dataset().equals(first.dataset()) || d.resolution() != first.resolution() || d.channels() != first.channels()) {
                throw new ConfigException("experiment '" + spec.name() + "': variant '" + p.name() + "' trains on " + d.dataset() + " at "
                        + d.resolution() + " px but '" + out.get(0).name() + "' on " + first.dataset() + " at " + first.resolution()
                        + " px; one evaluation protocol needs one dataset");
            }
        }
        return out;
    }

    private static VariantPlan of(ExperimentSpec spec, ExperimentSpec.Variant v, Path specDir) {
        String source = v.config() != null ? v.config() : spec.base();
        String loadable = ConfigLoader.PRESET_NAMES.contains(source) ? source : specDir.resolve(source).toString();
        List<String> sets = new ArrayList<>(spec.set());
        sets.addAll(v.set());
        ExperimentConfig c;
        try {
            c = ConfigLoader.load(loadable, sets);
        } catch (ConfigException e) {
            throw new ConfigException("variant '" + v.name() + "': " + e.getMessage());
        }
        if (c.stages().size() != 1) {
            throw new ConfigException("variant '" + v.name() + "' has " + c.stages().size() + " stages; an experiment variant is one model"
                    + " (one stage) in this version");
        }
        StageConfig stage = c.onlyStage();
        long parameters;
        double forward;
        try (PointerScope scope = new PointerScope()) {
            Network net = NetworkAssembly.build(c);
            forward = net.flopsPerSample() / 1e9;
            parameters = net.namedParameters().values().stream().mapToLong(Tensor::numel).sum();
        }
        double train = TRAIN_PER_FORWARD * forward;
        ExperimentSpec.Budget b = spec.budget();
        long images = b.images() != null ? b.images() : (long) Math.ceil(b.gflops() / train);
        int batch = c.training().batch();
        long steps = Math.max(1, (images + batch - 1) / batch);
        int every = (int) Math.max(1, (steps + b.checkpoints() - 1) / b.checkpoints());
        ExperimentSpec.Protocol p = spec.evaluation();
        ExperimentSpec.Point first = p.points().get(0);
        StageConfig evaluated = new StageConfig(stage.resolution(), stage.model(), stage.diffusion(),
                SamplerAssembly.overridden(stage.sampling(), first.sampler(), first.steps(), p.guidance()), stage.coupling());
        TrainingConfig t = c.training();
        TrainingConfig budgeted = new TrainingConfig(t.batch(), t.lr(), t.weightDecay(), t.beta1(), t.beta2(), t.eps(), t.warmupImages(),
                t.emaHalfLifeImages(), t.emaRampup(), t.gradClip(), t.labelDropout(), t.bf16(), t.precision(), t.seed(), steps, 0,
                every, Math.min(t.logEvery(), every), t.maxBadSteps());
        ExperimentConfig resolved = new ExperimentConfig(v.name(), c.data(), List.of(evaluated), budgeted,
                new EvaluationConfig(p.duringTraining(), p.reference(), p.features()));
        // through YAML and back: the validator sees the resolved config, and it equals what the run directory stores
        resolved = ConfigLoader.parse(ConfigLoader.toYaml(resolved));
        return new VariantPlan(v.name(), v.description(), source, v.set(), resolved, parameters, forward, train, steps,
                steps * batch);
    }
}
