package io.github.diffusion4j.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What a stage is conditioned on besides the class, {@code stages[i].coupling}: {@code none}, or
 * {@code sr}, CDM's super-resolution conditioning on the upsampled, augmented lower-resolution
 * image (Ho et al. 2021, Sec. 2.1 and 3.2). Relay (Teng et al. 2024) comes later.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = CouplingConfig.None.class, name = "none"),
    @JsonSubTypes.Type(value = CouplingConfig.SuperResolution.class, name = "sr")})
public sealed interface CouplingConfig extends Typed permits CouplingConfig.None, CouplingConfig.SuperResolution {
    /** No coupling: a single model or a cascade's base stage. */
    record None() implements CouplingConfig {
        public static final None DEFAULT = new None();
    }

    /**
     * A CDM super-resolution stage (Ho et al. 2021, Sec. 2.1): conditioned on the image at
     * {@code lowResolution} (0 = the previous stage's resolution, resolved when the config is
     * read), upsampled to the stage's resolution by {@code upsample} ({@code bilinear} or
     * {@code nearest}) and concatenated to the network input, corrupted in training by
     * {@code augmentation} (Sec. 3.2).
     */
    record SuperResolution(int lowResolution, String upsample, AugmentationConfig augmentation) implements CouplingConfig {
        public static final SuperResolution DEFAULT = new SuperResolution(0, "bilinear", AugmentationConfig.None.DEFAULT);

        /** The same coupling from {@code r}. */
        public SuperResolution withLowResolution(int r) {
            return new SuperResolution(r, upsample, augmentation);
        }
    }
}
