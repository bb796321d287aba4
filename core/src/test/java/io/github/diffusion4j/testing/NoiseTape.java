package io.github.diffusion4j.testing;

import io.github.diffusion4j.engine.NoiseSource;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * A {@link NoiseSource} that replays saved draws in call order (the golden files' noise tapes:
 * every {@code randn_like} of the official code, shared/golden/README.md "Conventions").
 */
public final class NoiseTape implements NoiseSource {
    private final Tensor draws;
    private int next;

    /** Replays {@code draws} [K, B, sampleShape…] from index {@code first}. */
    public NoiseTape(Tensor draws, int first) {
        this.draws = draws;
        this.next = first;
    }

    /** Draws used so far (the index of the next one). */
    public int position() {
        return next;
    }

    @Override
    public Tensor randn(long... sampleShape) {
        if (next >= draws.size(0)) {
            throw new IllegalStateException("noise tape exhausted after " + next + " draws");
        }
        Tensor d = draws.select(0, next++);
        long[] want = Arrays.copyOfRange(d.shape(), 1, (int) d.dim());
        if (!Arrays.equals(want, sampleShape)) {
            throw new IllegalArgumentException("tape draw has sample shape " + Arrays.toString(want) + ", asked " + Arrays.toString(sampleShape));
        }
        return d.contiguous();
    }
}
