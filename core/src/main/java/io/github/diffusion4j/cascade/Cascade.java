package io.github.diffusion4j.cascade;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.engine.CounterRng;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.io.InputException;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.sample.SampleSource;
import io.github.diffusion4j.sample.Start;
import io.github.diffusion4j.sample.StepListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * A cascaded diffusion model (Ho et al. 2021, Fig. 1 and Sec. 3.2; Teng et al. 2024, Sec. 3.4) as one
 * {@link SampleSource}: stage 0 samples from noise; stage k ≥ 1 takes over from stage k−1 at its level
 * ℓ_k. A <b>super-resolution</b> stage is conditioned on stage k−1's output at augmentation level ℓ_k:
 * <b>non-truncated</b> (CDM's default), stage k−1 runs to the end and its output z₀ is re-noised to ℓ_k
 * by the coupling's forward process ({@link SuperResolutionCoupling#corrupt}; ℓ = 0 hands z₀ on
 * unchanged); <b>truncated</b>, stage k−1's sampler stops at σ = ℓ_k (its grid cut there, {@link
 * #truncatedGrid}) and its state is handed on. A <b>relay</b> stage ({@link RelayCoupling}) starts from
 * stage k−1's final output nearest-upsampled plus block noise at the first level of its grid below
 * ℓ_k, the truncation σ, and runs the relay sampler.
 *
 * <p>Seeds: stage 0 draws from the seed's own streams (so it equals sampling the base model
 * alone); stage k ≥ 1 from streams salted by k, and the re-noising of its input from another
 * salted stream, so every stage's noise differs yet depends only on the seed: a seed's final image
 * is the same at any batch size.
 */
public final class Cascade implements SampleSource {
    static final long STAGE_STREAM = 0xCA5CADE0L;
    static final long AUGMENT_STREAM = 0xCA5A0600L;

    /**
     * One stage: its generator (grid, sampler, denoiser, labels) and, for k ≥ 1, its coupling, a
     * {@link SuperResolutionCoupling} or a {@link RelayCoupling} ({@code null} for the base stage).
     */
    public record Stage(Generator generator, StageCoupling coupling) {
        public Stage {
            if (coupling != null && !(coupling instanceof SuperResolutionCoupling) && !(coupling instanceof RelayCoupling)) {
                throw new IllegalArgumentException("a cascade stage couples by super-resolution or relay, not " + coupling);
            }
        }

        /** Whether stage k is a relay stage. */
        public boolean relay() {
            return coupling instanceof RelayCoupling;
        }

        /** The resolution of the previous stage's output the coupling reads. */
        int lowResolution() {
            return coupling instanceof RelayCoupling r ? r.lowResolution() : ((SuperResolutionCoupling) coupling).lowResolution();
        }
    }

    /**
     * What one stage produced for a batch: its samples, and what it took from the previous stage
     * ({@code null} for stage 0): an SR stage's (augmented) low-resolution input, a relay stage's
     * nearest-upsampled start image before its noise.
     */
    public record StageOutput(Samples samples, Tensor input) {}

    private final List<Stage> stages;
    private final double[] levels;
    private final boolean truncated;
    private final Map<Long, double[]> reuse;

    /**
     * A cascade over {@code stages} with level {@code levels[k]} for stage k ({@code levels[0]} unused): an SR
     * stage's augmentation level, a relay stage's truncation σ; {@code truncated} selects CDM's variant.
     *
     * @throws InputException when a level lies outside the range its stage was trained on, or a
     *         truncated level is not below the previous stage's largest σ
     */
    public Cascade(List<Stage> stages, double[] levels, boolean truncated) {
        this(stages, levels, truncated, null);
    }

