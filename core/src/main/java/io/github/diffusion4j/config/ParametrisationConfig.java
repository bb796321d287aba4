package io.github.diffusion4j.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What the network's head predicts, {@code diffusion.parametrisation}: EDM's F (Karras et al. 2022,
 * Eq. 7), ε (Ho et al. 2020), x₀, v (Salimans &amp; Ho 2022), or dual-output (Benny &amp; Wolf 2022).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ParametrisationConfig.EdmF.class, name = "edm-f"),
    @JsonSubTypes.Type(value = ParametrisationConfig.Epsilon.class, name = "eps"),
    @JsonSubTypes.Type(value = ParametrisationConfig.Sample.class, name = "x0"),
    @JsonSubTypes.Type(value = ParametrisationConfig.Velocity.class, name = "v"),
    @JsonSubTypes.Type(value = ParametrisationConfig.Dual.class, name = "dual")})
public sealed interface ParametrisationConfig extends Typed
        permits ParametrisationConfig.EdmF, ParametrisationConfig.Epsilon, ParametrisationConfig.Sample,
        ParametrisationConfig.Velocity, ParametrisationConfig.Dual {
    /** EDM's preconditioned F: D = c_skip x + c_out F (Karras et al. 2022, Eq. 7). */
    record EdmF() implements ParametrisationConfig {
        /** The default parametrisation. */
        public static final EdmF DEFAULT = new EdmF();
    }

    /** ε-prediction (Ho et al. 2020, Eq. 11). */
    record Epsilon() implements ParametrisationConfig {
        public static final Epsilon DEFAULT = new Epsilon();
    }

    /** x₀-prediction. */
    record Sample() implements ParametrisationConfig {
        public static final Sample DEFAULT = new Sample();
    }

    /**
     * Dual-output (Benny &amp; Wolf 2022): x̂₀, ε̂ and a per-pixel mixing logit. {@code mixWeight}
     * weights the mixture term: {@code posterior} (the official c₁(t)² of the DDPM posterior mean,
     * for the discrete VP process), {@code edm} (EDM's λ(σ)), or {@code auto}: posterior when
     * {@code diffusion.noise} is {@code ddpm}, else edm.
     */
    record Dual(String mixWeight) implements ParametrisationConfig {
        public static final Dual DEFAULT = new Dual("auto");
    }

    /** v-prediction (Salimans &amp; Ho 2022, Sec. 4). */
    record Velocity() implements ParametrisationConfig {
        public static final Velocity DEFAULT = new Velocity();
    }
}
