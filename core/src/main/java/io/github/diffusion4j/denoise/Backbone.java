package io.github.diffusion4j.denoise;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A raw network F_θ(c_in·x; c_noise, cond) that knows nothing of σ semantics (design.md,
 * principle 6). It may return several heads: one image-shaped output for the classic
 * parametrisations, more for dual-output (x₀, ε, mixing logit), multi-resolution supervision (DiMR)
 * or one per evaluated brick (LEGO, limited by the {@link Exit}).
 */
@FunctionalInterface
public interface Backbone {
    /**
     * The heads for a scaled input {@code xIn} [B, C, H, W] at noise level {@code level}, under
     * conditioning {@code cond}, evaluating the stages {@code exit} allows.
     */
    List<Tensor> forward(Tensor xIn, NoiseLevel level, Conditioning cond, Exit exit);
}
