package io.github.diffusion4j.cli;

import io.github.diffusion4j.cascade.StageMetadata;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.io.SafetensorsFile;
import io.github.diffusion4j.train.RunDirectory;
import io.github.diffusion4j.train.TrainState;
import io.github.diffusion4j.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code d4j train}: a new run from a config, or {@code --resume} of an existing one. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a diffusion model.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE.yaml|PRESET", description = "A YAML config or a preset name (see --list-presets).")
    String config;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue a run from its newest complete checkpoint.")
    Path resume;

    @Option(names = "--out", paramLabel = "DIR", description = "Where run directories go (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("runs");

    @Option(names = "--steps", description = "Total steps, counted from the start of the run.")
    Long steps;

    @Option(names = "--minutes", description = "Wall-clock budget for this invocation.")
    Double minutes;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key, e.g. training.batch=32.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--stage", paramLabel = "K",
            description = "Train stage K of a cascade config (stages: [...]) as its own run, on the data at that stage's resolution.")
    Integer stage;

    @Option(names = "--dry-run", description = "Print the resolved config and exit.")
    boolean dryRun;

    @Option(names = "--list-presets", description = "List the shipped presets and exit.")
    boolean listPresets;

    @Override
    public Integer call() throws Exception {
        if (listPresets) {
            ConfigLoader.PRESET_NAMES.forEach(System.out::println);
            return 0;
        }
        if ((config == null) == (resume == null)) {
            throw new UserException("give exactly one of --config FILE.yaml|PRESET and --resume RUN_DIR");
        }
        return resume != null ? resume() : fresh();
    }

    private int fresh() throws Exception {
        List<String> all = new ArrayList<>(sets);
        if (steps != null) {
            all.add("training.steps=" + steps);
        }
        if (minutes != null) {
            all.add("training.minutes=" + minutes);
        }
        ExperimentConfig full = ConfigLoader.load(config, all);
        if (stage == null && full.stages().size() > 1) {
            throw new UserException("config '" + full.name() + "' is a cascade of " + full.stages().size()
                    + " stages; train one at a time with --stage K (0.." + (full.stages().size() - 1) + ")");
        }
        ExperimentConfig cfg = stage == null ? full : full.stageRun(stage);
        Map<String, String> metadata = stage == null ? StageMetadata.of(cfg, null, 0)
                : StageMetadata.of(cfg, ConfigLoader.toYaml(full), stage);
        if (dryRun) {
            System.out.print(ConfigLoader.toYaml(cfg));
            return 0;
        }
        TrainRunner.dataset(cfg, TrainRunner.pyramidTop(metadata)); // fail on unreadable data before creating a run directory
        RunDirectory run = RunDirectory.create(out, cfg.name());
        Trainer.Outcome o;
        try {
            o = TrainRunner.run(cfg, run, Optional.empty(), cfg.training().steps(), cfg.training().minutes(), cfg.name(),
                    (s, rate) -> "", metadata);
        } catch (Exception | Error e) {
            removeIfNothingTrained(run, e);
            throw e;
        }
        report(run, o);
        return 0;
    }

    /**
     * Deletes the run directory of a run that failed before anything was trained (no training
     * state and no stats row written), so a failed start leaves nothing behind (product.md: "nothing
     * lost", and nothing half-made either).
     */
    static void removeIfNothingTrained(RunDirectory run, Throwable failure) {
        Path dir = run.path();
        try (var files = java.nio.file.Files.list(dir)) {
            boolean trained = files.anyMatch(p -> {
                String n = p.getFileName().toString();
                return n.equals("stats.jsonl") || n.startsWith("state-") || n.startsWith("ema-");
            });
            if (trained) {
                return;
            }
        } catch (java.io.IOException e) {
            failure.addSuppressed(e);
            return;
        }
        try (var walk = java.nio.file.Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            failure.addSuppressed(e);
        }
    }

    private int resume() throws Exception {
        if (!sets.isEmpty()) {
            throw new UserException("--set cannot change a run being resumed; start a new run instead");
        }
        if (stage != null) {
            throw new UserException("--stage is for a new run; a resumed run keeps the stage it was started with");
        }
        RunDirectory run = RunDirectory.open(resume);
        Path state = run.latestState().orElseThrow(() ->
                new UserException(resume + ": no complete state-*.safetensors to resume from"));
        ExperimentConfig cfg;
        Map<String, String> metadata;
        try (SafetensorsFile f = SafetensorsFile.open(state)) {
            cfg = ConfigLoader.parse(TrainState.read(f).configYaml(), state);
            Map<String, String> cascade = StageMetadata.cascadeEntries(f.metadata());
            metadata = cascade.isEmpty() ? StageMetadata.of(cfg, null, 0)
                    : StageMetadata.of(cfg, cascade.get(StageMetadata.CASCADE), Integer.parseInt(cascade.get(StageMetadata.STAGE)));
        }
        if (dryRun) {
            System.out.print(ConfigLoader.toYaml(cfg));
            return 0;
        }
        long total = steps != null ? steps : cfg.training().steps();
        double budget = minutes != null ? minutes : 0;
        Trainer.Outcome o = TrainRunner.run(cfg, run, Optional.of(state), total, budget, cfg.name(), (s, rate) -> "", metadata);
        report(run, o);
        return 0;
    }

    private static void report(RunDirectory run, Trainer.Outcome o) {
        System.err.printf("%s: %d steps, %,d images, last loss %.4f (%s)%n", run.path(), o.step(), o.imagesSeen(), o.lastLoss(), o.reason());
        System.out.println(run.path());
    }
}
