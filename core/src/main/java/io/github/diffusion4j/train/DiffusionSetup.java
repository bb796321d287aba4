package io.github.diffusion4j.train;

import io.github.diffusion4j.config.ExperimentConfig.DiffusionConfig;
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

/** The diffusion design axes named by a config, as objects (Karras et al. 2022, Table 1). */
public record DiffusionSetup(Preconditioning preconditioning, Parametrisation parametrisation, TrainingNoise noise,
        ForwardProcess process, LossWeighting weighting) {

    /** Builds the axes from the config's names. */
    public static DiffusionSetup from(DiffusionConfig c) {
        Preconditioning pre = switch (c.preconditioning()) {
            case "edm" -> new EdmPreconditioning(c.sigmaData());
            case "vp" -> new VpPreconditioning(LinearVpSchedule.edm(), 999);
            case "ve" -> new VePreconditioning();
            default -> throw new IllegalArgumentException("unknown preconditioning '" + c.preconditioning() + "'");
        };
        Parametrisation param = switch (c.parametrisation()) {
            case "edm-f" -> new PreconditionedF();
            case "eps" -> new EpsilonPrediction();
            case "x0" -> new SamplePrediction();
            case "v" -> new VelocityPrediction();
            default -> throw new IllegalArgumentException("unknown parametrisation '" + c.parametrisation() + "'");
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
        return new DiffusionSetup(pre, param, noise, new AdditiveProcess(), w);
    }
}
