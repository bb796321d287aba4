package io.github.diffusion4j.denoise;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A raw network F_θ(c_in·x; c_noise, cond) that knows nothing of σ semantics (design.md,
 * principle 6). It may return several heads: one image-shaped output for the classic
 * parametrisations, more for dual-output (x₀, ε, mixing logit) or multi-resolution supervision.
 */
public interface Backbone {
    /** The heads for a scaled input {@code xIn} [B, C, H, W] and noise conditioning {@code cNoise} [B]. */
    List<Tensor> forward(Tensor xIn, Tensor cNoise, Conditioning cond);
}
