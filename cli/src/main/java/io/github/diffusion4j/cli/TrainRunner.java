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
        return dataset(cfg, 0);
    }

    /**
     * The dataset of {@code cfg} at its {@code data.resolution}; for a cascade stage ({@code top} &gt; 0,
     * the cascade's final resolution) the level of the pyramid from {@code top} (2×2 area means), so
     * every stage sees the same images at its own resolution.
     */
    static ImageDataset dataset(ExperimentConfig cfg, int top) {
        var d = cfg.data();
        int r = d.resolution();
        boolean level = top > r && top % r == 0 && Integer.bitCount(top / r) == 1;
        ImageDataset data = level ? Datasets.pyramid(d.dataset(), top, d.channels() == 1, DataCache.defaultDir()).level(r)
                : Datasets.resolve(d.dataset(), r, d.channels() == 1, DataCache.defaultDir());
        return d.limit() > 0 && d.limit() < data.size() ? data.subset(d.limit()) : data;
    }

    /** The pyramid top of a cascade stage run whose metadata is {@code metadata} (0 for a plain run). */
    static int pyramidTop(java.util.Map<String, String> metadata) {
        String yaml = metadata.get(io.github.diffusion4j.cascade.StageMetadata.CASCADE);
        return yaml == null ? 0 : io.github.diffusion4j.config.ConfigLoader.parse(yaml).data().resolution();
    }

    /** Trains (fresh when {@code resumeFrom} is empty) and returns the outcome; loss.png follows each checkpoint. */
    static Trainer.Outcome run(ExperimentConfig cfg, RunDirectory run, Optional<Path> resumeFrom, long totalSteps,
            double minutes) throws IOException {
        return run(cfg, run, resumeFrom, totalSteps, minutes, cfg.name(), (step, rate) -> "");
    }

    /** As {@link #run(ExperimentConfig, RunDirectory, Optional, long, double)}, the bar titled {@code task} and extended by {@code suffix}. */
    static Trainer.Outcome run(ExperimentConfig cfg, RunDirectory run, Optional<Path> resumeFrom, long totalSteps,
            double minutes, String task, Progress.Suffix suffix) throws IOException {
        return run(cfg, run, resumeFrom, totalSteps, minutes, task, suffix, java.util.Map.of());
    }

    /** As above, the checkpoints carrying {@code metadata} (a cascade stage's, whose data then comes from the cascade's pyramid). */
    static Trainer.Outcome run(ExperimentConfig cfg, RunDirectory run, Optional<Path> resumeFrom, long totalSteps,
            double minutes, String task, Progress.Suffix suffix, java.util.Map<String, String> metadata) throws IOException {
        Engine.init();
        ImageDataset data = dataset(cfg, pyramidTop(metadata));
        Network net = NetworkAssembly.build(cfg);
        Network ema = NetworkAssembly.build(cfg);
        Listener listener = new Listener(run);
        try (Trainer trainer = resumeFrom.isPresent()
                ? Trainer.resume(resumeFrom.get(), cfg, data, net, ema, run, listener, metadata)
                : Trainer.start(cfg, data, net, ema, run, listener, metadata)) {
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
