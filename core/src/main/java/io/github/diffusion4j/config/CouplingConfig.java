package io.github.diffusion4j.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * How a stage takes over from the previous one, {@code stages[i].coupling}: {@code none}; {@code sr},
 * CDM's super-resolution conditioning on the upsampled, augmented lower-resolution image (Ho et al.
 * 2021, Sec. 2.1 and 3.2); or {@code relay}, Relay Diffusion's start from the nearest-upsampled
 * previous sample part-way down a blurring diffusion (Teng et al. 2024, Sec. 3.4).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = CouplingConfig.None.class, name = "none"),
    @JsonSubTypes.Type(value = CouplingConfig.SuperResolution.class, name = "sr"),
    @JsonSubTypes.Type(value = CouplingConfig.Relay.class, name = "relay")})
public sealed interface CouplingConfig extends Typed permits CouplingConfig.None, CouplingConfig.SuperResolution, CouplingConfig.Relay {
    /** A coupling that reads the previous stage's image at {@code lowResolution} (0 = the previous stage's resolution). */
    sealed interface FromLowResolution permits SuperResolution, Relay {
        int lowResolution();

        /** The same coupling from {@code r}. */
        CouplingConfig withLowResolution(int r);
    }

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
    record SuperResolution(int lowResolution, String upsample, AugmentationConfig augmentation) implements CouplingConfig, FromLowResolution {
        public static final SuperResolution DEFAULT = new SuperResolution(0, "bilinear", AugmentationConfig.None.DEFAULT);

        @Override
        public SuperResolution withLowResolution(int r) {
            return new SuperResolution(r, upsample, augmentation);
        }
    }

    /**
     * A Relay Diffusion stage (Teng et al. 2024, Sec. 3.4; methods.md §3.4), trained on the blurring
     * process ({@code diffusion.process.type: blur} with patch = resolution / {@code lowResolution}) and
     * given no conditioning image: at sampling, its σ grid keeps only the levels below
     * {@code truncationSigma} (then 0), it starts from the previous stage's final sample
     * nearest-upsampled plus σ₀(z + sBlock·ε_blk), σ₀ the first kept level, and runs the relay sampler
     * with stochasticity {@code sNoise}, block-noise weight {@code sBlock}, and blur coefficients from
     * u(σ) = Φ((ln σ − P_mean)/P_std)/{@code truncationT}. Defaults are the official ImageNet 64→256
     * values (truncation_sigma 0.9, truncation_t 0.93, s_noise 0.2, s_block 0.15); CelebA-HQ used 0.95
     * and 1.05 (a tuned mismatch with its training prob_length 0.89).
     */
    record Relay(int lowResolution, double truncationSigma, double truncationT, double sNoise, double sBlock) implements CouplingConfig, FromLowResolution {
        public static final Relay DEFAULT = new Relay(0, 0.9, 0.93, 0.2, 0.15);

        @Override
        public Relay withLowResolution(int r) {
            return new Relay(r, truncationSigma, truncationT, sNoise, sBlock);
        }
    }
}
