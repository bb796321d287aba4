package io.github.diffusion4j.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The forward process of training, {@code diffusion.process}: {@code additive} (EDM) or {@code blur} (Relay's block-DCT blur). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = ProcessConfig.Additive.class, name = "additive"),
    @JsonSubTypes.Type(value = ProcessConfig.Blur.class, name = "blur")})
public sealed interface ProcessConfig extends Typed permits ProcessConfig.Additive, ProcessConfig.Blur {
    /** x = x₀ + σ n (Karras et al. 2022, Eq. 2 with s(t) = 1). */
    record Additive() implements ProcessConfig {
        /** The default process. */
        public static final Additive DEFAULT = new Additive();
    }

    /**
     * Relay Diffusion's blurring process x = A_u(x₀) + σ(u)(ε + blockNoise·ε_blk) (Teng et al. 2024,
     * Sec. 3.3; methods.md §3.3): block-DCT blur in {@code patch}×{@code patch} patches (the ratio of
     * the two resolutions), σ_B,max = {@code blurSigmaMax}, minimum scale m = {@code minScale}, block-noise
     * weight (0 = off), σ(u) = exp(P_mean + P_std·Φ⁻¹(u·{@code probLength})) with the stage's
     * {@code diffusion.pMean}/{@code pStd}, and training draws kept at σ ≥ {@code sigmaFloor}.
     * Defaults are the paper's ImageNet 64→256 values; CelebA-HQ used blurSigmaMax 2, probLength 0.89.
     */
    record Blur(int patch, double blurSigmaMax, double minScale, double blockNoise, double probLength, double sigmaFloor)
            implements ProcessConfig {
        /** The paper's ImageNet settings (RelayDiffusion README: --up-scale=4 --block-scale=0.15 --prob-length=0.93 --blur-sigma-max=3.0). */
        public static final Blur DEFAULT = new Blur(4, 3.0, 0.001, 0.15, 0.93, 0.0075);
    }
}
