package io.github.diffusion4j.train;

import io.github.diffusion4j.assemble.DiffusionAssembly;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.data.Augment;
import io.github.diffusion4j.data.Batch;
import io.github.diffusion4j.data.BatchLoader;
import io.github.diffusion4j.data.ImageDataset;
import io.github.diffusion4j.denoise.AutocastBackbone;
import io.github.diffusion4j.denoise.Backbone;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.engine.CounterRng;
import io.github.diffusion4j.engine.ShutdownGuard;
import io.github.diffusion4j.io.SafetensorsFile;
import io.github.diffusion4j.io.TensorFiles;
import io.github.diffusion4j.net.Network;
import io.github.diffusion4j.param.Loss;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The training loop (Karras et al. 2022, Sec. 5; EDM {@code training_loop.py}): per step, draw
 * σ ~ p(σ) and n ~ N(0, I), form x = x₀ + σn, minimise the parametrisation's loss with AdamW
 * (learning-rate ramp, global-norm clipping, a NaN/Inf guard that skips the step), then update the
 * EMA. Every step runs in its own native-memory scope. All randomness is keyed by (seed, step),
 * so a resumed run continues bit for bit.
 */
public final class Trainer implements AutoCloseable {
    private static final long LABEL_STREAM = 0x1ABE;
    private static final long DATA_STREAM = 0xDA7A;
    private static final long DROPOUT_STREAM = 0xD20F;

    private final ExperimentConfig cfg;
    private final String cfgYaml;
    private final ImageDataset data;
    private final Network net;
    private final Network emaNet;
    private final RunDirectory run;
    private final TrainListener listener;
    private final DiffusionAssembly setup;
    private final Objective objective;
    private final List<CheckpointHook> hooks;
    private final Map<String, String> metadata;
    private final Map<String, Tensor> params;
    private final Map<String, Tensor> emaParams;
    private final AdamW adam;
    private final Ema ema;
    private final LearningRate lr;
    private final io.github.diffusion4j.engine.Precision precision;
    private BatchLoader loader;
    private long step;
    private long imagesSeen;
    private int consecutiveBad;
    private long skippedSteps;

    /**
     * The result of one step: loss is NaN when the step was skipped by the guard; {@code terms} are
     * the batch means of the loss's named terms when it has more than one.
     */
    public record StepResult(double loss, double gradNorm, boolean applied, Map<String, Double> terms) {}

    /** How a run ended. */
    public record Outcome(long step, long imagesSeen, double lastLoss, String reason) {}

    private Trainer(ExperimentConfig cfg, ImageDataset data, Network net, Network emaNet, RunDirectory run,
            TrainListener listener, List<CheckpointHook> hooks, Map<String, String> metadata) {
        this.cfg = cfg;
        this.metadata = new LinkedHashMap<>(metadata);
        this.cfgYaml = ConfigLoader.toYaml(cfg);
        this.data = data;
        this.net = net;
        this.emaNet = emaNet;
        this.run = run;
        this.listener = listener;
        this.setup = DiffusionAssembly.of(cfg.onlyStage());
        this.precision = io.github.diffusion4j.engine.Precision.of(cfg.training().bf16(), cfg.training().precision());
        this.objective = new Objective(setup.noise(), setup.process(), setup.coupling(),
                PreconditionedDenoiser.checked(inPrecision(net), net.spec(), cfg.data().channels(), setup.preconditioning(),
                        setup.parametrisation()),
                setup.weighting());
        this.hooks = hooks;
        this.params = net.namedParameters();
        this.emaParams = emaNet.namedParameters();
        var t = cfg.training();
        this.adam = new AdamW(params, t.beta1(), t.beta2(), t.eps(), t.weightDecay());
        this.ema = new Ema(t.emaHalfLifeImages(), t.emaRampup());
        this.lr = new LearningRate(t.lr(), t.warmupImages());
        net.train(true);
        emaNet.train(false);
        checkData();
    }

