package io.github.diffusion4j.config;

import java.util.List;

/** Checks the values of a bound config; each failure names the key and what is wrong. */
final class ConfigValidator {
    private ConfigValidator() {}

    static void validate(ExperimentConfig c) {
        var d = c.data();
        positive("data.resolution", d.resolution());
        oneOf("data.channels", d.channels(), 1, 3);
        nonNegative("data.limit", d.limit());
        var m = c.model();
        choice("model.type", m.type(), List.of("unet"));
        positive("model.baseChannels", m.baseChannels());
        if (m.channelMult() == null || m.channelMult().length == 0) {
            throw new ConfigException("config key 'model.channelMult' must list at least one multiplier");
        }
        for (int x : m.channelMult()) {
            positive("model.channelMult", x);
        }
        positive("model.numResBlocks", m.numResBlocks());
        range("model.dropout", m.dropout(), 0, 1);
        nonNegative("model.classes", m.classes());
        choice("model.embedding", m.embedding(), List.of("positional", "fourier"));
        int down = 1 << (m.channelMult().length - 1);
        if (d.resolution() % down != 0) {
            throw new ConfigException("config key 'data.resolution': " + d.resolution() + " is not divisible by 2^(levels-1) = "
                    + down + " for model.channelMult of length " + m.channelMult().length);
        }
        var f = c.diffusion();
        choice("diffusion.preconditioning", f.preconditioning(), List.of("edm", "vp", "ve"));
        positive("diffusion.sigmaData", f.sigmaData());
        choice("diffusion.parametrisation", f.parametrisation(), List.of("edm-f", "eps", "x0", "v"));
        choice("diffusion.noise", f.noise(), List.of("lognormal", "ddpm"));
        positive("diffusion.pStd", f.pStd());
        choice("diffusion.weighting", f.weighting(), List.of("natural", "min-snr"));
        positive("diffusion.minSnrGamma", f.minSnrGamma());
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
        var s = c.sampling();
        choice("sampling.sampler", s.sampler(), io.github.diffusion4j.sample.Samplers.NAMES);
        positive("sampling.steps", s.steps());
        positive("sampling.sigmaMin", s.sigmaMin());
        if (s.sigmaMax() <= s.sigmaMin()) {
            throw new ConfigException("config key 'sampling.sigmaMax' must exceed sampling.sigmaMin");
        }
        positive("sampling.rho", s.rho());
        nonNegative("sampling.sChurn", s.sChurn());
        positive("sampling.gridSeeds", s.gridSeeds());
        nonNegative("evaluation.n", c.evaluation().n());
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
