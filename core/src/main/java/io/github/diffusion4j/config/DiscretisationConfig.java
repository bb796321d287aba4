package io.github.diffusion4j.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * The sampler's σ grid, {@code sampling.discretisation} (Karras et al. 2022, Table 1, "time steps"):
 * the grids of package {@code schedule}. {@code karras}, {@code loguniform} and {@code iddpm} span
 * [{@code sampling.sigmaMin}, {@code sampling.sigmaMax}]; {@code vp} and {@code discrete} take their
 * levels from their schedule.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = DiscretisationConfig.Karras.class, name = "karras"),
    @JsonSubTypes.Type(value = DiscretisationConfig.LogUniform.class, name = "loguniform"),
    @JsonSubTypes.Type(value = DiscretisationConfig.Vp.class, name = "vp"),
    @JsonSubTypes.Type(value = DiscretisationConfig.Iddpm.class, name = "iddpm"),
    @JsonSubTypes.Type(value = DiscretisationConfig.Discrete.class, name = "discrete")})
public sealed interface DiscretisationConfig extends Typed
        permits DiscretisationConfig.Karras, DiscretisationConfig.LogUniform, DiscretisationConfig.Vp,
        DiscretisationConfig.Iddpm, DiscretisationConfig.Discrete {
    /** Karras et al. 2022, Eq. 5: the ρ-grid. */
    record Karras(double rho) implements DiscretisationConfig {
        /** The default grid, ρ = 7. */
        public static final Karras DEFAULT = new Karras(7);
    }

    /** Uniform in ln σ (Table 1, VE column). */
    record LogUniform() implements DiscretisationConfig {
        public static final LogUniform DEFAULT = new LogUniform();
    }

    /** Uniform t of the linear VP-SDE, t from 1 to ε_s (Table 1, VP column; EDM's β_d = 19.9, β_min = 0.1, ε_s = 1e-3). */
    record Vp(double betaD, double betaMin, double epsilonS) implements DiscretisationConfig {
        public static final Vp DEFAULT = new Vp(19.9, 0.1, 1e-3);
    }

    /** iDDPM's levels as re-derived by Karras et al. 2022 (Table 1, iDDPM column; M = 1000, C₁ = 0.001, C₂ = 0.008). */
    record Iddpm(int m, double c1, double c2) implements DiscretisationConfig {
        public static final Iddpm DEFAULT = new Iddpm(1000, 0.001, 0.008);
    }

    /**
     * N of DDPM's T = 1000 training levels (linear β from 1e-4 to 0.02, the schedule of
     * {@code diffusion.noise: ddpm}), re-spaced {@code leading} or {@code trailing} (Song et al. 2021, Sec. 4.2).
     */
    record Discrete(String spacing) implements DiscretisationConfig {
        public static final Discrete DEFAULT = new Discrete("leading");
    }
}