    /**
     * The checkpoint hooks a config asks for: the sample grid, then (when {@code evaluation.n} > 0)
     * FD/KID/accuracy. Fails here, before training, on a bad evaluation section.
     */
    static List<CheckpointHook> hooksFor(ExperimentConfig cfg, ImageDataset data, RunDirectory run) {
        List<CheckpointHook> hooks = new ArrayList<>();
        if (!(cfg.onlyStage().coupling() instanceof io.github.diffusion4j.config.CouplingConfig.None)) {
            // A coupled stage samples only from a previous stage's output: grids and evaluation are the cascade's (d4j sample/eval).
            return hooks;
        }
        long[] shape = {data.channels(), data.height(), data.width()};
        hooks.add((step, kimg, ema) -> {
            SampleGrid.write(ema, cfg.sampling(), cfg.sampling().guidance(), cfg.model().classes(), shape,
                    cfg.sampling().gridSeeds(), cfg.training().batch(), run.samples(kimg)); // at the training batch, so a checkpoint needs no more memory than a step
            return Map.of();
        });
        CheckpointEvaluation evaluation = CheckpointEvaluation.from(cfg);
        if (evaluation != null) {
            hooks.add(new CheckpointHook() {
                @Override
                public Map<String, Object> afterCheckpoint(long step, long kimg, PreconditionedDenoiser ema) {
                    return evaluation.measure(ema);
                }

                @Override
                public void close() {
                    evaluation.close();
                }
            });
        }
        return hooks;
    }

    /** A fresh run: the EMA starts as a copy of the initial weights; config.yaml is written. */
    public static Trainer start(ExperimentConfig cfg, ImageDataset data, Network net, Network emaNet, RunDirectory run,
            TrainListener listener) {
        return start(cfg, data, net, emaNet, run, listener, Map.of());
    }

    /**
     * A fresh run whose checkpoints carry {@code metadata} besides the config (a cascade stage's,
     * {@code cascade.StageMetadata}); a coupled stage writes no sample grids or evaluations.
     */
    public static Trainer start(ExperimentConfig cfg, ImageDataset data, Network net, Network emaNet, RunDirectory run,
            TrainListener listener, Map<String, String> metadata) {
        Trainer t = new Trainer(cfg, data, net, emaNet, run, listener, hooksFor(cfg, data, run), metadata);
        emaNet.loadParameters(net.namedParameters());
        RunDirectory.writeAtomically(run.config(), t.cfgYaml);
        t.say("started " + cfg.name() + ": " + data.size() + " images, " + String.format("%,d", parameterCount(net))
                + " parameters, " + String.format("%.1f", net.flopsPerSample() / 1e9) + " GFLOP per sample forward");
        t.say(t.precision.reason());
        return t;
    }

    /** Continues from a training-state file; the networks must match the config stored in it. */
    public static Trainer resume(Path stateFile, ExperimentConfig cfg, ImageDataset data, Network net, Network emaNet,
            RunDirectory run, TrainListener listener) throws IOException {
        return resume(stateFile, cfg, data, net, emaNet, run, listener, Map.of());
    }

    /** Continues from a training-state file, its checkpoints carrying {@code metadata} (see {@link #start(ExperimentConfig, ImageDataset, Network, Network, RunDirectory, TrainListener, Map)}). */
    public static Trainer resume(Path stateFile, ExperimentConfig cfg, ImageDataset data, Network net, Network emaNet,
            RunDirectory run, TrainListener listener, Map<String, String> metadata) throws IOException {
        Trainer t = new Trainer(cfg, data, net, emaNet, run, listener, hooksFor(cfg, data, run), metadata);
        try (SafetensorsFile f = SafetensorsFile.open(stateFile); PointerScope scope = new PointerScope()) {
            TrainState s = TrainState.read(f);
            net.loadParameters(TrainState.section(f, stateFile, "net.", t.params));
            emaNet.loadParameters(TrainState.section(f, stateFile, "ema.", t.emaParams));
            t.adam.restore(TrainState.section(f, stateFile, "adam.m.", t.params),
                    TrainState.section(f, stateFile, "adam.v.", t.params), s.adamSteps());
            t.step = s.step();
            t.imagesSeen = s.imagesSeen();
        }
        t.say("resumed at step " + t.step + " (" + t.imagesSeen + " images) from " + stateFile.getFileName());
        t.say(t.precision.reason());
        return t;
    }

    private void checkData() {
        var d = cfg.data();
        if (data.channels() != d.channels() || data.height() != d.resolution() || data.width() != d.resolution()) {
            throw new io.github.diffusion4j.config.ConfigException("dataset '" + d.dataset() + "' gives " + data.channels() + "x" + data.height() + "x"
                    + data.width() + " images but the config asks for " + d.channels() + "x" + d.resolution() + "x" + d.resolution());
        }
        if (cfg.model().classes() > 0 && data.numClasses() != cfg.model().classes()) {
            throw new io.github.diffusion4j.config.ConfigException("config key 'model.classes' is " + cfg.model().classes() + " but dataset '"
                    + d.dataset() + "' has " + data.numClasses() + " classes");
        }
    }

