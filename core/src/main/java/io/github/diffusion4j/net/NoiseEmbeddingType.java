package io.github.diffusion4j.net;

import java.util.Locale;

/**
 * How the scalar noise conditioning c_noise becomes a vector before the embedding MLP
 * (Karras et al. 2022, {@code training/networks.py}: {@code PositionalEmbedding} for DDPM++/ADM,
 * {@code FourierEmbedding} for NCSN++).
 */
public enum NoiseEmbeddingType {
    /** Transformer sinusoids: [cos(c·f_j), sin(c·f_j)], f_j = (1/10000)^(j/(n/2)), j &lt; n/2 (ADM, no endpoint). */
    POSITIONAL,
    /** Random Fourier features: [cos(2π c·f_j), sin(2π c·f_j)], f_j ~ N(0, 16²) fixed at construction (NCSN++). */
    FOURIER;

    /** The lower-case name used in configs ({@code positional}, {@code fourier}). */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code positional} or {@code fourier} (case-insensitive). */
    public static NoiseEmbeddingType parse(String name) {
        if (name != null) {
            for (NoiseEmbeddingType t : values()) {
                if (t.configName().equalsIgnoreCase(name.trim())) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("embedding: unknown noise embedding '" + name + "' (expected positional or fourier)");
    }
}
