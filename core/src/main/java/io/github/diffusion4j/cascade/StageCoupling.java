package io.github.diffusion4j.cascade;

import io.github.diffusion4j.denoise.Conditioning;
import org.bytedeco.pytorch.Tensor;

/**
 * What a stage's conditioning is built from during training: nothing for a single model or a
 * cascade's base stage; the downsampled, augmented x₀ for a CDM super-resolution stage (Ho et al.
 * 2021, Sec. 3.2). The cascade issue adds the couplings that use x₀.
 */
@FunctionalInterface
public interface StageCoupling {
    /**
     * The conditioning for clean images {@code x0} [B, C, H, W] whose labels are already in
     * {@code cond}; rows {@code first}..{@code first + B − 1} of the run's example sequence, so any
     * random draw is keyed by ({@code seed}, row).
     */
    Conditioning condition(Tensor x0, Conditioning cond, long seed, long first);

    /** No coupling: the conditioning is the class label alone. */
    StageCoupling NONE = (x0, cond, seed, first) -> cond;
}
