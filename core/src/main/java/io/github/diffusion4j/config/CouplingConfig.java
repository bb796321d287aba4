package io.github.diffusion4j.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What a stage is conditioned on besides the class, {@code stages[i].coupling} (today {@code none};
 * CDM super-resolution, Ho et al. 2021, and Relay, Teng et al. 2024, come later).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = CouplingConfig.None.class, name = "none")})
public sealed interface CouplingConfig extends Typed permits CouplingConfig.None {
    /** No coupling: a single model or a cascade's base stage. */
    record None() implements CouplingConfig {
        public static final None DEFAULT = new None();
    }
}
