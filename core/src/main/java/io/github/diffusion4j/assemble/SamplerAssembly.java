package io.github.diffusion4j.assemble;

import io.github.diffusion4j.config.ConfigException;
import io.github.diffusion4j.config.DiscretisationConfig;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.config.ExperimentConfig.DataConfig;
import io.github.diffusion4j.config.ExperimentConfig.SamplingConfig;
import io.github.diffusion4j.config.SamplerConfig;
import io.github.diffusion4j.denoise.BrickSkipping;
import io.github.diffusion4j.denoise.ComputeMeter;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.param.MultiHeadSupervision;
import io.github.diffusion4j.sample.AncestralSampler;
import io.github.diffusion4j.sample.Churn;
import io.github.diffusion4j.sample.ClassifierFreeGuidance;
import io.github.diffusion4j.sample.DpmSolverPlusPlus2M;
import io.github.diffusion4j.sample.EdmSampler;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.sample.Sampler;
import io.github.diffusion4j.sample.Samplers;
import io.github.diffusion4j.schedule.DiscreteSigmas;
import io.github.diffusion4j.schedule.DiscreteVpSchedule;
import io.github.diffusion4j.schedule.Discretization;
import io.github.diffusion4j.schedule.IddpmSigmas;
import io.github.diffusion4j.schedule.KarrasSigmas;
import io.github.diffusion4j.schedule.LinearVpSchedule;
import io.github.diffusion4j.schedule.LogUniformSigmas;
import io.github.diffusion4j.schedule.VpSigmas;

/**
 * The one place a {@link SamplingConfig} becomes objects (review round 2, §4 "assemble"): the
 * sampler, its σ grid (Karras et al. 2022, Eq. 5), classifier-free guidance and the {@link Generator}
 * that {@code d4j sample}, {@code d4j eval}, the demo, checkpoint evaluation and the grids use.
 */
public final class SamplerAssembly {
    private SamplerAssembly() {}

    /** The sampler called {@code name} (one of {@link Samplers#NAMES}); {@code churn} applies to heun and euler. */
    public static Sampler sampler(String name, Churn churn) {
        return switch (name) {
            case "heun" -> new EdmSampler(true, churn);
            case "euler" -> new EdmSampler(false, churn);
            case "ddim" -> AncestralSampler.ddim();
            case "ddim_clip" -> AncestralSampler.ddimClipped();
            case "euler_a" -> AncestralSampler.eulerAncestral();
            case "dpmpp_2m" -> new DpmSolverPlusPlus2M();
            default -> throw new IllegalArgumentException(
                    "unknown sampler '" + name + "' (expected one of " + String.join(", ", Samplers.NAMES) + ")");
        };
    }

    /** The config's sampler, with its churn. */
    public static Sampler sampler(SamplingConfig s) {
        return sampler(s.sampler().type(), churn(s));
    }

    /** EDM's churn at S_churn = {@code sampling.sampler.sChurn} over all σ, S_noise = 1 (Karras et al. 2022, Alg. 2); none at 0. */
    public static Churn churn(SamplingConfig s) {
        double sChurn = s.sampler().churn();
        return sChurn > 0 ? new Churn(sChurn, 0, Double.POSITIVE_INFINITY, 1) : Churn.NONE;
    }

    /** The σ grid {@code sampling.discretisation} names, over [sigmaMin, sigmaMax] where the grid takes a range. */
    public static Discretization discretization(SamplingConfig s) {
        DiscretisationConfig c = s.discretisation();
        if (c instanceof DiscretisationConfig.Karras k) {
            return new KarrasSigmas(s.sigmaMin(), s.sigmaMax(), k.rho());
        } else if (c instanceof DiscretisationConfig.LogUniform) {
            return new LogUniformSigmas(s.sigmaMin(), s.sigmaMax());
        } else if (c instanceof DiscretisationConfig.Vp v) {
            return new VpSigmas(new LinearVpSchedule(v.betaD(), v.betaMin()), v.epsilonS());
        } else if (c instanceof DiscretisationConfig.Iddpm i) {
            return new IddpmSigmas(i.m(), i.c1(), i.c2(), s.sigmaMin(), s.sigmaMax());
        } else if (c instanceof DiscretisationConfig.Discrete x) {
            return new DiscreteSigmas(DiscreteVpSchedule.ddpm(), DiscreteSigmas.Spacing.valueOf(x.spacing().toUpperCase(java.util.Locale.ROOT)));
        }
        throw new IllegalStateException("no σ grid for '" + c.type() + "'");
    }

    /** {@code denoiser} under classifier-free guidance of weight {@code w} (itself at w = 1). */
    public static Denoiser guided(Denoiser denoiser, double w) {
        return w == 1.0 ? denoiser : new ClassifierFreeGuidance(denoiser, w);
    }

    /**
     * The generator a {@link SamplingConfig} names around {@code denoiser}, for samples of shape
     * {@code sampleShape}, labelled by the one rule when {@code classes} &gt; 0.
     */
    public static Generator generator(Denoiser denoiser, SamplingConfig s, long[] sampleShape, int classes) {
        return generator(denoiser, s, sampleShape, classes, null);
    }

    /**
     * {@link #generator}, counting the network FLOPs its evaluations spend into {@code meter} (null: not counted), inside
     * guidance (both branches) and after brick skipping (a skipped step costs its remaining bricks).
     */
    public static Generator generator(Denoiser denoiser, SamplingConfig s, long[] sampleShape, int classes, ComputeMeter meter) {
        return generator(denoiser, s, sampleShape, classes, meter, denoiser);
    }

