package io.github.diffusion4j.experiment;

import io.github.diffusion4j.assemble.NetworkAssembly;
import io.github.diffusion4j.assemble.SamplerAssembly;
import io.github.diffusion4j.config.ConfigException;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.CouplingConfig;
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
 * {@code duringTraining} evaluation and the checkpoint spacing. A cascade variant (a config with
 * several stages) holds one such plan per stage in {@code stages}, each a one-stage run
 * ({@link ExperimentConfig#stageRun}) with its share of the budget; its own config is the whole
 * cascade and its cost fields are the stages' sums (parameters, training GFLOP) or the last stage's.
 *
 * @param overrides          the variant's own {@code set} (applied after the spec's common one)
 * @param trainGflopPerImage forward + backward ≈ 3 × the forward pass (the usual convention, Kaplan et al. 2020, Sec. 2.1)
 * @param stages             a cascade's per-stage plans, stage 0 first (empty for one model)
 * @param levels             a cascade's level settings to measure, one value per stage after the base (empty: the defaults)
 * @param truncated          the modes a cascade is measured in (false: non-truncated, true: truncated augmentation)
 * @param measure            a one-model variant's sampling settings to measure ({@code sampling.*} overrides; empty: its own)
 */
public record VariantPlan(String name, String description, String source, List<String> overrides, ExperimentConfig config,
        long parameters, double forwardGflop, double trainGflopPerImage, long steps, long images, List<VariantPlan> stages,
        List<List<Double>> levels, List<Boolean> truncated, List<List<String>> measure) {
    public VariantPlan {
        stages = stages == null ? List.of() : List.copyOf(stages);
        levels = levels == null ? List.of() : List.copyOf(levels);
        truncated = truncated == null ? List.of() : List.copyOf(truncated);
        measure = measure == null ? List.of() : List.copyOf(measure);
    }

    /** Whether this variant is a cascade of several stages. */
    public boolean cascade() {
        return !stages.isEmpty();
    }

    /** Training GFLOPs of the whole variant: images × GFLOP/image, summed over a cascade's stages. */
    public double trainGflop() {
        return cascade() ? stages.stream().mapToDouble(VariantPlan::trainGflop).sum() : images * trainGflopPerImage;
    }

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
        if (c.stages().size() > 1) {
            if (!v.measure().isEmpty()) {
                throw new ConfigException("variant '" + v.name() + "': key 'measure' is for one model; a cascade is measured at 'cascade.levels'");
            }
            return cascade(spec, v, source, c);
        }
        if (v.cascade() != null) {
            throw new ConfigException("variant '" + v.name() + "' has a 'cascade' setting but its config has one stage");
        }
        VariantPlan plan = oneStage(spec, v.name(), v.description(), source, v.set(), c, null);
        for (List<String> m : v.measure()) {
            for (String set : m) {
                if (!set.startsWith("sampling.")) {
                    throw new ConfigException("variant '" + v.name() + "': key 'measure' takes sampling.* overrides (the model is trained once), got '"
                            + set + "'");
                }
            }
            try {
                ConfigLoader.with(plan.config(), m);
            } catch (ConfigException e) {
                throw new ConfigException("variant '" + v.name() + "': measure " + m + ": " + e.getMessage());
            }
        }
        return new VariantPlan(plan.name(), plan.description(), plan.source(), plan.overrides(), plan.config(), plan.parameters(),
                plan.forwardGflop(), plan.trainGflopPerImage(), plan.steps(), plan.images(), List.of(), List.of(), List.of(), v.measure());
    }

    /**
     * A cascade variant: each stage planned as its own one-stage run, on its share of a {@code gflops} budget (or the
     * {@code images} budget each), without a checkpoint curve (a later stage samples only from an earlier one's output).
     */
    private static VariantPlan cascade(ExperimentSpec spec, ExperimentSpec.Variant v, String source, ExperimentConfig c) {
        ExperimentSpec.CascadeSetting setting = v.cascade() == null ? ExperimentSpec.CascadeSetting.DEFAULT : v.cascade();
        int n = c.stages().size();
        String where = "variant '" + v.name() + "': ";
        List<Double> shares = setting.shares();
        if (!shares.isEmpty() && (shares.size() != n || shares.stream().anyMatch(x -> x == null || !(x > 0)))) {
            throw new ConfigException(where + "key 'cascade.shares' needs one positive share per stage (" + n + "), got " + shares);
        }
        if (!shares.isEmpty() && spec.budget().gflops() == null) {
            throw new ConfigException(where + "key 'cascade.shares' divides a 'gflops' budget; with an 'images' budget every stage sees that many");
        }
        for (List<Double> l : setting.levels()) {
            if (l == null || l.size() != n - 1 || l.stream().anyMatch(x -> x == null || !(x >= 0) || !Double.isFinite(x))) {
                throw new ConfigException(where + "each entry of 'cascade.levels' needs one level >= 0 per stage after the base (" + (n - 1)
                        + "), got " + l);
            }
        }
        if (new java.util.HashSet<>(setting.truncated()).size() != setting.truncated().size()) {
            throw new ConfigException(where + "key 'cascade.truncated' lists a mode twice: " + setting.truncated());
        }
        checkLevels(spec, c, setting, where);
        double total = shares.isEmpty() ? n : shares.stream().mapToDouble(Double::doubleValue).sum();
        List<VariantPlan> stages = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            ExperimentConfig run = c.stageRun(k);
            double share = shares.isEmpty() ? 1.0 / n : shares.get(k) / total;
            stages.add(oneStage(spec, v.name() + "/stage" + k, "stage " + k, source, v.set(), run, share));
        }
        VariantPlan last = stages.get(n - 1);
        ExperimentConfig whole = new ExperimentConfig(v.name(), last.config().data(), c.stages(), last.config().training(),
                last.config().evaluation());
        whole = ConfigLoader.parse(ConfigLoader.toYaml(whole));
        return new VariantPlan(v.name(), v.description(), source, v.set(), whole, stages.stream().mapToLong(VariantPlan::parameters).sum(),
                last.forwardGflop(), last.trainGflopPerImage(), stages.stream().mapToLong(VariantPlan::steps).sum(), last.images(), stages,
                setting.levels(), setting.truncated(), List.of());
    }

    /**
     * Refuses, before anything trains, level settings the chain would refuse after training: an SR level outside
     * [0, its augmentation's max], a relay truncation σ outside (0, σ(1)] or keeping no level of its grid at a step count
     * it is sampled with, and a truncated mode without an SR stage to truncate for (or right after a relay stage).
     */
    private static void checkLevels(ExperimentSpec spec, ExperimentConfig c, ExperimentSpec.CascadeSetting setting, String where) {
        int n = c.stages().size();
        List<List<Double>> settings = new ArrayList<>(setting.levels());
        if (settings.isEmpty()) { // the defaults: 0 for SR, the relay's truncationSigma
            List<Double> d = new ArrayList<>();
            for (int k = 1; k < n; k++) {
                d.add(c.stages().get(k).coupling() instanceof CouplingConfig.Relay r ? r.truncationSigma() : 0.0);
            }
            settings.add(d);
        }
        for (List<Double> levels : settings) {
            for (int k = 1; k < n; k++) {
                StageConfig st = c.stages().get(k);
                double l = levels.get(k - 1);
                if (st.coupling() instanceof CouplingConfig.SuperResolution sr) {
                    if (l > sr.augmentation().maxLevel()) {
                        throw new ConfigException(where + "level " + l + " for stage " + k + " is outside the range it trains on, [0, "
                                + sr.augmentation().maxLevel() + "] (" + sr.augmentation().type() + " augmentation)");
                    }
                    if (setting.truncated().contains(true) && l > 0 && c.stages().get(k - 1).coupling() instanceof CouplingConfig.Relay) {
                        throw new ConfigException(where + "'cascade.truncated' cannot cut the relay stage before stage " + k);
                    }
                } else if (st.coupling() instanceof CouplingConfig.Relay r
                        && st.diffusion().process() instanceof io.github.diffusion4j.config.ProcessConfig.Blur b) {
                    double top = new io.github.diffusion4j.schedule.TruncatedLogNormalSigma(st.diffusion().pMean(), st.diffusion().pStd(),
                            b.probLength(), 0.0).sigmaMax();
                    if (!(l > 0 && l <= top)) {
                        throw new ConfigException(where + "relay truncation σ " + l + " for stage " + k + " is outside (0, " + top + "]");
                    }
                    List<Integer> stepCounts = k == n - 1 ? spec.evaluation().points().stream().map(ExperimentSpec.Point::steps).toList()
                            : List.of(st.sampling().steps());
                    for (int steps : stepCounts) {
                        double[] grid = SamplerAssembly.discretization(st.sampling()).sigmas(steps);
                        if (java.util.Arrays.stream(grid).noneMatch(x -> x > 0 && x < l)) {
                            throw new ConfigException(where + "relay truncation σ " + l + " keeps no level of stage " + k + "'s " + steps
                                    + "-step grid");
                        }
                    }
                }
            }
        }
        boolean sr = c.stages().stream().skip(1).anyMatch(st -> st.coupling() instanceof CouplingConfig.SuperResolution);
        if (setting.truncated().contains(true) && !sr) {
            throw new ConfigException(where + "'cascade.truncated' lists true but the cascade has no super-resolution stage to truncate for");
        }
    }

    /** A one-stage run {@code c} on the budget ({@code share} of a gflops budget for a cascade's stage; null for a whole variant). */
    private static VariantPlan oneStage(ExperimentSpec spec, String name, String description, String source, List<String> overrides,
            ExperimentConfig c, Double share) {
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
        long images = b.images() != null ? b.images() : (long) Math.ceil((share == null ? 1 : share) * b.gflops() / train);
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
        StageConfig trained = share == null ? evaluated : stage; // a cascade's stages keep their own sampling (the chain's is set at measurement)
        ExperimentConfig resolved = new ExperimentConfig(share == null ? name : c.name(), c.data(), List.of(trained), budgeted,
                new EvaluationConfig(share == null ? p.duringTraining() : 0, p.reference(), p.features()));
        // through YAML and back: the validator sees the resolved config, and it equals what the run directory stores
        resolved = ConfigLoader.parse(ConfigLoader.toYaml(resolved));
        return new VariantPlan(name, description, source, overrides, resolved, parameters, forward, train, steps,
                steps * batch, List.of(), List.of(), List.of(), List.of());
    }
}
