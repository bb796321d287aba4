package io.github.diffusion4j.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What the network's head predicts, {@code diffusion.parametrisation}: EDM's F (Karras et al. 2022,
 * Eq. 7), ε (Ho et al. 2020), x₀, or v (Salimans &amp; Ho 2022). Dual-output comes later.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ParametrisationConfig.EdmF.class, name = "edm-f"),
    @JsonSubTypes.Type(value = ParametrisationConfig.Epsilon.class, name = "eps"),
    @JsonSubTypes.Type(value = ParametrisationConfig.Sample.class, name = "x0"),
    @JsonSubTypes.Type(value = ParametrisationConfig.Velocity.class, name = "v")})
public sealed interface ParametrisationConfig extends Typed
        permits ParametrisationConfig.EdmF, ParametrisationConfig.Epsilon, ParametrisationConfig.Sample,
        ParametrisationConfig.Velocity {
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

    /** v-prediction (Salimans &amp; Ho 2022, Sec. 4). */
    record Velocity() implements ParametrisationConfig {
        public static final Velocity DEFAULT = new Velocity();
    }
}
