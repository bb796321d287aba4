package io.github.diffusion4j.assemble;

import io.github.diffusion4j.cascade.StageCoupling;
import io.github.diffusion4j.cascade.RelayCoupling;
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
import io.github.diffusion4j.param.MultiHeadSupervision;
import io.github.diffusion4j.param.Parametrisation;
import io.github.diffusion4j.param.PreconditionedF;
import io.github.diffusion4j.param.Preconditioning;
import io.github.diffusion4j.param.SamplePrediction;
import io.github.diffusion4j.param.VePreconditioning;
import io.github.diffusion4j.param.VelocityPrediction;
import io.github.diffusion4j.param.VpPreconditioning;
import io.github.diffusion4j.process.AdditiveProcess;
import io.github.diffusion4j.process.BlockDctBlurProcess;
import io.github.diffusion4j.process.BlurSchedule;
import io.github.diffusion4j.process.ForwardProcess;
import io.github.diffusion4j.schedule.DiscreteVpSchedule;
import io.github.diffusion4j.schedule.LinearVpSchedule;
import io.github.diffusion4j.schedule.LogNormalSigma;
import io.github.diffusion4j.schedule.TrainingNoise;
import io.github.diffusion4j.schedule.TruncatedLogNormalSigma;
import io.github.diffusion4j.schedule.UniformDiscreteT;
import java.util.List;

/**
 * The diffusion design axes a stage names, as objects (Karras et al. 2022, Table 1): preconditioning,
 * parametrisation, training noise p(σ), forward process, loss weighting, and the stage coupling.
 */
public record DiffusionAssembly(Preconditioning preconditioning, Parametrisation parametrisation, TrainingNoise noise,
        ForwardProcess process, LossWeighting weighting, StageCoupling coupling) {

    /** The axes of {@code stage}: its diffusion section and its coupling, for the heads its model returns. */
    public static DiffusionAssembly of(StageConfig stage) {
        return of(stage.diffusion(), stage.coupling(), stage.model().headDownsample());
    }

    /** The axes {@code c} names, with {@code coupling}, for a one-head backbone. */
    public static DiffusionAssembly of(DiffusionConfig c, CouplingConfig coupling) {
        return of(c, coupling, List.of(1));
    }

    /**
     * The axes {@code c} names, with {@code coupling}, for a backbone whose heads have the downsampling
     * factors {@code headDownsample} (several: the parametrisation is {@link MultiHeadSupervision}).
     */
    public static DiffusionAssembly of(DiffusionConfig c, CouplingConfig coupling, List<Integer> headDownsample) {
        Preconditioning pre = switch (c.preconditioning()) {
            case "edm" -> new EdmPreconditioning(c.sigmaData());
            case "vp" -> new VpPreconditioning(LinearVpSchedule.edm(), 999);
            case "ve" -> new VePreconditioning();
            default -> throw new IllegalArgumentException("unknown preconditioning '" + c.preconditioning() + "'");
        };
        TrainingNoise noise = switch (c.noise()) {
            case "lognormal" -> c.process() instanceof ProcessConfig.Blur b
                    ? TruncatedLogNormalSigma.withFloor(c.pMean(), c.pStd(), b.probLength(), b.sigmaFloor())
                    : new LogNormalSigma(c.pMean(), c.pStd());
            case "ddpm" -> new UniformDiscreteT(DiscreteVpSchedule.ddpm());
            default -> throw new IllegalArgumentException("unknown noise distribution '" + c.noise() + "'");
        };
        LossWeighting w = switch (c.weighting()) {
            case "natural" -> LossWeighting.NATURAL;
            case "min-snr" -> LossWeighting.minSnr(c.minSnrGamma());
            default -> throw new IllegalArgumentException("unknown weighting '" + c.weighting() + "'");
        };
        return new DiffusionAssembly(pre, parametrisation(c, headDownsample), noise, process(c.process(), c.pMean(), c.pStd()), w,
                coupling(coupling, pre, c));
    }

    /** The parametrisation of {@code stage}'s heads ({@link #parametrisation(DiffusionConfig, List)} of its model's heads). */
    public static Parametrisation parametrisation(StageConfig stage) {
        return parametrisation(stage.diffusion(), stage.model().headDownsample());
    }

    /**
     * The parametrisation {@code c} names for heads at {@code headDownsample}: the named one for a single
     * head without supervision weights, else that one under {@link MultiHeadSupervision} with {@code c.supervision()}'s weights and pooling.
     */
    public static Parametrisation parametrisation(DiffusionConfig c, List<Integer> headDownsample) {
        Parametrisation head = parametrisation(c);
        if (headDownsample.equals(List.of(1)) && c.supervision().weights().isEmpty()) {
            return head;
        }
        return new MultiHeadSupervision(head, headDownsample, c.supervision().weights(),
                MultiHeadSupervision.Pooling.parse(c.supervision().pooling()));
    }

    /** The single-head parametrisation {@code c} names (dual-output's mixture weight follows {@code c.noise()} under {@code auto}). */
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

    /**
     * The forward process {@code p} names; a blur process's σ ↔ u map uses the stage's P_mean/P_std,
     * so training noise (σ(u) of a uniform u) and the process's u(σ) are inverses.
     */
    static ForwardProcess process(ProcessConfig p, double pMean, double pStd) {
        if (p instanceof ProcessConfig.Additive) {
            return new AdditiveProcess();
        } else if (p instanceof ProcessConfig.Blur b) {
            return new BlockDctBlurProcess(blurSchedule(b, pMean, pStd), b.blockNoise());
        }
        throw new IllegalStateException("no forward process for '" + p.type() + "'");
    }

    /** The blur schedule of a blur process with the stage's P_mean/P_std (for the process and for the relay sampler). */
    public static BlurSchedule blurSchedule(ProcessConfig.Blur b, double pMean, double pStd) {
        return new BlurSchedule(TruncatedLogNormalSigma.withFloor(pMean, pStd, b.probLength(), b.sigmaFloor()),
                b.blurSigmaMax(), b.minScale(), b.patch());
    }

    /**
     * The coupling {@code c} names; an SR stage's augmentation levels are in the units of {@code pre} (VP:
     * variance-preserving); a relay stage's sampler reads the blur process of {@code d}.
     */
    static StageCoupling coupling(CouplingConfig c, Preconditioning pre, DiffusionConfig d) {
        if (c instanceof CouplingConfig.None) {
            return StageCoupling.NONE;
        }
        if (c instanceof CouplingConfig.SuperResolution sr) {
            return new SuperResolutionCoupling(sr, pre instanceof VpPreconditioning);
        }
        if (c instanceof CouplingConfig.Relay r) {
            if (!(d.process() instanceof ProcessConfig.Blur b)) {
                throw new IllegalStateException("a relay stage needs the blur process (checked by the config validator)");
            }
            return new RelayCoupling(r, blurSchedule(b, d.pMean(), d.pStd()));
        }
        throw new IllegalStateException("no stage coupling for '" + c.type() + "'");
    }
}
