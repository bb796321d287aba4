package io.github.diffusion4j.cli;

import io.github.diffusion4j.assemble.NetworkAssembly;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.data.DataCache;
import io.github.diffusion4j.data.Datasets;
import io.github.diffusion4j.data.ImageDataset;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.net.Network;
import io.github.diffusion4j.train.RunDirectory;
import io.github.diffusion4j.train.TrainListener;
import io.github.diffusion4j.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/** What {@code train}, {@code train --resume} and {@code demo} share: data, networks, progress, plots. */
final class TrainRunner {
    private TrainRunner() {}

    /** Reads the dataset a config names; fails before any training on data it cannot read. */
    static ImageDataset dataset(ExperimentConfig cfg) {
        var d = cfg.data();
        ImageDataset data = Datasets.resolve(d.dataset(), d.resolution(), d.channels() == 1, DataCache.defaultDir());
        return d.limit() > 0 && d.limit() < data.size() ? data.subset(d.limit()) : data;
    }

    /** Trains (fresh when {@code resumeFrom} is empty) and returns the outcome; loss.png follows each checkpoint. */
    static Trainer.Outcome run(ExperimentConfig cfg, RunDirectory run, Optional<Path> resumeFrom, long totalSteps,
            double minutes) throws IOException {
        return run(cfg, run, resumeFrom, totalSteps, minutes, cfg.name(), (step, rate) -> "");
    }

    /** As {@link #run(ExperimentConfig, RunDirectory, Optional, long, double)}, the bar titled {@code task} and extended by {@code suffix}. */
    static Trainer.Outcome run(ExperimentConfig cfg, RunDirectory run, Optional<Path> resumeFrom, long totalSteps,
            double minutes, String task, Progress.Suffix suffix) throws IOException {
        Engine.init();
        ImageDataset data = dataset(cfg);
        Network net = NetworkAssembly.build(cfg);
        Network ema = NetworkAssembly.build(cfg);
        Listener listener = new Listener(run);
        try (Trainer trainer = resumeFrom.isPresent()
                ? Trainer.resume(resumeFrom.get(), cfg, data, net, ema, run, listener)
                : Trainer.start(cfg, data, net, ema, run, listener)) {
            listener.progress = new Progress(task, trainer.currentStep(), totalSteps, minutes, suffix);
            try (Progress p = listener.progress) {
                return trainer.run(totalSteps, minutes);
            }
        }
    }

    /** Forwards to the progress bar once it exists, and redraws loss.png at each checkpoint. */
    private static final class Listener implements TrainListener {
        private final RunDirectory run;
        private Progress progress;

        Listener(RunDirectory run) {
            this.run = run;
        }

        @Override
        public void onStep(long step, long total, double loss, double rate) {
            if (progress != null) {
                progress.onStep(step, total, loss, rate);
            }
        }

        @Override
        public void onMessage(String line) {
            if (progress != null) {
                progress.onMessage(line);
            } else {
                System.err.println(line);
            }
        }

        @Override
        public void onCheckpoint(long step, Path state, Path emaFile, Path grid) {
            try {
                LossPlot.write(run.stats(), run.lossPlot());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
