package io.github.diffusion4j.denoise;

/**
 * How much of a backbone to evaluate: every stage ({@link #ALL}), or stages 0..{@code last} only,
 * for backbones built from stages that each give a usable output (LEGO bricks, Zheng et al. 2024,
 * Sec. 3.3 "skipping bricks"). A backbone returns one head per evaluated stage it exposes; stages
 * after the exit are not evaluated. Single-stage backbones (the U-Net) ignore it.
 */
public record Exit(int last) {
    /** Evaluate the whole backbone. */
    public static final Exit ALL = new Exit(Integer.MAX_VALUE);

    public Exit {
        if (last < 0) {
            throw new IllegalArgumentException("exit stage must be >= 0, got " + last);
        }
    }

    /** Stop after stage {@code k} (0-based). */
    public static Exit after(int k) {
        return new Exit(k);
    }

    /** Whether stage {@code k} runs under this exit. */
    public boolean runs(int k) {
        return k <= last;
    }
}
