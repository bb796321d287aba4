package io.github.diffusion4j.sample;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.denoise.Exit;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.param.DualOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Records the per-pixel mixing weight s = sigmoid(r) of dynamic dual-output diffusion (Benny &amp;
 * Wolf 2022, Sec. 3; x₀^mix = s·x̂₀ + (1 − s)·x₀^ε) while a {@link Generator} samples, without
 * changing a single sample: {@link #denoiser()} is a {@link Denoiser} decorator over a dual-output
 * {@link PreconditionedDenoiser} that evaluates the very same operations and copies s out, and
 * {@link #listener} delimits the sampler steps.
 *
 * <p>What a step reports: the <em>first</em> denoiser evaluation of each sampler step, at the step's
 * σ_i (σ̂_i under EDM churn) — the evaluation whose x̂₀ the {@link StepListener} receives as
 * {@code denoised}. Heun's second evaluation (at σ_{i+1}, every step but the last) is not reported.
 * Under classifier-free guidance s is the conditional branch's (evaluations whose every label is
 * {@link Conditioning#NULL_CLASS} are the unconditional branch and are skipped).
 *
 * <p>Rows: the Generator evaluates the network through {@link io.github.diffusion4j.denoise.FixedBatchDenoiser}
 * in chunks padded by repeating the last row. At each step the recorder takes the step's evaluations in
 * call order and counts rows until it has the batch's B rows (B = the listener's x rows): a chunk
 * contributes min(its rows, B − rows so far) real rows and its remaining rows are padding, ignored.
 * Rows are numbered across batches in sampling order (row k is the k-th seed sampled: seeds go through
 * {@link SampleSource#forEachBatch} in order).
 */
public final class MixingWeightRecorder {
    private final PreconditionedDenoiser dual;
    private final int mapRows;
    private final boolean[] mapStep;
    private final List<Call> calls = new ArrayList<>();
    private final Map<Long, double[]> maps = new HashMap<>();
    private double[] sum = new double[0];
    private long[] count = new long[0];
    private double[] sigma = new double[0];
    private int step;
    private long rowOffset;
    private long plane = -1;

    /** The s of one denoiser call, copied to the host: {@code rows} rows of {@code plane} pixels, and σ per row. */
    private record Call(int rows, double[] s, double[] sigma) {}

    /** The mean s of one sampler step over every pixel of every sampled image, and the σ it was evaluated at. */
    public record StepMean(int step, double sigma, double mean) {}

    /**
     * A recorder over {@code dual} (a dual-output denoiser) that keeps the full s map of the first
     * {@code mapRows} rows at the sampler steps {@code mapSteps} (0-based), and the mean s of every step.
     */
    public MixingWeightRecorder(PreconditionedDenoiser dual, int mapRows, int... mapSteps) {
        if (!(dual.parametrisation() instanceof DualOutput)) {
            throw new IllegalArgumentException("mixing weights exist only for the dual-output parametrisation, not "
                    + dual.parametrisation());
        }
        if (mapRows < 0) {
            throw new IllegalArgumentException("mapRows must be >= 0, got " + mapRows);
        }
        int last = Arrays.stream(mapSteps).max().orElse(-1);
        this.mapStep = new boolean[last + 1];
        for (int i : mapSteps) {
            if (i < 0) {
                throw new IllegalArgumentException("map steps must be >= 0, got " + i);
            }
            mapStep[i] = true;
        }
        this.dual = dual;
        this.mapRows = mapRows;
    }

    /** The denoiser to sample with: {@code dual}'s D(x; σ), bit for bit, recording s on the way. */
    public Denoiser denoiser() {
        return this::denoise;
    }

    /** {@code dual}'s denoise(x, σ, cond, Exit.ALL), with s = sigmoid(r) of the head copied out. */
    private Tensor denoise(Tensor x, Tensor sigmaTensor, Conditioning cond) {
        return dual.denoise(x, sigmaTensor, cond, Exit.ALL, (heads, sig) -> {
            if (unconditionalBranch(cond)) {
                return;
            }
            Tensor mix = DualOutput.mixingWeight(heads.get(0));
            long rows = mix.size(0);
            long p = mix.numel() / rows;
            if (plane >= 0 && p != plane) {
                throw new IllegalStateException("mixing weight maps changed size from " + plane + " to " + p + " pixels");
            }
            plane = p;
            calls.add(new Call((int) rows, Tensors.toDoubles(mix), sig));
        });
    }

    private static boolean unconditionalBranch(Conditioning cond) {
        return cond.hasClassLabels() && Arrays.stream(cond.classLabels()).allMatch(l -> l == Conditioning.NULL_CLASS);
    }

    /** A listener that resolves each step's evaluations into rows, then tells {@code next}. */
    public StepListener listener(StepListener next) {
        return (i, steps, sigmaStep, sigmaNext, x, denoised) -> {
            onStep(i, steps, x.size(0));
            next.onStep(i, steps, sigmaStep, sigmaNext, x, denoised);
        };
    }

    private void onStep(int i, int steps, long batch) {
        if (i != step) {
            throw new IllegalStateException("sampler step " + i + " reported, expected step " + step);
        }
        if (calls.isEmpty()) {
            throw new IllegalStateException("sampler step " + i + " evaluated no dual-output denoiser");
        }
        grow(steps);
        long covered = 0;
        for (Call c : calls) {
            if (covered == batch) {
                break; // the step's later evaluations (Heun's correction)
            }
            int real = (int) Math.min(c.rows(), batch - covered);
            for (int r = 0; r < real; r++) {
                long row = rowOffset + covered + r;
                int from = (int) (r * plane);
                for (int k = 0; k < plane; k++) {
                    sum[i] += c.s()[from + k]; // pixel by pixel in row order: the same sum at any batch size
                }
                if (row < mapRows && i < mapStep.length && mapStep[i]) {
                    maps.put(key(row, i), Arrays.copyOfRange(c.s(), from, (int) (from + plane)));
                }
            }
            if (covered == 0) {
                double first = c.sigma()[0];
                if (count[i] > 0 && sigma[i] != first) {
                    throw new IllegalStateException("step " + i + " was evaluated at σ " + sigma[i] + " and " + first);
                }
                sigma[i] = first;
            }
            covered += real;
        }
        if (covered < batch) {
            throw new IllegalStateException("step " + i + " evaluated " + covered + " rows of a batch of " + batch);
        }
        count[i] += batch * plane;
        calls.clear();
        if (i == steps - 1) {
            rowOffset += batch;
            step = 0;
        } else {
            step = i + 1;
        }
    }

    private void grow(int steps) {
        if (sum.length < steps) {
            sum = Arrays.copyOf(sum, steps);
            count = Arrays.copyOf(count, steps);
            sigma = Arrays.copyOf(sigma, steps);
        }
    }

    private static long key(long row, int step) {
        return row << 20 | step;
    }

    /** The mean s of each step seen so far, over every pixel of every image sampled. */
    public List<StepMean> means() {
        List<StepMean> out = new ArrayList<>();
        for (int i = 0; i < sum.length; i++) {
            if (count[i] > 0) {
                out.add(new StepMean(i, sigma[i], sum[i] / count[i]));
            }
        }
        return out;
    }

    /** Rows (images) sampled through every step so far. */
    public long rows() {
        return rowOffset;
    }

    /** The s map (H·W values in [0, 1], row-major) of row {@code row} at step {@code step}; {@code null} if not kept. */
    public double[] map(long row, int step) {
        double[] m = maps.get(key(row, step));
        return m == null ? null : m.clone();
    }
}
