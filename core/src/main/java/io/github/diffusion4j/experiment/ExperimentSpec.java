package io.github.diffusion4j.experiment;

import io.github.diffusion4j.config.ConfigException;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.sample.Samplers;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An ablation as one file (Karras et al. 2022, Sec. 3–5, run as a table): a base config, named
 * variants (overrides of it, or whole configs), one training budget for all and one evaluation
 * protocol. Absent keys take the documented defaults; unknown keys are refused by name.
 *
 * @param name        the experiment's name (its output directory)
 * @param description one line for the report
 * @param base        a preset name or a config path relative to the spec file
 * @param set         {@code key=value} overrides applied to every variant
 * @param budget      the equal training budget
 * @param variants    what is compared
 * @param evaluation  how every variant is measured
 */
public record ExperimentSpec(String name, String description, String base, List<String> set, Budget budget,
        List<Variant> variants, Protocol evaluation) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public ExperimentSpec {
        description = description == null ? "" : description;
        set = set == null ? List.of() : List.copyOf(set);
        budget = budget == null ? new Budget(null, null, null) : budget;
        variants = variants == null ? List.of() : List.copyOf(variants);
        evaluation = evaluation == null ? Protocol.DEFAULT : evaluation;
    }

    /**
     * The budget every variant trains on: exactly one of {@code images} (images seen) and
     * {@code gflops} (training compute, so that models of different cost compare at equal compute),
     * with {@code checkpoints} evaluations on the way (the FD-against-images curve).
     */
    public record Budget(Long images, Double gflops, Integer checkpoints) {
        public Budget {
            checkpoints = checkpoints == null ? 4 : checkpoints;
        }
    }

    /**
     * One compared model: overrides of the base ({@code set}), or a whole config file ({@code config}) with overrides on top.
     * A config with several {@code stages} is a cascade (Ho et al. 2021; Teng et al. 2024): its stages train one after
     * another and {@code cascade} says how the budget is shared and at which levels the chain is measured. {@code measure}
     * (one model): sampling settings to measure the same trained model with, each a list of {@code sampling.*} overrides
     * (e.g. a brick-skipping curve); absent = the variant's own sampling.
     */
    public record Variant(String name, String description, String config, List<String> set, CascadeSetting cascade,
            List<List<String>> measure) {
        public Variant {
            description = description == null ? "" : description;
            set = set == null ? List.of() : List.copyOf(set);
            measure = measure == null ? List.of() : measure.stream().map(m -> m == null ? List.<String>of() : List.copyOf(m)).toList();
        }

        /** A one-model variant (no cascade setting, its own sampling). */
        public Variant(String name, String description, String config, List<String> set) {
            this(name, description, config, set, null, null);
        }
    }

    /**
     * How a cascade variant is trained and measured: {@code shares} of a {@code gflops} budget per stage (stage 0 first;
     * default equal; with an {@code images} budget every stage sees that many images), and the level settings its final
     * output is measured at, each one value per stage after the base (an SR stage's augmentation level, a relay stage's
     * truncation σ; default: 0 for SR, the stage's {@code coupling.truncationSigma} for relay), each in every mode of
     * {@code truncated} (CDM's non-truncated {@code false} and truncated {@code true} augmentation; default {@code [false]}),
     * all on the same trained stages, at the protocol's first point; its other points measure the first setting in the first mode.
     */
    public record CascadeSetting(List<Double> shares, List<List<Double>> levels, List<Boolean> truncated) {
        public CascadeSetting {
            shares = shares == null ? List.of() : List.copyOf(shares);
            levels = levels == null ? List.of() : levels.stream().map(l -> l == null || l.contains(null) ? null : List.copyOf(l)).toList();
            truncated = truncated == null || truncated.isEmpty() ? List.of(false) : List.copyOf(truncated);
        }

        /** No setting: equal shares, the stages' default levels, non-truncated. */
        public static final CascadeSetting DEFAULT = new CascadeSetting(null, null, null);
    }

    /**
     * The one evaluation protocol: {@code n} samples (seeds 0..n−1) per sampler setting against
     * {@code n} reference images through feature network {@code features} (empty: the dataset's),
     * at guidance {@code guidance}; {@code duringTraining} samples at each checkpoint with the first
     * setting (0: no curve); {@code montage} seeds per variant in the montage.
     */
    public record Protocol(Integer n, String features, String reference, Double guidance, Integer batch, Integer duringTraining,
            List<Setting> samplers, Integer montage) {
        public static final Protocol DEFAULT = new Protocol(null, null, null, null, null, null, null, null);

        public Protocol {
            n = n == null ? 1000 : n;
            features = features == null ? "" : features;
            reference = reference == null ? "" : reference;
            guidance = guidance == null ? 1.0 : guidance;
            batch = batch == null ? 100 : batch;
            duringTraining = duringTraining == null ? 500 : duringTraining;
            samplers = samplers == null || samplers.isEmpty() ? List.of(new Setting("heun", List.of(18))) : List.copyOf(samplers);
            montage = montage == null ? 8 : montage;
        }

        /** Every (sampler, steps) pair, in the order of the spec; the first drives the checkpoint curve and the montage. */
        public List<Point> points() {
            return samplers.stream().flatMap(s -> s.steps().stream().map(k -> new Point(s.sampler(), k))).toList();
        }
    }

    /** A sampler of {@link Samplers#NAMES} at one or more step counts. */
    public record Setting(String sampler, List<Integer> steps) {
        public Setting {
            steps = steps == null ? List.of() : List.copyOf(steps);
        }
    }

    /** One sampler at one step count. */
    public record Point(String sampler, int steps) {
        /** A file-name-safe key, e.g. {@code dpmpp_2m-10}. */
        public String key() {
            return sampler + "-" + steps;
        }
    }

    /** Reads and checks a spec file. */
    public static ExperimentSpec load(Path file) {
        ExperimentSpec spec = ConfigLoader.bindFile(file, ExperimentSpec.class, "experiment spec");
        spec.check(file);
        return spec;
    }

    private void check(Path file) {
        String where = file + ": ";
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigException(where + "key 'name' must be 1-64 letters, digits, '.', '_' or '-' (it names the output directory), got "
                    + (name == null ? "nothing" : "'" + name + "'"));
        }
        if (base == null && variants.stream().anyMatch(v -> v.config() == null)) {
            throw new ConfigException(where + "key 'base' (a preset or config file) is needed by variants without their own 'config'");
        }
        if ((budget.images() == null) == (budget.gflops() == null)) {
            throw new ConfigException(where + "key 'budget' needs exactly one of 'images' (images seen) and 'gflops' (training compute)");
        }
        if (budget.images() != null && budget.images() < 1) {
            throw new ConfigException(where + "key 'budget.images' must be >= 1, got " + budget.images());
        }
        if (budget.gflops() != null && !(budget.gflops() > 0 && Double.isFinite(budget.gflops()))) {
            throw new ConfigException(where + "key 'budget.gflops' must be a finite number > 0, got " + budget.gflops());
        }
        if (budget.checkpoints() < 1) {
            throw new ConfigException(where + "key 'budget.checkpoints' must be >= 1, got " + budget.checkpoints());
        }
        if (variants.isEmpty()) {
            throw new ConfigException(where + "key 'variants' lists no variant");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < variants.size(); i++) {
            Variant v = variants.get(i);
            if (v == null || v.name() == null || !NAME.matcher(v.name()).matches()) {
                throw new ConfigException(where + "key 'variants[" + i + "].name' must be 1-64 letters, digits, '.', '_' or '-'");
            }
            if (!seen.add(v.name())) {
                throw new ConfigException(where + "variant name '" + v.name() + "' is used twice");
            }
        }
        Protocol p = evaluation;
        if (p.n() < 2) {
            throw new ConfigException(where + "key 'evaluation.n' must be >= 2 (a covariance needs two samples), got " + p.n());
        }
        if (p.duringTraining() != 0 && p.duringTraining() < 2) {
            throw new ConfigException(where + "key 'evaluation.duringTraining' must be 0 (off) or >= 2, got " + p.duringTraining());
        }
        if (!(p.guidance() >= 0 && Double.isFinite(p.guidance()))) {
            throw new ConfigException(where + "key 'evaluation.guidance' must be a finite number >= 0 (1 = no guidance), got " + p.guidance());
        }
        if (p.batch() < 1 || p.montage() < 0 || p.montage() > 64) {
            throw new ConfigException(where + "keys 'evaluation.batch' (>= 1) and 'evaluation.montage' (0..64) out of range");
        }
        for (int i = 0; i < p.samplers().size(); i++) {
            Setting s = p.samplers().get(i);
            if (s == null || s.sampler() == null || !Samplers.NAMES.contains(s.sampler())) {
                throw new ConfigException(where + "key 'evaluation.samplers[" + i + "].sampler' must be one of " + String.join(", ", Samplers.NAMES));
            }
            if (s.steps().isEmpty() || s.steps().stream().anyMatch(k -> k == null || k < 1)) {
                throw new ConfigException(where + "key 'evaluation.samplers[" + i + "].steps' must list step counts >= 1");
            }
        }
        if (new HashSet<>(p.points()).size() != p.points().size()) {
            throw new ConfigException(where + "key 'evaluation.samplers' repeats a (sampler, steps) pair");
        }
    }
}
