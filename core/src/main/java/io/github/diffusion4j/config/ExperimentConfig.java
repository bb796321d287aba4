package io.github.diffusion4j.config;

/**
 * One experiment, as read from YAML (design.md, "Config"): immutable, every key known, the
 * resolved form written into the run directory.
 */
public record ExperimentConfig(
        String name, DataConfig data, ModelConfig model, DiffusionConfig diffusion, TrainingConfig training,
        SamplingConfig sampling, EvaluationConfig evaluation) {

    /** What to train on. */
    public record DataConfig(String dataset, int resolution, int channels, boolean flip, int limit) {}

    /** The backbone; {@code type} selects the architecture (today: {@code unet}). */
    public record ModelConfig(
            String type, int baseChannels, int[] channelMult, int numResBlocks, int[] attentionResolutions,
            double dropout, int classes, String embedding, long seed) {}

    /**
     * The diffusion design axes (Karras et al. 2022, Table 1): preconditioning, parametrisation,
     * training noise distribution and loss weighting.
     */
    public record DiffusionConfig(
            String preconditioning, double sigmaData, String parametrisation, String noise, double pMean, double pStd,
            String weighting, double minSnrGamma) {}

    /**
     * The optimisation (AdamW, warm-up, EMA, clipping, guard) and the budget. {@code precision} is
     * {@code auto | fp32 | bf16} for training and sampling ({@code auto}: bf16 autocast only where the
     * CPU has native bf16, see {@code engine.Precision}); the older {@code bf16: true} means
     * {@code precision: bf16}.
     */
    public record TrainingConfig(
            int batch, double lr, double weightDecay, double beta1, double beta2, double eps, long warmupImages,
            double emaHalfLifeImages, double emaRampup, double gradClip, double labelDropout, boolean bf16, String precision,
            long seed, long steps, double minutes, int checkpointEvery, int logEvery, int maxBadSteps) {}

    /**
     * Evaluation at every checkpoint: {@code n} EMA samples against {@code reference} through the
     * feature network {@code features} ({@code n = 0}: off; empty names: chosen from the dataset).
     */
    public record EvaluationConfig(int n, String reference, String features) {}

    /** How sample grids (and {@code d4j sample} defaults) are drawn. */
    public record SamplingConfig(
            String sampler, int steps, double sigmaMin, double sigmaMax, double rho, double sChurn, double guidance,
            int gridSeeds) {}
}