    /** Trains until {@code totalSteps} steps or {@code minutes} of wall time (0 = no limit), checkpointing on the way and at the end. */
    public Outcome run(long totalSteps, double minutes) throws IOException {
        long startNanos = System.nanoTime();
        double budget = minutes > 0 ? minutes * 60 : Double.POSITIVE_INFINITY;
        double checkpointSeconds = 0;
        StatsWindow window = new StatsWindow();
        double lastLoss = Double.NaN;
        String reason = "reached " + totalSteps + " steps";
        while (step < totalSteps) {
            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            if (elapsed + checkpointSeconds >= budget) {
                reason = String.format("time budget of %.1f minutes", minutes);
                break;
            }
            if (ShutdownGuard.stopping()) {
                reason = "stopped by a signal at step " + step + "; the last checkpoint is kept";
                say(reason);
                return new Outcome(step, imagesSeen, lastLoss, reason);
            }
            StepResult r = step();
            window.images(cfg.training().batch());
            double rate = window.rate();
            listener.onStep(step, totalSteps, r.loss(), rate);
            if (r.applied()) {
                lastLoss = r.loss();
                window.add(r);
                consecutiveBad = 0;
            } else {
                skippedSteps++;
                consecutiveBad++;
                say(String.format("step %d: loss or gradient not finite (loss %s, grad norm %s); step not applied", step,
                        r.loss(), r.gradNorm()));
                if (consecutiveBad >= cfg.training().maxBadSteps()) {
                    reason = consecutiveBad + " consecutive steps with NaN/Inf loss or gradients; stopped, last checkpoint kept";
                    say(reason);
                    return new Outcome(step, imagesSeen, lastLoss, reason);
                }
            }
            if (step % cfg.training().logEvery() == 0 && !window.isEmpty()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("step", step);
                row.put("kimg", imagesSeen / 1000.0);
                row.putAll(window.means());
                row.put("lr", lr.at(imagesSeen));
                row.put("imgPerSec", rate);
                row.put("seconds", (System.nanoTime() - startNanos) / 1e9);
                row.put("skippedSteps", skippedSteps);
                ResidentMemory.megabytes().ifPresent(mb -> row.put("rssMb", mb));
                run.appendStats(row);
                window.reset();
            }
            if (step % cfg.training().checkpointEvery() == 0 && step < totalSteps) {
                long t0 = System.nanoTime();
                checkpoint();
                checkpointSeconds = (System.nanoTime() - t0) / 1e9;
            }
        }
        checkpoint();
        say("finished: " + reason + "; " + step + " steps, " + imagesSeen + " images");
        return new Outcome(step, imagesSeen, lastLoss, reason);
    }

    /** One optimisation step; the step counter advances even when the guard skips the update. */
    public StepResult step() {
        return ShutdownGuard.run(this::stepInScope);
    }

    private StepResult stepInScope() {
        var t = cfg.training();
        int b = t.batch();
        long seed = t.seed();
        try (PointerScope scope = new PointerScope()) {
            Batch batch = loader().next();
            long first = step * b;
            torch.manual_seed(CounterRng.streamKey(seed, DROPOUT_STREAM + step));
            Tensor x0 = batch.images().to(ScalarType.Float);
            Loss l = objective.loss(x0, labels(batch.labels(), seed, first), seed, first);
            Tensor loss = l.perSample().mean();
            loss.backward();
            double lossValue = loss.item_double();
            Map<String, Double> terms = new TreeMap<>();
            if (l.terms().size() > 1) {
                l.terms().forEach((name, v) -> terms.put(name, v.detach().mean().item_double()));
            }
            double norm = gradNorm();
            step++;
            if (!Double.isFinite(lossValue) || !Double.isFinite(norm)) {
                zeroGrads();
                return new StepResult(lossValue, norm, false, terms);
            }
            if (t.gradClip() > 0 && norm > t.gradClip()) {
                scaleGrads(t.gradClip() / (norm + 1e-6));
            }
            adam.step(params, lr.at(imagesSeen));
            zeroGrads();
            imagesSeen += b;
            ema.update(emaParams, params, ema.beta(b, imagesSeen));
            return new StepResult(lossValue, norm, true, terms);
        }
    }