    /**
     * {@link #generator(Denoiser, SamplingConfig, long[], int, ComputeMeter)} for a {@code denoiser} that wraps
     * {@code costOf} (e.g. a recorder around a checkpoint's denoiser): the meter counts {@code costOf}'s network.
     */
    public static Generator generator(Denoiser denoiser, SamplingConfig s, long[] sampleShape, int classes, ComputeMeter meter,
            Denoiser costOf) {
        Discretization grid = discretization(s);
        if (grid instanceof DiscreteSigmas d && s.steps() > d.schedule().steps()) {
            throw new ConfigException("sampling.steps (or --steps) is " + s.steps() + " but the discrete schedule has only "
                    + d.schedule().steps() + " training steps to re-space");
        }
        double[] sigmas = grid.sigmas(s.steps());
        Denoiser d = skipping(denoiser, s, sigmas);
        if (meter != null) {
            d = meter.around(d, costAt(costOf == denoiser ? d : skipping(costOf, s, sigmas), sampleShape));
        }
        return new Generator(guided(d, s.guidance()), sampler(s), sigmas, sampleShape).withClasses(classes);
    }

    /**
     * The FLOPs per sample of one evaluation of {@code d} at σ on images of {@code shape} [C, H, W]: the network's at the
     * exit a {@link BrickSkipping} chooses for σ, else the whole network's; NaN when {@code d} has no network to ask.
     */
    public static java.util.function.DoubleUnaryOperator costAt(Denoiser d, long[] shape) {
        int h = (int) shape[1];
        int w = (int) shape[2];
        if (d instanceof BrickSkipping b && network(b.inner().backbone()) instanceof io.github.diffusion4j.net.Network n) {
            return sigma -> n.flopsPerSample(h, w, b.exitAt(sigma));
        }
        if (d instanceof PreconditionedDenoiser p && network(p.backbone()) instanceof io.github.diffusion4j.net.Network n) {
            double f = n.flopsPerSample(h, w, io.github.diffusion4j.denoise.Exit.ALL);
            return sigma -> f;
        }
        return sigma -> Double.NaN;
    }

    /** {@code b} without its precision wrapper: the network a bf16 checkpoint runs under autocast costs what it costs in fp32. */
    private static io.github.diffusion4j.denoise.Backbone network(io.github.diffusion4j.denoise.Backbone b) {
        return b instanceof io.github.diffusion4j.denoise.AutocastBackbone a ? a.inner() : b;
    }

    /**
     * {@code denoiser} under {@code sampling.skip} on the grid {@code sigmas} ({@link BrickSkipping}, inside guidance so both
     * branches skip), or itself when nothing is skipped; skipping needs a network with several stages.
     */
    public static Denoiser skipping(Denoiser denoiser, SamplingConfig s, double[] sigmas) {
        BrickSkipping.Mode mode = BrickSkipping.Mode.parse(s.skip().mode());
        if (mode == BrickSkipping.Mode.NONE) {
            return denoiser;
        }
        int stages = denoiser instanceof PreconditionedDenoiser p && p.parametrisation() instanceof MultiHeadSupervision m
                ? m.downsample().size() : 1;
        if (stages < 2) {
            throw new ConfigException("config key 'sampling.skip.mode' is '" + s.skip().mode()
                    + "' but the model has a single stage; only a brick stack (model.type: lego) skips bricks");
        }
        int keep = s.skip().keep() == 0 ? stages - 1 : s.skip().keep();
        if (keep >= stages) {
            throw new ConfigException("config key 'sampling.skip.keep' is " + keep + " but the model has " + stages
                    + " bricks; a skipped step keeps fewer (0 = all but the last)");
        }
        return new BrickSkipping((PreconditionedDenoiser) denoiser, sigmas, mode, s.skip().fraction(), keep);
    }

    /** The generator of an experiment's own sampling settings, data shape and classes. */
    public static Generator generator(Denoiser denoiser, ExperimentConfig cfg) {
        return generator(denoiser, cfg.sampling(), sampleShape(cfg.data()), cfg.model().classes());
    }

    /** [C, H, W] of the data a config trains on. */
    public static long[] sampleShape(DataConfig data) {
        return new long[] {data.channels(), data.resolution(), data.resolution()};
    }

    /**
     * {@code s} with the sampler, step count and guidance weight replaced where given (command-line
     * overrides); a replacing sampler that takes churn keeps the config's S_churn, as round 1 did.
     */
    public static SamplingConfig overridden(SamplingConfig s, String sampler, Integer steps, Double guidance) {
        SamplerConfig chosen = sampler == null ? s.sampler() : samplerConfig(sampler, s.sampler().churn());
        return new SamplingConfig(chosen, steps != null ? steps : s.steps(), s.sigmaMin(), s.sigmaMax(), s.discretisation(),
                guidance != null ? guidance : s.guidance(), s.gridSeeds(), s.skip());
    }

    /** The typed sampler config called {@code name}, with S_churn {@code sChurn} where it takes one. */
    static SamplerConfig samplerConfig(String name, double sChurn) {
        return switch (name) {
            case "heun" -> new SamplerConfig.Heun(sChurn);
            case "euler" -> new SamplerConfig.Euler(sChurn);
            case "ddim" -> SamplerConfig.Ddim.DEFAULT;
            case "ddim_clip" -> SamplerConfig.DdimClipped.DEFAULT;
            case "euler_a" -> SamplerConfig.EulerAncestral.DEFAULT;
            case "dpmpp_2m" -> SamplerConfig.DpmSolverPlusPlus2M.DEFAULT;
            default -> throw new IllegalArgumentException(
                    "unknown sampler '" + name + "' (expected one of " + String.join(", ", Samplers.NAMES) + ")");
        };
    }
}