    private Cascade(List<Stage> stages, double[] levels, boolean truncated, Map<Long, double[]> reuse) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("a cascade needs at least one stage");
        }
        if (levels.length != stages.size()) {
            throw new IllegalArgumentException(stages.size() + " stages but " + levels.length + " levels");
        }
        this.stages = List.copyOf(stages);
        this.levels = levels.clone();
        this.truncated = truncated;
        this.reuse = reuse;
        if (stages.get(0).coupling() != null) {
            throw new InputException("stage 0 of a cascade must be a base stage (coupling none), but it is a "
                    + (stages.get(0).relay() ? "relay" : "super-resolution") + " stage");
        }
        for (int k = 1; k < stages.size(); k++) {
            StageCoupling coupling = stages.get(k).coupling();
            if (coupling == null) {
                throw new InputException("stage " + k + " of the cascade has no super-resolution or relay coupling (coupling none)");
            }
            long low = stages.get(k - 1).generator().sampleShape()[1];
            if (stages.get(k).lowResolution() != low) {
                throw new InputException("stage " + k + " was trained on " + stages.get(k).lowResolution() + " px inputs but stage " + (k - 1)
                        + " generates " + low + " px");
            }
            if (stages.get(k).generator().classConditional() != stages.get(0).generator().classConditional()) {
                throw new InputException("stage " + k + " and stage 0 disagree on class conditioning; every stage gets the class label");
            }
            if (coupling instanceof RelayCoupling r) {
                double top = r.trainedRange()[1];
                if (!(levels[k] > 0 && levels[k] <= top)) {
                    throw new InputException("relay truncation σ " + levels[k] + " for stage " + k + " is outside the range it was trained on,"
                            + " (0, " + top + "]");
                }
                r.grid(stages.get(k).generator().sigmas(), levels[k]); // refuses a truncation that keeps no level
                continue;
            }
            SuperResolutionCoupling c = (SuperResolutionCoupling) coupling;
            double[] range = c.trainedRange();
            double l = levels[k];
            if (!(l >= range[0] && l <= range[1])) {
                throw new InputException(String.format("augmentation level %s for stage %d is outside the range it was trained on, [%s, %s]"
                        + " (%s augmentation)", l, k, range[0], range[1], c.augmentation().type()));
            }
            if (truncated && l > 0 && stages.get(k - 1).relay()) {
                throw new InputException("stage " + k + " follows a relay stage, whose grid is its own truncated one; truncated"
                        + " augmentation cannot cut it (use non-truncated)");
            }
            if (truncated && l > 0) {
                double top = stages.get(k - 1).generator().sigmas()[0];
                if (l >= top) {
                    throw new InputException("truncated augmentation level " + l + " for stage " + k + " is not below stage " + (k - 1)
                            + "'s largest σ " + top);
                }
            }
        }
    }

    /** The same cascade at other levels (same stages and variant; a reuse cache is shared). */
    public Cascade withLevels(double... newLevels) {
        return new Cascade(stages, newLevels, truncated, reuse);
    }

    /**
     * The same cascade remembering, per seed, the output of the stage before the last in {@code cache},
     * so that a sweep over the last stage's level samples the earlier stages once per seed
     * (non-truncated only: a truncated cascade's earlier stages depend on the level).
     */
    public Cascade reusing(Map<Long, double[]> cache) {
        if (truncated) {
            throw new IllegalStateException("a truncated cascade cannot reuse the previous stage's samples across levels");
        }
        return new Cascade(stages, levels, truncated, cache);
    }

    public List<Stage> stages() {
        return stages;
    }

    public double[] levels() {
        return levels.clone();
    }

    public boolean truncated() {
        return truncated;
    }

    @Override
    public long[] sampleShape() {
        return stages.get(stages.size() - 1).generator().sampleShape();
    }

    @Override
    public boolean classConditional() {
        return stages.get(0).generator().classConditional();
    }

    @Override
    public long labelOf(long seed) {
        return stages.get(0).generator().labelOf(seed);
    }

    @Override
    public Samples sample(long[] seeds, StepListener listener) {
        List<StageOutput> all = sampleStages(seeds, listener);
        return all.get(all.size() - 1).samples();
    }

    /**
     * Every stage's samples of {@code seeds} (one batch), in the caller's scope; with a reuse cache
     * that holds every seed, the entries before the stage ahead of the last are {@code null}.
     */
    public List<StageOutput> sampleStages(long[] seeds, StepListener listener) {
        int n = stages.size();
        List<StageOutput> out = new ArrayList<>();
        int from = 0;
        Tensor handed = null;
        if (reuse != null && n >= 2 && Arrays.stream(seeds).allMatch(reuse::containsKey)) {
            long[] shape = stages.get(n - 2).generator().sampleShape();
            int per = (int) (shape[0] * shape[1] * shape[2]);
            double[] v = new double[seeds.length * per];
            for (int i = 0; i < seeds.length; i++) {
                System.arraycopy(reuse.get(seeds[i]), 0, v, i * per, per);
            }
            Tensor prev = Tensors.fromDoubles(v, seeds.length, shape[0], shape[1], shape[2]);
            for (int k = 0; k < n - 2; k++) {
                out.add(null); // earlier stages were not run for this batch
            }
            out.add(new StageOutput(new Samples(seeds.clone(), labels(seeds), prev), null));
            from = n - 1;
            handed = handOn(n - 1, prev, seeds);
        }
        for (int k = from; k < n; k++) {
            Stage s = stages.get(k);
            Generator g = s.generator();
            boolean cut = truncated && k + 1 < n && !stages.get(k + 1).relay() && levels[k + 1] > 0;
            if (cut) {
                g = new Generator(g.denoiser(), g.sampler(), truncatedGrid(g.sigmas(), levels[k + 1]), g.sampleShape(), g.labels());
            }
            SeededNoise noise = new SeededNoise(k == 0 ? seeds : salted(seeds, STAGE_STREAM + k));
            Conditioning coupled = null;
            Start start = Start.PURE_NOISE;
            if (s.coupling() instanceof SuperResolutionCoupling sr) {
                coupled = sr.conditioning(Conditioning.NONE, handed, levels[k], (int) g.sampleShape()[1]);
            } else if (s.coupling() instanceof RelayCoupling r) {
                double[] grid = r.grid(g.sigmas(), levels[k]);
                g = new Generator(g.denoiser(), r.sampler(), grid, g.sampleShape(), g.labels());
                start = r.start(handed, grid[0]);
            }
            Samples samples = g.sample(seeds, noise, start, coupled, listener);
            out.add(new StageOutput(samples, handed));
            if (reuse != null && k == n - 2) {
                double[] v = Tensors.toDoubles(samples.images());
                int per = v.length / seeds.length;
                for (int i = 0; i < seeds.length; i++) {
                    reuse.put(seeds[i], Arrays.copyOfRange(v, i * per, (i + 1) * per));
                }
            }
            if (k + 1 < n) {
                handed = cut ? ((SuperResolutionCoupling) stages.get(k + 1).coupling()).scaled(samples.images(), filled(seeds.length, levels[k + 1]))
                        : handOn(k + 1, samples.images(), seeds);
            }
        }
        return out;
    }

    /**
     * Stage k−1's final {@code z} as stage k takes it: for SR (non-truncated) re-noised to stage k's level from the
     * seeds' salted augmentation streams; for relay nearest-upsampled to stage k's resolution.
     */
    private Tensor handOn(int k, Tensor z, long[] seeds) {
        if (stages.get(k).coupling() instanceof RelayCoupling r) {
            return r.upsample(z, (int) stages.get(k).generator().sampleShape()[1]);
        }
        return ((SuperResolutionCoupling) stages.get(k).coupling()).corrupt(z, filled(seeds.length, levels[k]),
                new SeededNoise(salted(seeds, AUGMENT_STREAM + k)));
    }

    private long[] labels(long[] seeds) {
        return classConditional() ? Arrays.stream(seeds).map(this::labelOf).toArray() : null;
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    /** Each seed's key for stream {@code stream}: a pure function of (seed, stream). */
    static long[] salted(long[] seeds, long stream) {
        long[] out = new long[seeds.length];
        for (int i = 0; i < seeds.length; i++) {
            out[i] = CounterRng.streamKey(seeds[i], stream);
        }
        return out;
    }

    /**
     * The grid of a sampler stopped at σ = {@code level} (CDM's truncated reverse process): the levels
     * of {@code sigmas} above it, then {@code level} itself (no final 0), so the sampler's state at the
     * end is its state at σ = level.
     */
    public static double[] truncatedGrid(double[] sigmas, double level) {
        if (!(level > 0 && level < sigmas[0])) {
            throw new IllegalArgumentException("truncation level must be in (0, " + sigmas[0] + "), got " + level);
        }
        double[] above = Arrays.stream(sigmas).filter(s -> s > level).toArray();
        double[] out = Arrays.copyOf(above, above.length + 1);
        out[above.length] = level;
        return out;
    }
}
