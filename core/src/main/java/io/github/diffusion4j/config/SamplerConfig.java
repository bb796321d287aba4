package io.github.diffusion4j.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The sampler of a stage, {@code sampling.sampler}: the names of {@code sample.Samplers}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = SamplerConfig.Heun.class, name = "heun"),
    @JsonSubTypes.Type(value = SamplerConfig.Euler.class, name = "euler"),
    @JsonSubTypes.Type(value = SamplerConfig.Ddim.class, name = "ddim"),
    @JsonSubTypes.Type(value = SamplerConfig.DdimClipped.class, name = "ddim_clip"),
    @JsonSubTypes.Type(value = SamplerConfig.EulerAncestral.class, name = "euler_a"),
    @JsonSubTypes.Type(value = SamplerConfig.DpmSolverPlusPlus2M.class, name = "dpmpp_2m")})
public sealed interface SamplerConfig extends Typed
        permits SamplerConfig.Heun, SamplerConfig.Euler, SamplerConfig.Ddim, SamplerConfig.DdimClipped, SamplerConfig.EulerAncestral,
        SamplerConfig.DpmSolverPlusPlus2M {
    /** S_churn of the samplers that take it (Karras et al. 2022, Alg. 2), 0 for the others. */
    default double churn() {
        return 0;
    }

    /** Karras et al. 2022, Alg. 1–2 (second order), churn S_churn with S_tmin = 0, S_tmax = ∞, S_noise = 1. */
    record Heun(double sChurn) implements SamplerConfig {
        /** The default sampler. */
        public static final Heun DEFAULT = new Heun(0);

        @Override
        public double churn() {
            return sChurn;
        }
    }

    /** Karras et al. 2022, Alg. 2 without the second-order correction. */
    record Euler(double sChurn) implements SamplerConfig {
        public static final Euler DEFAULT = new Euler(0);

        @Override
        public double churn() {
            return sChurn;
        }
    }

    /** DDIM, η = 0 (Song et al. 2021, Eq. 12). */
    record Ddim() implements SamplerConfig {
        public static final Ddim DEFAULT = new Ddim();
    }

    /** DDIM, η = 0, with x̂₀ clipped to [−1, 1] in the signal term (the reference code's {@code clip_denoised}). */
    record DdimClipped() implements SamplerConfig {
        public static final DdimClipped DEFAULT = new DdimClipped();
    }

    /** Euler-ancestral, DDIM with η = 1 (k-diffusion's {@code sample_euler_ancestral}). */
    record EulerAncestral() implements SamplerConfig {
        public static final EulerAncestral DEFAULT = new EulerAncestral();
    }

    /** DPM-Solver++(2M) (Lu et al. 2022, Alg. 2). */
    record DpmSolverPlusPlus2M() implements SamplerConfig {
        public static final DpmSolverPlusPlus2M DEFAULT = new DpmSolverPlusPlus2M();
    }
}
