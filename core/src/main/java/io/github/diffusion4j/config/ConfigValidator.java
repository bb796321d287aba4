package io.github.diffusion4j.config;

import io.github.diffusion4j.net.NoiseEmbeddingType;
import io.github.diffusion4j.net.UNetConfig;
import io.github.diffusion4j.schedule.TruncatedLogNormalSigma;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;

/**
 * Checks the values of a bound config; each failure names the key and what is wrong. Besides each
 * value on its own, it checks the sizes the config implies — elements of one batch, class-embedding
 * rows, and a lower bound on the memory the network and one training step need — against Java's
 * array limit and the memory of this machine, so that a config that cannot run is refused up front
 * rather than by an integer overflow or an allocation failure later.
 */
final class ConfigValidator {
    /** Largest {@code model.classes} (the class embedding has classes + 1 rows). */
    static final int MAX_CLASSES = 1 << 20;
    /** Largest {@code data.resolution}. */
    static final int MAX_RESOLUTION = 4096;
    /** Largest element count of one array (one batch of pixels is one Java array). */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

    private ConfigValidator() {}

    /**
     * Checks {@code c}; {@code shorthand}: the config was written with the one-stage keys, so a
     * stage's keys are named {@code model.…} and its resolution {@code data.resolution}, else
     * {@code stages[i].model.…} and {@code stages[i].resolution}.
     */
    static void validate(ExperimentConfig c, boolean shorthand) {
        var d = c.data();
        positive("data.resolution", d.resolution());
        atMost("data.resolution", d.resolution(), MAX_RESOLUTION);
        oneOf("data.channels", d.channels(), 1, 3);
        nonNegative("data.limit", d.limit());
        if (c.stages() == null || c.stages().isEmpty()) {
            throw new ConfigException("config key 'stages' must list at least one stage");
        }
        for (int i = 0; i < c.stages().size(); i++) {
            String prefix = shorthand ? "" : "stages[" + i + "].";
            stage(c.stages().get(i), prefix, shorthand ? "data.resolution" : prefix + "resolution", d.channels());
            coupling(c.stages().get(i), prefix);
        }
        var t = c.training();
        positive("training.batch", t.batch());
        positive("training.lr", t.lr());
        nonNegative("training.weightDecay", t.weightDecay());
        range("training.beta1", t.beta1(), 0, 1);
        range("training.beta2", t.beta2(), 0, 1);
        positive("training.eps", t.eps());
        nonNegative("training.warmupImages", t.warmupImages());
        positive("training.emaHalfLifeImages", t.emaHalfLifeImages());
        range("training.emaRampup", t.emaRampup(), 0, 1);
        nonNegative("training.gradClip", t.gradClip());
        range("training.labelDropout", t.labelDropout(), 0, 1);
        choice("training.precision", t.precision(), io.github.diffusion4j.engine.Precision.SETTINGS);
        if (t.bf16() && t.precision().equals("fp32")) {
            throw new ConfigException("config keys 'training.bf16: true' and 'training.precision: fp32' contradict each other;"
                    + " drop training.bf16 (it means precision: bf16)");
        }
        nonNegative("training.steps", t.steps());
        nonNegative("training.minutes", t.minutes());
        positive("training.checkpointEvery", t.checkpointEvery());
        positive("training.logEvery", t.logEvery());
        positive("training.maxBadSteps", t.maxBadSteps());
        nonNegative("evaluation.n", c.evaluation().n());
        for (int i = 0; i < c.stages().size(); i++) {
            sizes(c, c.stages().get(i), shorthand ? "" : "stages[" + i + "].", physicalMemory());
        }
    }

