package io.github.diffusion4j.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The forward process of training, {@code diffusion.process} (today {@code additive}; Relay adds a block-DCT blur). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = ProcessConfig.Additive.class, name = "additive")})
public sealed interface ProcessConfig extends Typed permits ProcessConfig.Additive {
    /** x = x₀ + σ n (Karras et al. 2022, Eq. 2 with s(t) = 1). */
    record Additive() implements ProcessConfig {
        /** The default process. */
        public static final Additive DEFAULT = new Additive();
    }
}
