package io.github.diffusion4j.cli;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.experiment.ExperimentSpec;
import io.github.diffusion4j.experiment.VariantPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code d4j experiment}: an ablation (variants × one budget × one protocol) run end to end, resumably, and its report. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Train every variant of an experiment spec on one budget, evaluate each by one protocol, and report.",
        subcommands = {ExperimentCommand.Run.class, ExperimentCommand.Report.class})
final class ExperimentCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserException("give a subcommand: run SPEC.yaml, or report DIR; see d4j experiment --help");
    }

    /** {@code d4j experiment run SPEC.yaml}. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Train, evaluate and report every variant; a second run resumes where the first stopped.")
    static final class Run implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SPEC.yaml")
        Path specFile;

        @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: NAME/ beside the spec).")
        Path out;

        @Option(names = "--dry-run", description = "List the resolved variants and the protocol, and exit.")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            ExperimentSpec spec = ExperimentSpec.load(specFile);
            Engine.init();
            List<VariantPlan> plans = VariantPlan.of(spec, specFile.toAbsolutePath().getParent());
            Path dir = out != null ? out : ExperimentRunner.defaultOut(specFile, spec);
            if (dryRun) {
                printPlan(spec, plans, dir);
                return 0;
            }
            for (VariantPlan p : plans) {
                TrainRunner.dataset(p.config()); // unreadable data fails before anything is trained
            }
            new ExperimentRunner(spec, specFile, dir, plans).run();
            System.err.println("report: " + dir.resolve("results.md"));
            System.out.println(dir);
            return 0;
        }

        private static void printPlan(ExperimentSpec spec, List<VariantPlan> plans, Path dir) {
            System.out.printf(Locale.ROOT, "experiment %s -> %s%n", spec.name(), dir);
            if (!spec.set().isEmpty()) {
                System.out.println("every variant: " + String.join(" ", spec.set()));
            }
            System.out.printf(Locale.ROOT, "%-16s %12s %10s %12s %10s %8s  %s%n", "variant", "parameters", "GFLOP/img", "images", "steps",
                    "batch", "config");
            for (VariantPlan p : plans) {
                for (VariantPlan row : p.cascade() ? p.stages() : List.of(p)) { // a cascade: one row per stage, NAME/stageK
                    System.out.printf(Locale.ROOT, "%-16s %,12d %10.3f %,12d %,10d %8d  %s%s%n", row.name(), row.parameters(),
                            row.trainGflopPerImage(), row.images(), row.steps(), row.config().training().batch(), row.source(),
                            row.overrides().isEmpty() ? "" : " " + String.join(" ", row.overrides()));
                }
                if (p.cascade()) {
                    System.out.printf(Locale.ROOT, "%-16s training %,.1f GFLOP in all; measured at levels %s%s%n", p.name(), p.trainGflop(),
                            p.levels().isEmpty() ? "(the stages' defaults)" : p.levels().toString(),
                            p.truncated().equals(List.of(false)) ? "" : ", truncated " + p.truncated());
                }
            }
            ExperimentSpec.Protocol e = spec.evaluation();
            System.out.printf(Locale.ROOT, "protocol: n = %d, guidance %s, features %s, points %s; checkpoint curve n = %d%n", e.n(), e.guidance(),
                    e.features().isBlank() ? "(the dataset's)" : e.features(),
                    e.points().stream().map(ExperimentSpec.Point::key).toList(), e.duringTraining());
        }
    }

    /** {@code d4j experiment report DIR}. */
    @Command(name = "report", mixinStandardHelpOptions = true, description = "Rebuild results.md, results.json, the plots and the montage from DIR.")
    static final class Report implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Override
        public Integer call() throws Exception {
            if (!Files.isDirectory(dir)) {
                throw new UserException(dir + ": no such directory");
            }
            ExperimentReport.write(dir);
            System.out.println(dir.resolve("results.md"));
            return 0;
        }
    }
}
