package io.github.diffusion4j.train;

import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import java.io.IOException;
import java.util.Map;

/**
 * Work done at every checkpoint after the weights are on disk (EDM {@code training_loop.py}'s
 * snapshot section): a sample grid, an evaluation. The trainer runs the hooks in order under
 * no-grad; what a hook returns is appended to stats.jsonl as one row.
 */
public interface CheckpointHook extends AutoCloseable {
    /** Runs the hook for the EMA denoiser at {@code step} ({@code kimg} thousands of images seen); returns stats, or an empty map. */
    Map<String, Object> afterCheckpoint(long step, long kimg, PreconditionedDenoiser ema) throws IOException;

    /** Frees what the hook holds (a feature network, say). */
    @Override
    default void close() {}
}
