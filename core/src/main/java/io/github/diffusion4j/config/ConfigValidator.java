package io.github.diffusion4j.config;

import java.util.List;

/** Checks the values of a bound config; each failure names the key and what is wrong. */
final class ConfigValidator {
    private ConfigValidator() {}

    /**
     * Checks {@code c}; {@code shorthand}: the config was written with the one-stage keys, so a
     * stage's keys are named {@code model.…} and its resolution {@code data.resolution}, else
     * {@code stages[i].model.…} and {@code stages[i].resolution}.
     */
    static void validate(ExperimentConfig c, boolean shorthand) {
        var d = c.data();
        positive("data.resolution", d.resolution());
        oneOf("data.channels", d.channels(), 1, 3);
        nonNegative("data.limit", d.limit());
        if (c.stages() == null || c.stages().isEmpty()) {
            throw new ConfigException("config key 'stages' must list at least one stage");
        }
        for (int i = 0; i < c.stages().size(); i++) {
            String prefix = shorthand ? "" : "stages[" + i + "].";
            stage(c.stages().get(i), prefix, shorthand ? "data.resolution" : prefix + "resolution");
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
        nonNegative("training.steps", t.steps());
        nonNegative("training.minutes", t.minutes());
        positive("training.checkpointEvery", t.checkpointEvery());
        positive("training.logEvery", t.logEvery());
        positive("training.maxBadSteps", t.maxBadSteps());
        nonNegative("evaluation.n", c.evaluation().n());
    }

    /** One stage; its keys are shown under {@code p} ("" or "stages[i].") and its resolution as {@code resolutionKey}. */
    private static void stage(ExperimentConfig.StageConfig st, String p, String resolutionKey) {
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
            positive(p + "model.numResBlocks", m.numResBlocks());
            range(p + "model.dropout", m.dropout(), 0, 1);
            nonNegative(p + "model.classes", m.classes());
            choice(p + "model.embedding", m.embedding(), List.of("positional", "fourier"));
            int down = 1 << (m.channelMult().size() - 1);
            if (st.resolution() % down != 0) {
                throw new ConfigException("config key '" + resolutionKey + "': " + st.resolution() + " is not divisible by 2^(levels-1) = "
                        + down + " for " + p + "model.channelMult of length " + m.channelMult().size());
            }
        }
        var f = st.diffusion();
        choice(p + "diffusion.preconditioning", f.preconditioning(), List.of("edm", "vp", "ve"));
        positive(p + "diffusion.sigmaData", f.sigmaData());
        choice(p + "diffusion.noise", f.noise(), List.of("lognormal", "ddpm"));
        positive(p + "diffusion.pStd", f.pStd());
        choice(p + "diffusion.weighting", f.weighting(), List.of("natural", "min-snr"));
        positive(p + "diffusion.minSnrGamma", f.minSnrGamma());
        var s = st.sampling();
        nonNegative(p + "sampling.sampler.sChurn", s.sampler().churn());
        positive(p + "sampling.steps", s.steps());
        positive(p + "sampling.sigmaMin", s.sigmaMin());
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
        positive(p + "sampling.gridSeeds", s.gridSeeds());
    }

    private static void positive(String key, double v) {
        if (!(v > 0)) {
            throw new ConfigException("config key '" + key + "' must be > 0, got " + v);
        }
    }

    private static void nonNegative(String key, double v) {
        if (!(v >= 0)) {
            throw new ConfigException("config key '" + key + "' must be >= 0, got " + v);
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