    /**
     * The prefetching loader, positioned at image step × batch of the endless sequence of epoch
     * permutations, so a resumed run reads the same batches an uninterrupted one would.
     */
    private BatchLoader loader() {
        if (loader == null) {
            long g = step * cfg.training().batch();
            var position = new BatchLoader.Position(g / data.size(), (int) (g % data.size()));
            loader = new BatchLoader(data, cfg.training().batch(), CounterRng.streamKey(cfg.training().seed(), DATA_STREAM),
                    position, new Augment(cfg.data().flip()), 2);
        }
        return loader;
    }

    /** Stops the loader's thread and closes the checkpoint hooks (the evaluation's feature network). */
    @Override
    public void close() {
        if (loader != null) {
            loader.close();
            loader = null;
        }
        hooks.forEach(CheckpointHook::close);
        hooks.clear();
    }

    private Conditioning labels(long[] labels, long seed, long first) {
        if (cfg.model().classes() == 0) {
            return Conditioning.NONE;
        }
        long key = CounterRng.streamKey(seed, LABEL_STREAM);
        for (int i = 0; i < labels.length; i++) {
            if (CounterRng.uniform(key, first + i) < cfg.training().labelDropout()) {
                labels[i] = Conditioning.NULL_CLASS;
            }
        }
        return Conditioning.classes(labels);
    }

    private double gradNorm() {
        double sum = 0;
        for (Tensor p : params.values()) {
            Tensor g = p.grad();
            if (g.defined()) {
                sum += g.to(ScalarType.Double).square().sum().item_double();
            }
        }
        return Math.sqrt(sum);
    }

    private void scaleGrads(double factor) {
        try (NoGradGuard guard = new NoGradGuard()) {
            for (Tensor p : params.values()) {
                Tensor g = p.grad();
                if (g.defined()) {
                    g.mul_(new Scalar(factor));
                }
            }
        }
    }

    private void zeroGrads() {
        for (Tensor p : params.values()) {
            Tensor g = p.grad();
            if (g.defined()) {
                g.zero_();
            }
        }
    }

    /** Writes state, EMA weights and a sample grid for the current step. */
    public void checkpoint() throws IOException {
        try {
            ShutdownGuard.run(() -> {
                try {
                    checkpointNow();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return null;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void checkpointNow() throws IOException {
        long kimg = imagesSeen / 1000;
        Path state = run.state(kimg);
        Path emaFile = run.ema(kimg);
        Path grid = run.samples(kimg);
        try (PointerScope scope = new PointerScope()) {
            new TrainState(step, imagesSeen, adam.steps(), cfgYaml).save(state, params, emaParams, adam, metadata);
            Map<String, String> meta = new LinkedHashMap<>(metadata);
            meta.putAll(Map.of("config", cfgYaml, "step", Long.toString(step), "imagesSeen", Long.toString(imagesSeen)));
            TensorFiles.write(emaFile, emaParams, meta);
        }
        try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            var emaDenoiser = new PreconditionedDenoiser(inPrecision(emaNet), setup.preconditioning(), setup.parametrisation());
            for (CheckpointHook hook : hooks) {
                Map<String, Object> stats = hook.afterCheckpoint(step, kimg, emaDenoiser);
                if (!stats.isEmpty()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("step", step);
                    row.put("kimg", imagesSeen / 1000.0);
                    row.putAll(stats);
                    run.appendStats(row);
                    say(String.format("evaluation at step %d: %s", step, row));
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        // Sampling the grid briefly needs far more memory than a training step; hand the freed
        // pages back to the OS (glibc malloc_trim) so resident memory returns to the training level.
        Pointer.trimMemory();
        say("checkpoint at step " + step + ": " + state.getFileName() + ", " + emaFile.getFileName() + ", " + grid.getFileName());
        listener.onCheckpoint(step, state, emaFile, grid);
    }

    /** {@code net} under bf16 autocast when the run's precision is bf16 (training steps, grids and evaluation alike). */
    private Backbone inPrecision(Network n) {
        return precision.bf16() ? new AutocastBackbone(n) : n;
    }

    private void say(String line) {
        run.log(line);
        listener.onMessage(line);
    }

    public long currentStep() {
        return step;
    }

    public long imagesSeen() {
        return imagesSeen;
    }

    public Map<String, Tensor> parameters() {
        return params;
    }

    public Map<String, Tensor> emaParameters() {
        return emaParams;
    }

    public AdamW optimizer() {
        return adam;
    }

    static long parameterCount(Network n) {
        return n.namedParameters().values().stream().mapToLong(Tensor::numel).sum();
    }
}
