package io.github.diffusion4j.config;

import java.util.List;

/**
 * One experiment, as read from YAML (design.md, "Config"): immutable, every key known, the
 * resolved form written into the run directory. An experiment is a list of {@link StageConfig}s
 * (a single model is a one-stage list; a cascade has several) that share the dataset, the
 * training section and the evaluation section.
 */
public record ExperimentConfig(String name, DataConfig data, List<StageConfig> stages, TrainingConfig training,
        EvaluationConfig evaluation) {

    /** The defaults under every staged config (the shorthand's are {@link Shorthand#DEFAULT}). */
    public static final ExperimentConfig DEFAULT = new ExperimentConfig("experiment", DataConfig.DEFAULT,
            List.of(StageConfig.DEFAULT), TrainingConfig.DEFAULT, EvaluationConfig.DEFAULT);

    /**
     * A stage whose {@code resolution} is 0 is resolved to {@code data.resolution}; an {@code sr} or
     * {@code relay} coupling whose {@code lowResolution} is 0, to the previous stage's resolution.
     */
    public ExperimentConfig {
        if (stages != null && data != null) {
            stages = stages.stream().map(s -> s == null || s.resolution() != 0 ? s : s.atResolution(data.resolution())).toList();
            java.util.List<StageConfig> resolved = new java.util.ArrayList<>(stages);
            for (int i = 1; i < resolved.size(); i++) {
                StageConfig s = resolved.get(i);
                if (s != null && resolved.get(i - 1) != null && s.coupling() instanceof CouplingConfig.FromLowResolution c
                        && c.lowResolution() == 0) {
                    resolved.set(i, new StageConfig(s.resolution(), s.model(), s.diffusion(), s.sampling(),
                            c.withLowResolution(resolved.get(i - 1).resolution())));
                }
            }
            stages = java.util.Collections.unmodifiableList(resolved);
        }
    }

    /** The same config under another {@code name}. */
    public ExperimentConfig named(String newName) {
        return new ExperimentConfig(newName, data, stages, training, evaluation);
    }

    /**
     * Stage {@code k} of a cascade as a one-stage config that trains on its own (Ho et al. 2021:
     * stages are trained independently): the stage alone, with {@code data.resolution} set to the
     * stage's resolution and its coupling's low resolution resolved. A one-stage config gives itself.
     */
    public ExperimentConfig stageRun(int k) {
        if (k < 0 || k >= stages.size()) {
            throw new ConfigException("--stage " + k + ": config '" + name + "' has stages 0.." + (stages.size() - 1));
        }
        StageConfig s = stages.get(k);
        return new ExperimentConfig(name + (stages.size() > 1 ? "-stage" + k : ""),
                new DataConfig(data.dataset(), s.resolution(), data.channels(), data.flip(), data.limit()), List.of(s), training,
                evaluation);
    }

    /** The stage of a one-stage config; a {@link ConfigException} for a cascade, which the caller cannot run. */
    public StageConfig onlyStage() {
        if (stages.size() != 1) {
            throw new ConfigException("config '" + name + "' has " + stages.size()
                    + " stages; this command runs one-stage configs only");
        }
        if (stages.get(0).resolution() != data.resolution()) {
            throw new ConfigException("config key 'stages[0].resolution' is " + stages.get(0).resolution() + " but a one-stage run"
                    + " trains on data.resolution = " + data.resolution() + "; make them equal (or leave the stage's resolution out)");
        }
        return stages.get(0);
    }

    /** The model of the only stage ({@link #onlyStage()}). */
    public ModelConfig model() {
        return onlyStage().model();
    }

    /** The diffusion axes of the only stage ({@link #onlyStage()}). */
    public DiffusionConfig diffusion() {
        return onlyStage().diffusion();
    }

    /** The sampling of the only stage ({@link #onlyStage()}). */
    public SamplingConfig sampling() {
        return onlyStage().sampling();
    }

    /** What to train on. */
    public record DataConfig(String dataset, int resolution, int channels, boolean flip, int limit) {
        public static final DataConfig DEFAULT = new DataConfig("mnist:train", 28, 1, false, 0);
    }

    /**
     * One model of an experiment: it generates at {@code resolution} (0 = {@code data.resolution})
     * with its own backbone, diffusion axes and sampler, conditioned through {@code coupling} on
     * the previous stage (Ho et al. 2021, cascaded diffusion; Teng et al. 2024, Relay).
     */
    public record StageConfig(int resolution, ModelConfig model, DiffusionConfig diffusion, SamplingConfig sampling,
            CouplingConfig coupling) {
        public static final StageConfig DEFAULT = new StageConfig(0, ModelConfig.UNet.DEFAULT, DiffusionConfig.DEFAULT,
                SamplingConfig.DEFAULT, CouplingConfig.None.DEFAULT);

        /** This stage at another resolution. */
        public StageConfig atResolution(int r) {
            return new StageConfig(r, model, diffusion, sampling, coupling);
        }
    }

    /**
     * The diffusion design axes (Karras et al. 2022, Table 1): preconditioning, parametrisation,
     * training noise distribution and loss weighting, the forward process, and how a backbone with
     * several heads is supervised.
     */
    public record DiffusionConfig(
            String preconditioning, double sigmaData, ParametrisationConfig parametrisation, String noise, double pMean,
            double pStd, String weighting, double minSnrGamma, ProcessConfig process, SupervisionConfig supervision) {
        public static final DiffusionConfig DEFAULT = new DiffusionConfig("edm", 0.5, ParametrisationConfig.EdmF.DEFAULT,
                "lognormal", -1.2, 1.2, "natural", 5.0, ProcessConfig.Additive.DEFAULT, SupervisionConfig.DEFAULT);
    }

    /**
     * Multi-head supervision ({@code diffusion.supervision}) of a backbone whose model returns several
     * heads (DiMR's branches, Liu et al. 2024, Sec. 3.2; LEGO's bricks, Zheng et al. 2024): every head
     * is read as {@code diffusion.parametrisation} and trained against the example brought to its
     * resolution by {@code pooling} ({@code sum}: d×d sum ÷ d, DiMR's; {@code mean}: d×d mean), with
     * loss coefficient {@code weights[k]} for head k in the model's head order (lowest resolution first
     * for DiMR; empty = 1/K each, LEGO's average; empty for a one-head model = its plain loss).
     */
    public record SupervisionConfig(List<Double> weights, String pooling) {
        public static final SupervisionConfig DEFAULT = new SupervisionConfig(List.of(), "sum");

        public SupervisionConfig {
            weights = Lists.copyOf(weights);
        }
    }

    /**
     * The optimisation (AdamW, warm-up, EMA, clipping, guard) and the budget. {@code precision} is
     * {@code auto | fp32 | bf16} for training and sampling ({@code auto}: bf16 autocast only where the
     * CPU has native bf16, see {@code engine.Precision}); the older {@code bf16: true} means
     * {@code precision: bf16}.
     */
    public record TrainingConfig(
            int batch, double lr, double weightDecay, double beta1, double beta2, double eps, long warmupImages,
            double emaHalfLifeImages, double emaRampup, double gradClip, double labelDropout, boolean bf16, String precision,
            long seed, long steps, double minutes, int checkpointEvery, int logEvery, int maxBadSteps) {
        public static final TrainingConfig DEFAULT = new TrainingConfig(64, 0.001, 0.0, 0.9, 0.999, 1.0e-8, 10000,
                50000, 0.05, 1.0, 0.1, false, "auto", 0, 2000, 0, 500, 50, 5);
    }

    /**
     * Evaluation at every checkpoint: {@code n} EMA samples against {@code reference} through the
     * feature network {@code features} ({@code n = 0}: off; empty names: chosen from the dataset).
     */
    public record EvaluationConfig(int n, String reference, String features) {
        public static final EvaluationConfig DEFAULT = new EvaluationConfig(0, "", "");
    }

    /**
     * How samples are drawn (grids, {@code d4j sample} defaults): the sampler, the σ grid
     * {@code discretisation} over [{@code sigmaMin}, {@code sigmaMax}] in {@code steps} steps, and
     * the guidance weight.
     */
    public record SamplingConfig(
            SamplerConfig sampler, int steps, double sigmaMin, double sigmaMax, DiscretisationConfig discretisation,
            double guidance, int gridSeeds, SkipConfig skip) {
        public static final SamplingConfig DEFAULT = new SamplingConfig(SamplerConfig.Heun.DEFAULT, 18, 0.002, 80,
                DiscretisationConfig.Karras.DEFAULT, 1.0, 100, SkipConfig.DEFAULT);
    }

    /**
     * Skipping bricks at sampling ({@code sampling.skip}; LEGO, Zheng et al. 2024, Sec. 3.3): in
     * round({@code fraction}·steps) steps only the first {@code keep} bricks run (0 = all but the
     * last); {@code mode} {@code late} skips the last, low-noise steps (progressive growth),
     * {@code early} the first, high-noise ones (progressive refinement), {@code none} nothing.
     */
    public record SkipConfig(String mode, double fraction, int keep) {
        public static final SkipConfig DEFAULT = new SkipConfig("none", 0.0, 0);
    }
}
