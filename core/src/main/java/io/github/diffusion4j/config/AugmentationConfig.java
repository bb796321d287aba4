package io.github.diffusion4j.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * CDM's conditioning augmentation of an SR stage's low-resolution input (Ho et al. 2021, Sec. 3.2),
 * {@code coupling.augmentation}: {@code none}, {@code gaussian} (the forward process of the stage's
 * noise units, level drawn per example up to {@code max}, given to the network) or {@code blur}
 * (a 3×3 Gaussian blur on a {@code fraction} of the examples, blur σ ~ U[{@code sigma}]; none at
 * inference).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = AugmentationConfig.None.class, name = "none"),
    @JsonSubTypes.Type(value = AugmentationConfig.Gaussian.class, name = "gaussian"),
    @JsonSubTypes.Type(value = AugmentationConfig.Blur.class, name = "blur")})
public sealed interface AugmentationConfig extends Typed
        permits AugmentationConfig.None, AugmentationConfig.Gaussian, AugmentationConfig.Blur {
    /** The largest level trained on (0 when the network is not told a level). */
    double maxLevel();

    /** The conditioning is the clean downsampled image. */
    record None() implements AugmentationConfig {
        public static final None DEFAULT = new None();

        @Override
        public double maxLevel() {
            return 0;
        }
    }

    /**
     * z_σ = z + σε in EDM units (for VP models √ᾱ z + √(1−ᾱ) ε with ᾱ = 1/(1+σ²), CDM's formula),
     * σ ~ U[0, {@code max}] per example, σ given to the network.
     */
    record Gaussian(double max) implements AugmentationConfig {
        public static final Gaussian DEFAULT = new Gaussian(1.0);

        @Override
        public double maxLevel() {
            return max;
        }
    }

    /** A 3×3 Gaussian blur of σ_b ~ U[{@code sigma[0]}, {@code sigma[1]}] on {@code fraction} of the examples (CDM: 50 %, σ_b ∈ [0.4, 0.6]). */
    record Blur(double fraction, List<Double> sigma) implements AugmentationConfig {
        public static final Blur DEFAULT = new Blur(0.5, List.of(0.4, 0.6));

        public Blur {
            sigma = Lists.copyOf(sigma);
        }

        @Override
        public double maxLevel() {
            return 0;
        }
    }
}
