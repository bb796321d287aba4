package io.github.diffusion4j.assemble;

import io.github.diffusion4j.cascade.StageCoupling;
import io.github.diffusion4j.cascade.SuperResolutionCoupling;
import io.github.diffusion4j.config.CouplingConfig;
import io.github.diffusion4j.config.ExperimentConfig.DiffusionConfig;
import io.github.diffusion4j.config.ExperimentConfig.StageConfig;
import io.github.diffusion4j.config.ParametrisationConfig;
import io.github.diffusion4j.config.ProcessConfig;
import io.github.diffusion4j.param.DualOutput;
import io.github.diffusion4j.param.EdmPreconditioning;
import io.github.diffusion4j.param.EpsilonPrediction;
import io.github.diffusion4j.param.LossWeighting;
import io.github.diffusion4j.param.Parametrisation;
import io.github.diffusion4j.param.PreconditionedF;
import io.github.diffusion4j.param.Preconditioning;
import io.github.diffusion4j.param.SamplePrediction;
import io.github.diffusion4j.param.VePreconditioning;
import io.github.diffusion4j.param.VelocityPrediction;
import io.github.diffusion4j.param.VpPreconditioning;
import io.github.diffusion4j.process.AdditiveProcess;
import io.github.diffusion4j.process.ForwardProcess;
import io.github.diffusion4j.schedule.DiscreteVpSchedule;
import io.github.diffusion4j.schedule.LinearVpSchedule;
import io.github.diffusion4j.schedule.LogNormalSigma;
import io.github.diffusion4j.schedule.TrainingNoise;
import io.github.diffusion4j.schedule.UniformDiscreteT;

/**
 * The diffusion design axes a stage names, as objects (Karras et al. 2022, Table 1): preconditioning,
 * parametrisation, training noise p(σ), forward process, loss weighting, and the stage coupling.
 */
public record DiffusionAssembly(Preconditioning preconditioning, Parametrisation parametrisation, TrainingNoise noise,
        ForwardProcess process, LossWeighting weighting, StageCoupling coupling) {

    /** The axes of {@code stage}: its diffusion section and its coupling. */
    public static DiffusionAssembly of(StageConfig stage) {
        return of(stage.diffusion(), stage.coupling());
    }

    /** The axes {@code c} names, with {@code coupling}. */
    public static DiffusionAssembly of(DiffusionConfig c, CouplingConfig coupling) {
        Preconditioning pre = switch (c.preconditioning()) {
            case "edm" -> new EdmPreconditioning(c.sigmaData());
            case "vp" -> new VpPreconditioning(LinearVpSchedule.edm(), 999);
            case "ve" -> new VePreconditioning();
            default -> throw new IllegalArgumentException("unknown preconditioning '" + c.preconditioning() + "'");
        };
        TrainingNoise noise = switch (c.noise()) {
            case "lognormal" -> new LogNormalSigma(c.pMean(), c.pStd());
            case "ddpm" -> new UniformDiscreteT(DiscreteVpSchedule.ddpm());
            default -> throw new IllegalArgumentException("unknown noise distribution '" + c.noise() + "'");
        };
        LossWeighting w = switch (c.weighting()) {
            case "natural" -> LossWeighting.NATURAL;
            case "min-snr" -> LossWeighting.minSnr(c.minSnrGamma());
            default -> throw new IllegalArgumentException("unknown weighting '" + c.weighting() + "'");
        };
        return new DiffusionAssembly(pre, parametrisation(c), noise, process(c.process()), w,
                coupling(coupling, pre));
    }

    /** The parametrisation {@code c} names (dual-output's mixture weight follows {@code c.noise()} under {@code auto}). */
    public static Parametrisation parametrisation(DiffusionConfig c) {
        ParametrisationConfig p = c.parametrisation();
        if (p instanceof ParametrisationConfig.Dual d) {
            boolean discrete = d.mixWeight().equals("posterior") || d.mixWeight().equals("auto") && c.noise().equals("ddpm");
            return new DualOutput(discrete ? DualOutput.MixWeight.posteriorMean(DiscreteVpSchedule.ddpm()) : DualOutput.MixWeight.edm());
        } else if (p instanceof ParametrisationConfig.EdmF) {
            return new PreconditionedF();
        } else if (p instanceof ParametrisationConfig.Epsilon) {
            return new EpsilonPrediction();
        } else if (p instanceof ParametrisationConfig.Sample) {
            return new SamplePrediction();
        } else if (p instanceof ParametrisationConfig.Velocity) {
            return new VelocityPrediction();
        }
        throw new IllegalStateException("no parametrisation for '" + p.type() + "'");
    }

    static ForwardProcess process(ProcessConfig p) {
        if (p instanceof ProcessConfig.Additive) {
            return new AdditiveProcess();
        }
        throw new IllegalStateException("no forward process for '" + p.type() + "'");
    }

    /** The coupling {@code c} names; an SR stage's augmentation levels are in the units of {@code pre} (VP: variance-preserving). */
    static StageCoupling coupling(CouplingConfig c, Preconditioning pre) {
        if (c instanceof CouplingConfig.None) {
            return StageCoupling.NONE;
        }
        if (c instanceof CouplingConfig.SuperResolution sr) {
            return new SuperResolutionCoupling(sr, pre instanceof VpPreconditioning);
        }
        throw new IllegalStateException("no stage coupling for '" + c.type() + "'");
    }
}