    /** One stage; its keys are shown under {@code p} ("" or "stages[i].") and its resolution as {@code resolutionKey}. */
    private static void stage(ExperimentConfig.StageConfig st, String p, String resolutionKey, int channels) {
        positive(resolutionKey, st.resolution());
        if (st.model() instanceof ModelConfig.UNet m) {
            positive(p + "model.baseChannels", m.baseChannels());
            if (m.channelMult() == null || m.channelMult().isEmpty()) {
                throw new ConfigException("config key '" + p + "model.channelMult' must list at least one multiplier");
            }
            for (Integer x : m.channelMult()) {
                positive(p + "model.channelMult", x == null ? Double.NaN : x);
            }
            if (m.attentionResolutions() == null || m.attentionResolutions().contains(null)) {
                throw new ConfigException("config key '" + p + "model.attentionResolutions' must be a list of resolutions");
            }
            for (int r : m.attentionResolutions()) {
                if (r <= 0) {
                    throw new ConfigException("config key '" + p + "model.attentionResolutions' must list resolutions > 0, got " + r);
                }
            }
            positive(p + "model.numResBlocks", m.numResBlocks());
            range(p + "model.dropout", m.dropout(), 0, 1);
            nonNegative(p + "model.classes", m.classes());
            atMost(p + "model.classes", m.classes(), MAX_CLASSES);
            choice(p + "model.embedding", m.embedding(), List.of("positional", "fourier"));
            if (m.channelMult().size() > 30) { // 2^(levels-1) must not overflow
                throw new ConfigException("config key '" + p + "model.channelMult' has " + m.channelMult().size() + " levels; at most 30");
            }
            int down = 1 << (m.channelMult().size() - 1);
            if (st.resolution() % down != 0) {
                throw new ConfigException("config key '" + resolutionKey + "': " + st.resolution() + " is not divisible by 2^(levels-1) = "
                        + down + " for " + p + "model.channelMult of length " + m.channelMult().size());
            }
            unet(st, m, p, resolutionKey, channels);
        } else if (st.model() instanceof ModelConfig.DiMR m) {
            dimr(st, m, p, channels);
        } else if (st.model() instanceof ModelConfig.Dit m) {
            nonNegative(p + "model.classes", m.classes());
            atMost(p + "model.classes", m.classes(), MAX_CLASSES);
            choice(p + "model.blockNorm", m.blockNorm(), List.of("adaln", "td"));
            try {
                new io.github.diffusion4j.net.DiT.Shape(st.resolution(), channels, channels, m.patch(), m.width(), m.depth(),
                        m.heads(), m.mlpRatio(), m.dropout(), m.classes(), io.github.diffusion4j.net.BlockNorm.of(m.blockNorm())).validate();
            } catch (IllegalArgumentException e) {
                throw modelError(e, p, resolutionKey);
            }
        } else if (st.model() instanceof ModelConfig.Lego m) {
            nonNegative(p + "model.classes", m.classes());
            atMost(p + "model.classes", m.classes(), MAX_CLASSES);
            if (m.bricks() == null || m.bricks().isEmpty() || m.bricks().contains(null)) {
                throw new ConfigException("config key '" + p + "model.bricks' must list at least one brick {size, patch, depth, width, heads}");
            }
            choice(p + "model.blockNorm", m.blockNorm(), List.of("adaln", "td"));
            try {
                new io.github.diffusion4j.net.Lego.Shape(st.resolution(), channels, channels, m.bricks().stream()
                        .map(b -> new io.github.diffusion4j.net.Lego.Brick(b.size(), b.patch(), b.depth(), b.width(), b.heads()))
                        .toList(), m.mlpRatio(), m.dropout(), m.classes(), io.github.diffusion4j.net.BlockNorm.of(m.blockNorm())).validate();
            } catch (IllegalArgumentException e) {
                throw modelError(e, p, resolutionKey);
            }
        }
        var f = st.diffusion();
        choice(p + "diffusion.preconditioning", f.preconditioning(), List.of("edm", "vp", "ve"));
        positive(p + "diffusion.sigmaData", f.sigmaData());
        choice(p + "diffusion.noise", f.noise(), List.of("lognormal", "ddpm"));
        if (f.parametrisation() instanceof ParametrisationConfig.Dual dual) {
            choice(p + "diffusion.parametrisation.mixWeight", dual.mixWeight(), List.of("auto", "posterior", "edm"));
            if (!"natural".equals(f.weighting())) {
                throw new ConfigException("config key '" + p + "diffusion.weighting': dual-output weights its own three terms"
                        + " (diffusion.parametrisation.mixWeight); only 'natural' applies, got '" + f.weighting() + "'");
            }
        }
        var sup = f.supervision();
        choice(p + "diffusion.supervision.pooling", sup.pooling(), List.of("sum", "mean"));
        if (sup.weights() == null || sup.weights().contains(null)) {
            throw new ConfigException("config key '" + p + "diffusion.supervision.weights' must be a list of numbers");
        }
        for (double w : sup.weights()) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new ConfigException("config key '" + p + "diffusion.supervision.weights' must hold finite numbers >= 0, got "
                        + sup.weights());
            }
        }
        int heads = st.model().headDownsample().size();
        if (!sup.weights().isEmpty() && sup.weights().size() != heads) {
            throw new ConfigException("config key '" + p + "diffusion.supervision.weights' has " + sup.weights().size()
                    + " weights but " + p + "model (" + st.model().type() + ") returns " + heads + " head" + (heads == 1 ? "" : "s")
                    + " (downsampling " + st.model().headDownsample() + ")");
        }
        finite(p + "diffusion.pMean", f.pMean());
        positive(p + "diffusion.pStd", f.pStd());
        choice(p + "diffusion.weighting", f.weighting(), List.of("natural", "min-snr"));
        if (f.process() instanceof ProcessConfig.Blur b) {
            blur(st, b, p + "diffusion.process.", f.noise(), f.pMean(), f.pStd());
            if (!(f.parametrisation() instanceof ParametrisationConfig.EdmF || f.parametrisation() instanceof ParametrisationConfig.Sample)) {
                throw new ConfigException("config key '" + p + "diffusion.parametrisation': the blur process trains on the sharp x₀"
                        + " (x − A_u(x₀) is not σ·noise), so only 'edm-f' or 'x0' applies, got '" + f.parametrisation().type() + "'");
            }
        }
        positive(p + "diffusion.minSnrGamma", f.minSnrGamma());
        var s = st.sampling();
        nonNegative(p + "sampling.sampler.sChurn", s.sampler().churn());
        positive(p + "sampling.steps", s.steps());
        positive(p + "sampling.sigmaMin", s.sigmaMin());
        positive(p + "sampling.sigmaMax", s.sigmaMax());
        if (s.sigmaMax() <= s.sigmaMin()) {
            throw new ConfigException("config key '" + p + "sampling.sigmaMax' must exceed " + p + "sampling.sigmaMin");
        }
        if (s.discretisation() instanceof DiscretisationConfig.Karras k) {
            positive(p + "sampling.discretisation.rho", k.rho());
        } else if (s.discretisation() instanceof DiscretisationConfig.Vp v) {
            positive(p + "sampling.discretisation.betaD", v.betaD());
            positive(p + "sampling.discretisation.betaMin", v.betaMin());
            range(p + "sampling.discretisation.epsilonS", v.epsilonS(), Double.MIN_VALUE, 1);
        } else if (s.discretisation() instanceof DiscretisationConfig.Iddpm i) {
            positive(p + "sampling.discretisation.m", i.m());
            positive(p + "sampling.discretisation.c1", i.c1());
            nonNegative(p + "sampling.discretisation.c2", i.c2());
        } else if (s.discretisation() instanceof DiscretisationConfig.Discrete x) {
            choice(p + "sampling.discretisation.spacing", x.spacing(), List.of("leading", "trailing"));
        }
        nonNegative(p + "sampling.guidance", s.guidance());
        if (s.skip() == null) {
            throw new ConfigException("config key '" + p + "sampling.skip' must be a section {mode, fraction, keep}");
        }
        choice(p + "sampling.skip.mode", s.skip().mode(), List.of("none", "late", "early"));
        range(p + "sampling.skip.fraction", s.skip().fraction(), 0, 1);
        nonNegative(p + "sampling.skip.keep", s.skip().keep());
        if (!"none".equals(s.skip().mode()) && !(st.model() instanceof ModelConfig.Lego)) {
            throw new ConfigException("config key '" + p + "sampling.skip.mode' is '" + s.skip().mode() + "' but model.type is '"
                    + st.model().type() + "'; only a brick stack (lego) skips bricks");
        }
        if (st.model() instanceof ModelConfig.Lego m && m.bricks() != null && s.skip().keep() >= m.bricks().size()
                && !"none".equals(s.skip().mode())) {
            throw new ConfigException("config key '" + p + "sampling.skip.keep' is " + s.skip().keep() + " but model.bricks has "
                    + m.bricks().size() + "; a skipped step keeps fewer bricks (0 = all but the last)");
        }
        positive(p + "sampling.gridSeeds", s.gridSeeds());
    }

    /** The stage's coupling (CDM's SR conditioning and its augmentation, Ho et al. 2021, Sec. 3.2). */
    private static void coupling(ExperimentConfig.StageConfig st, String p) {
        if (!(st.coupling() instanceof CouplingConfig.FromLowResolution from)) {
            return;
        }
        String k = p + "coupling.";
        if (from.lowResolution() == 0) {
            throw new ConfigException("config key '" + k + "lowResolution': the first stage has no previous stage to take it from;"
                    + " give it explicitly or add a base stage");
        }
        positive(k + "lowResolution", from.lowResolution());
        if (from.lowResolution() >= st.resolution() || st.resolution() % from.lowResolution() != 0) {
            throw new ConfigException("config key '" + k + "lowResolution' must be a proper divisor of the stage's resolution "
                    + st.resolution() + ", got " + from.lowResolution());
        }
        if (from instanceof CouplingConfig.Relay relay) {
            relay(st, relay, p);
            return;
        }
        CouplingConfig.SuperResolution sr = (CouplingConfig.SuperResolution) from;
        choice(k + "upsample", sr.upsample(), List.of("bilinear", "nearest"));
        if (sr.augmentation() instanceof AugmentationConfig.Gaussian g) {
            positive(k + "augmentation.max", g.max());
        } else if (sr.augmentation() instanceof AugmentationConfig.Blur b) {
            range(k + "augmentation.fraction", b.fraction(), 0, 1);
            if (b.sigma() == null || b.sigma().size() != 2 || b.sigma().contains(null)) {
                throw new ConfigException("config key '" + k + "augmentation.sigma' must be a range [low, high], got " + b.sigma());
            }
            positive(k + "augmentation.sigma", b.sigma().get(0));
            positive(k + "augmentation.sigma", b.sigma().get(1));
            if (b.sigma().get(1) < b.sigma().get(0)) {
                throw new ConfigException("config key '" + k + "augmentation.sigma' must be [low, high] with low <= high, got " + b.sigma());
            }
        }
    }

    /**
     * The U-Net's own checks ({@link UNetConfig#validate}), with each field reported as its config
     * key; whether each attention resolution is a level's resolution is left to the network build
     * ({@link #asConfigError}), as configs may be loaded for a resolution they are not built at.
     */
    private static void unet(ExperimentConfig.StageConfig st, ModelConfig.UNet m, String p, String resolutionKey, int channels) {
        UNetConfig u = new UNetConfig(st.resolution(), channels, channels, m.baseChannels(), ints(m.channelMult()),
                m.numResBlocks(), new int[0], m.dropout(), m.classes(), NoiseEmbeddingType.parse(m.embedding()));
        try {
            u.validate();
        } catch (IllegalArgumentException e) {
            throw asConfigError(e, p, resolutionKey);
        }
    }

    /** DiMR's checks ({@link io.github.diffusion4j.net.DiMRConfig#validate}), reported under {@code model.branches}. */
    private static void dimr(ExperimentConfig.StageConfig st, ModelConfig.DiMR m, String p, int channels) {
        if (m.branches() == null || m.branches().isEmpty() || m.branches().contains(null)) {
            throw new ConfigException("config key '" + p + "model.branches' must list at least one branch");
        }
        for (int i = 0; i < m.branches().size(); i++) {
            choice(p + "model.branches[" + i + "].block", m.branches().get(i).block(), List.of("transformer", "convnext"));
        }
        nonNegative(p + "model.classes", m.classes());
        atMost(p + "model.classes", m.classes(), MAX_CLASSES);
        nonNegative(p + "model.cascadeWidth", m.cascadeWidth());
        choice(p + "model.blockNorm", m.blockNorm(), List.of("td", "adaln", "token"));
        var branches = m.branches().stream().map(b -> new io.github.diffusion4j.net.DiMRConfig.Branch(
                io.github.diffusion4j.net.DiMRConfig.Block.valueOf(b.block().toUpperCase(java.util.Locale.ROOT)), b.downsample(),
                b.patch(), b.width(), b.hidden(), b.depth(), b.heads(), b.kernel())).toList();
        try {
            new io.github.diffusion4j.net.DiMRConfig(st.resolution(), channels, channels, branches, m.classes(), m.cascadeWidth(),
                    m.sharedTime(), io.github.diffusion4j.net.BlockNorm.of(m.blockNorm())).validate();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config key '" + p + "model.branches': " + e.getMessage());
        }
    }

    static int[] ints(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A {@link UNetConfig#validate} failure ("field: problem") as a config error naming the config key. */
    static ConfigException asConfigError(IllegalArgumentException e) {
        return asConfigError(e, "", "data.resolution");
    }

    /** The same inside a stage whose keys are shown under {@code p} and whose resolution is {@code resolutionKey}. */
    static ConfigException asConfigError(IllegalArgumentException e, String p, String resolutionKey) {
        String msg = String.valueOf(e.getMessage());
        int colon = msg.indexOf(':');
        String field = colon < 0 ? "" : msg.substring(0, colon);
        String key = UNET_KEYS.getOrDefault(field, "model");
        key = key.equals("data.resolution") ? resolutionKey : key.startsWith("model") ? p + key : key;
        return new ConfigException("config key '" + key + "': " + (colon < 0 ? msg : msg.substring(colon + 1).strip()));
    }

    /**
     * A transformer backbone's shape failure ("field: problem") as a config error: {@code resolution}
     * is the stage's resolution key, {@code numClasses} is {@code model.classes}, any other field
     * {@code model.<field>}.
     */
    static ConfigException modelError(IllegalArgumentException e, String p, String resolutionKey) {
        String msg = String.valueOf(e.getMessage());
        int colon = msg.indexOf(':');
        String field = colon < 0 ? "" : msg.substring(0, colon);
        String key = field.equals("resolution") ? resolutionKey : field.equals("inChannels") ? "data.channels"
                : p + "model" + (field.isEmpty() ? "" : "." + (field.equals("numClasses") ? "classes" : field));
        return new ConfigException("config key '" + key + "': " + (colon < 0 ? msg : msg.substring(colon + 1).strip()));
    }

    private static final Map<String, String> UNET_KEYS = Map.of(
            "resolution", "data.resolution", "inChannels", "data.channels", "outChannels", "data.channels",
            "baseChannels", "model.baseChannels", "channelMult", "model.channelMult", "numResBlocks", "model.numResBlocks",
            "attentionResolutions", "model.attentionResolutions", "dropout", "model.dropout", "numClasses", "model.classes",
            "embedding", "model.embedding");

    /**
     * Sizes: one batch of pixels must fit one Java array, and a lower bound on the bytes a training
     * step needs must fit {@code machineBytes} (skipped when it is unknown, ≤ 0). The bound counts
     * only the second 3×3 convolution of each residual block (encoder {@code numResBlocks}, decoder
     * one more per level) and the class embedding, in float32, times four copies (weights, EMA,
     * Adam's two moments), plus one float32 activation per block output for the batch; the real
     * need is larger, so no config that fits is refused.
     */
    static void sizes(ExperimentConfig c, ExperimentConfig.StageConfig st, String p, long machineBytes) {
        if (!(st.model() instanceof ModelConfig.UNet m)) {
            return;
        }
        var d = c.data();
        int batch = c.training().batch();
        double perImage = (double) d.channels() * st.resolution() * st.resolution();
        if (perImage * batch > MAX_ARRAY) {
            throw new ConfigException("config key 'training.batch': " + batch + " images of " + d.channels() + "x" + st.resolution()
                    + "x" + st.resolution() + " are " + (long) (perImage * batch) + " values, more than one array holds ("
                    + MAX_ARRAY + "); lower training.batch or data.resolution");
        }
        double weights = 0;
        double activations = 0;
        int blocks = 2 * m.numResBlocks() + 1;
        for (int l = 0; l < m.channelMult().size(); l++) {
            double ch = (double) m.baseChannels() * m.channelMult().get(l);
            double res = (double) st.resolution() / (1L << l);
            weights += blocks * 9 * ch * ch;
            activations += blocks * ch * Math.max(1, res * res);
        }
        double embedding = ((double) m.classes() + (m.classes() > 0 ? 1 : 0)) * 4.0 * m.baseChannels();
        double paramBytes = 4 * 4 * (weights + embedding);
        double activationBytes = 4 * activations * batch;
        if (machineBytes > 0 && paramBytes + activationBytes > machineBytes) {
            String key = embedding > weights && embedding * 16 > activationBytes ? p + "model.classes"
                    : paramBytes > activationBytes ? p + "model.baseChannels"
                    : "training.batch";
            throw new ConfigException(String.format("config key '%s': this config needs at least %s (model %s, activations of"
                    + " one step at training.batch=%d, data.resolution=%d: %s) but this machine has %s; lower model.baseChannels,"
                    + " model.channelMult, model.classes, training.batch or data.resolution", key, bytes(paramBytes + activationBytes),
                    bytes(paramBytes), batch, st.resolution(), bytes(activationBytes), bytes(machineBytes)));
        }
    }

    private static String bytes(double b) {
        return b >= 1e12 ? String.format("%.3g TB", b / 1e12) : b >= 1e9 ? String.format("%.3g GB", b / 1e9) : String.format("%.3g MB", b / 1e6);
    }

    /** Physical memory of this machine, or −1 if the JVM cannot tell. */
    static long physicalMemory() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getTotalMemorySize();
            }
        } catch (RuntimeException | LinkageError e) {
            // unknown: skip the memory check
        }
        return -1;
    }

    /**
     * A relay stage (Teng et al. 2024, Sec. 3.4): trained on the blur process whose patch is the ratio of
     * the two resolutions, sampled by the relay sampler (the blur-space generalisation of Heun), truncated
     * below σ(1) of its training levels.
     */
    private static void relay(ExperimentConfig.StageConfig st, CouplingConfig.Relay r, String p) {
        String k = p + "coupling.";
        int ratio = st.resolution() / r.lowResolution();
        if (!(st.diffusion().process() instanceof ProcessConfig.Blur b)) {
            throw new ConfigException("config key '" + k + "type' is 'relay', which needs the blurring process: set '" + p
                    + "diffusion.process.type' to 'blur' (patch " + ratio + ")");
        }
        if (b.patch() != ratio) {
            throw new ConfigException("config key '" + p + "diffusion.process.patch' is " + b.patch() + " but a relay stage from "
                    + r.lowResolution() + " to " + st.resolution() + " px needs the ratio " + ratio);
        }
        positive(k + "truncationSigma", r.truncationSigma());
        double sigmaMax = new TruncatedLogNormalSigma(st.diffusion().pMean(), st.diffusion().pStd(), b.probLength(), 0.0).sigmaMax();
        if (r.truncationSigma() > sigmaMax) {
            throw new ConfigException("config key '" + k + "truncationSigma' is " + r.truncationSigma() + " but the stage trains only up to"
                    + " σ(1) = " + sigmaMax + " (diffusion.pMean, pStd, process.probLength)");
        }
        positive(k + "truncationT", r.truncationT());
        range(k + "sNoise", r.sNoise(), 0, Math.nextDown(1.0));
        nonNegative(k + "sBlock", r.sBlock());
        if (!"heun".equals(st.sampling().sampler().type()) || st.sampling().sampler().churn() != 0) {
            throw new ConfigException("config key '" + p + "sampling.sampler' is '" + st.sampling().sampler().type()
                    + "' but a relay stage samples with the relay sampler, the blur-space form of 'heun' (its stochasticity is"
                    + " coupling.sNoise); use 'heun' with sChurn 0");
        }
    }

    /** Relay's blur process (methods.md §3.3): a patch that divides the stage's resolution, and its lognormal σ(u). */
    private static void blur(ExperimentConfig.StageConfig st, ProcessConfig.Blur b, String p, String noise, double pMean, double pStd) {
        positive(p + "patch", b.patch());
        if (st.resolution() % b.patch() != 0) {
            throw new ConfigException("config key '" + p + "patch': " + b.patch() + " does not divide the stage resolution " + st.resolution());
        }
        nonNegative(p + "blurSigmaMax", b.blurSigmaMax());
        range(p + "minScale", b.minScale(), 0, 1);
        nonNegative(p + "blockNoise", b.blockNoise());
        range(p + "probLength", b.probLength(), Double.MIN_VALUE, 1);
        positive(p + "sigmaFloor", b.sigmaFloor());
        double sigmaMax = new TruncatedLogNormalSigma(pMean, pStd, b.probLength(), 0.0).sigmaMax();
        if (!(b.sigmaFloor() < sigmaMax)) {
            throw new ConfigException("config key '" + p + "sigmaFloor' must be below σ(1) = " + sigmaMax
                    + " (from diffusion.pMean, pStd and probLength), got " + b.sigmaFloor());
        }
        if (!"lognormal".equals(noise)) {
            throw new ConfigException("config key '" + p.substring(0, p.length() - "process.".length()) + "noise': the blur process"
                    + " draws σ(u) = exp(P_mean + P_std·Φ⁻¹(u·probLength)) and needs 'lognormal', got '" + noise + "'");
        }
    }

    private static void finite(String key, double v) {
        if (!Double.isFinite(v)) {
            throw new ConfigException("config key '" + key + "' must be a finite number, got " + v);
        }
    }

    private static void positive(String key, double v) {
        if (!(v > 0)) {
            throw new ConfigException("config key '" + key + "' must be > 0, got " + v);
        }
        finite(key, v);
    }

    private static void nonNegative(String key, double v) {
        if (!(v >= 0)) {
            throw new ConfigException("config key '" + key + "' must be >= 0, got " + v);
        }
        finite(key, v);
    }

    private static void atMost(String key, long v, long max) {
        if (v > max) {
            throw new ConfigException("config key '" + key + "' must be at most " + max + ", got " + v);
        }
    }

    private static void range(String key, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) {
            throw new ConfigException("config key '" + key + "' must be in [" + lo + ", " + hi + "], got " + v);
        }
    }

    private static void oneOf(String key, int v, int... allowed) {
        for (int a : allowed) {
            if (a == v) {
                return;
            }
        }
        throw new ConfigException("config key '" + key + "' must be one of " + java.util.Arrays.toString(allowed) + ", got " + v);
    }

    private static void choice(String key, String v, List<String> allowed) {
        if (v == null || !allowed.contains(v)) {
            throw new ConfigException("config key '" + key + "' must be one of " + allowed + ", got '" + v + "'");
        }
    }
}
