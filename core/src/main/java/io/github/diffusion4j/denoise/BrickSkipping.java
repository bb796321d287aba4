package io.github.diffusion4j.denoise;

import io.github.diffusion4j.engine.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * Skipping bricks at sampling time (Zheng et al. 2024, Sec. 3.3 and the project page's rule: at high
 * noise skip the bricks that emphasise local detail, at low noise those that build global structure):
 * a denoiser that evaluates only the first {@code keep} stages of a stage-wise backbone in the skipped
 * steps of a sampler's σ grid, choosing the {@link Exit} per σ, so the skipped stages are not evaluated
 * at all (also under classifier-free guidance, which calls this denoiser for both of its branches).
 *
 * <p>With N steps on the grid σ_0 &gt; … &gt; σ_{N−1} &gt; σ_N = 0 and n = round(fraction·N) skipped steps:
 * {@link Mode#LATE} (progressive growth: drop the image-level last brick in the last n, low-noise steps)
 * skips every evaluation at σ ≤ σ_{N−n}; {@link Mode#EARLY} (progressive refinement: drop the local
 * bricks in the first n, high-noise steps) skips every evaluation at σ ≥ σ_{n−1}. A second-order
 * sampler's correction at σ_{i+1} therefore follows the rule of σ_{i+1}. n = 0 skips nothing: the
 * denoiser is then the full stack, bit for bit.
 *
 * <p>Unlike the released sampler ({@code generate.py} at cfbb6c66, whose exit index is the last brick and
 * whose guidance path drops the exit), skipping here removes the stages' compute.
 */
public record BrickSkipping(PreconditionedDenoiser inner, double[] sigmas, Mode mode, double fraction, int keep)
        implements Denoiser {
    /** Which steps skip. */
    public enum Mode {
        /** No step skips. */
        NONE,
        /** The last steps (low noise) skip: progressive growth's image-level brick. */
        LATE,
        /** The first steps (high noise) skip: progressive refinement's local bricks. */
        EARLY;

        /** The config name ({@code none}, {@code late}, {@code early}). */
        public static Mode parse(String name) {
            return switch (name) {
                case "none" -> NONE;
                case "late" -> LATE;
                case "early" -> EARLY;
                default -> throw new IllegalArgumentException("unknown skip mode '" + name + "' (expected none, late or early)");
            };
        }
    }

    public BrickSkipping {
        sigmas = sigmas.clone();
        if (sigmas.length < 2) {
            throw new IllegalArgumentException("a σ grid has at least one step");
        }
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("skip fraction must be in [0, 1], got " + fraction);
        }
        if (keep < 1) {
            throw new IllegalArgumentException("a skipped step evaluates at least one brick, got keep = " + keep);
        }
    }

    /** Number of skipped steps: round(fraction·N). */
    public int skippedSteps() {
        return mode == Mode.NONE ? 0 : (int) Math.round(fraction * (sigmas.length - 1));
    }

    /** The exit for an evaluation at noise level σ. */
    public Exit exitAt(double sigma) {
        int n = skippedSteps();
        int steps = sigmas.length - 1;
        boolean skip = n > 0 && switch (mode) {
            case LATE -> sigma <= sigmas[steps - n];
            case EARLY -> sigma >= sigmas[n - 1];
            case NONE -> false;
        };
        return skip ? Exit.after(keep - 1) : Exit.ALL;
    }

    /** The exit of each step's first evaluation, at σ_i (i = 0 … N−1). */
    public Exit[] stepExits() {
        Exit[] out = new Exit[sigmas.length - 1];
        for (int i = 0; i < out.length; i++) {
            out[i] = exitAt(sigmas[i]);
        }
        return out;
    }

    @Override
    public double[] sigmas() {
        return sigmas.clone();
    }

    /** D from the stages the exit at this batch's σ allows; every row of a batch must share the exit (a sampler step does). */
    @Override
    public Tensor denoise(Tensor x, Tensor sigma, Conditioning cond) {
        double[] s = Tensors.toDoubles(sigma);
        Exit exit = exitAt(s[0]);
        for (double v : s) {
            if (!exitAt(v).equals(exit)) {
                throw new IllegalArgumentException("brick skipping: the batch's noise levels " + java.util.Arrays.toString(s)
                        + " fall on both sides of the skip threshold");
            }
        }
        return inner.denoise(x, sigma, cond, exit);
    }
}
