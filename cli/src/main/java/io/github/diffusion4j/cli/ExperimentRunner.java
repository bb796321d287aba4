package io.github.diffusion4j.cli;

import io.github.diffusion4j.assemble.SamplerAssembly;
import io.github.diffusion4j.config.ConfigException;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.data.DataCache;
import io.github.diffusion4j.data.Datasets;
import io.github.diffusion4j.data.ImageDataset;
import io.github.diffusion4j.eval.Evaluator;
import io.github.diffusion4j.eval.Evaluator.Measured;
import io.github.diffusion4j.eval.features.FeatureNetwork;
import io.github.diffusion4j.experiment.ExperimentSpec;
import io.github.diffusion4j.experiment.ExperimentSpec.Point;
import io.github.diffusion4j.experiment.VariantPlan;
import io.github.diffusion4j.experiment.VariantResult;
import io.github.diffusion4j.io.AtomicFiles;
import io.github.diffusion4j.io.ImageGrid;
import io.github.diffusion4j.io.SafetensorsFile;
import io.github.diffusion4j.train.Checkpoint;
import io.github.diffusion4j.train.RunDirectory;
import io.github.diffusion4j.train.TrainState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import tools.jackson.core.type.TypeReference;

/**
 * Runs an {@link ExperimentSpec} into its output directory, resumably: a variant whose training
 * state reached its steps is not retrained, an interrupted one resumes from its newest state (bit
 * for bit, so the numbers equal an uninterrupted run's), and a measured protocol point is not
 * measured again. Everything the report needs is written under {@code variants/}; checkpoints go
 * to {@code runs/} (ignored by git), so a variant fully measured in a fresh clone's {@code variants/} is not
 * retrained, and a stored config equal to the spec's once re-read with today's defaults is not an edit.
 */
final class ExperimentRunner {
    private static final EnumSet<Evaluator.Metric> METRICS = EnumSet.of(Evaluator.Metric.FD, Evaluator.Metric.KID,
            Evaluator.Metric.PR, Evaluator.Metric.ACC);

    private final ExperimentSpec spec;
    private final Path specFile;
    private final Path out;
    private final List<VariantPlan> plans;
    private final ExperimentEta eta;
    /** Cascade stages trained in this invocation or found trained, by their config (name aside): their run directories. */
    private final Map<String, Path> stageRuns = new java.util.HashMap<>();
    private FeatureNetwork features;
    private Measured reference;
    private ImageDataset referenceData;

    ExperimentRunner(ExperimentSpec spec, Path specFile, Path out, List<VariantPlan> plans) {
        this.spec = spec;
        this.specFile = specFile;
        this.out = out;
        this.plans = plans;
        this.eta = new ExperimentEta(spec.evaluation(), plans);
    }

    /** The default output directory: {@code NAME/} beside the spec file. */
    static Path defaultOut(Path specFile, ExperimentSpec spec) {
        Path parent = specFile.toAbsolutePath().getParent();
        return parent.resolve(spec.name());
    }

    /** Trains, evaluates and reports every variant; returns the report's directory. */
    Path run() throws Exception {
        Files.createDirectories(out.resolve("variants"));
        Files.createDirectories(out.resolve("runs"));
        writeIfChanged(out.resolve(".gitignore"), "# checkpoints and training states (large); the report needs only variants/\nruns/\n");
        writeIfChanged(out.resolve("spec.yml"), Files.readString(specFile, StandardCharsets.UTF_8));
        for (VariantPlan p : plans) {
            checkUnchanged(p);
        }
        try {
            for (int i = 0; i < plans.size(); i++) {
                runVariant(i, plans.get(i));
            }
            floor();
        } finally {
            if (features != null) {
                features.close();
            }
        }
        ExperimentReport.write(out);
        return out;
    }

    /** Refuses to mix results of different configs under one variant name: a spec edited after training started. */
    private void checkUnchanged(VariantPlan p) throws IOException {
        for (VariantPlan s : p.stages()) { // a cascade's stages, each with its own budget (variants/NAME/stageK.yml)
            Files.createDirectories(variantFile(s, ".yml").getParent());
            checkUnchanged(s);
        }
        Path stored = variantFile(p, ".yml");
        String yaml = ConfigLoader.toYaml(p.config());
        if (Files.exists(stored) && !sameConfig(Files.readString(stored, StandardCharsets.UTF_8), yaml)) {
            throw new ConfigException("variant '" + p.name() + "' changed since it was trained (" + stored + " differs from the spec's"
                    + " resolved config); give it a new name, or delete " + variantFile(p, ".*") + " and " + runDir(p) + " to retrain it");
        }
        writeIfChanged(stored, yaml);
    }

    /**
     * Whether a stored resolved config means {@code yaml}: equal text, or equal once re-read with today's defaults (a config
     * key added since it was written, at its default, changes nothing that was trained).
     */
    private static boolean sameConfig(String stored, String yaml) {
        if (stored.equals(yaml)) {
            return true;
        }
        try {
            return ConfigLoader.toYaml(ConfigLoader.parse(stored)).equals(yaml);
        } catch (ConfigException e) {
            return false;
        }
    }

    private void runVariant(int index, VariantPlan p) throws Exception {
        String tag = String.format("[%d/%d %s]", index + 1, plans.size(), p.name());
        VariantResult before = readResult(p);
        if (before != null) { // sampling throughput measured by an earlier invocation, until this one measures its own
            before.evaluations().forEach(e -> eta.evaluated(p, e.point(), e.samplingSecondsPerImage() * e.n()));
        }
        if (p.cascade()) {
            runCascade(tag, p, before);
            return;
        }
        if (before != null && !Files.exists(runDir(p)) && measured(p, before)) {
            eta.trained(p, p.steps());
            System.err.printf("%s measured already (%s) and its run directory is absent (a fresh clone): not retrained%n", tag,
                    out.relativize(variantFile(p, ".json")));
            return;
        }
        RunDirectory run = openRun(p);
        boolean trainedNow = train(tag, p, run, before == null ? Double.NaN : before.trainImagesPerSecond(), Map.of());
        VariantResult result = trainingResult(p, run);
        if (trainedNow || result.machine() == null) {
            result = result.on(machine());
        }
        save(p, result);
        Checkpoint ck = null;
        List<Point> points = spec.evaluation().points();
        for (int i = 0; i < points.size(); i++) {
            Point point = points.get(i);
            for (List<String> measure : settings(p, i)) {
                if (result.at(point, null, null, measure).isPresent()) {
                    continue; // counted for the ETA from the stored result
                }
                if (ck == null) {
                    ck = Checkpoint.load(run.path());
                }
                System.err.printf("%s evaluating %s at %d steps%s, n = %d; experiment ETA %s%n", tag, point.sampler(), point.steps(),
                        measure == null ? "" : " with " + String.join(", ", measure), spec.evaluation().n(), eta.remaining());
                VariantResult.Evaluation e = evaluate(ck, p, point, measure, tag);
                result = result.with(e).on(machine());
                save(p, result);
                eta.evaluated(p, point, e.samplingSecondsPerImage() * e.n());
            }
        }
        Path strip = variantFile(p, "-samples.png");
        if (spec.evaluation().montage() > 0 && !Files.exists(strip)) {
            writeStrip(ck != null ? ck : Checkpoint.load(run.path()), p, strip);
        }
    }

    /**
     * Whether {@code r} holds {@code p}'s whole budget at {@code p}'s cost (parameters, forward GFLOP: an architecture changed in
     * the library since is not skipped), its checkpoint curve if the protocol has one, every protocol point and setting, and its strip.
     */
    private boolean measured(VariantPlan p, VariantResult r) {
        if (r.steps() != p.steps() || r.imagesSeen() != p.images() || r.parameters() != p.parameters()
                || r.forwardGflop() != p.forwardGflop() || spec.evaluation().duringTraining() > 0 && r.curve().isEmpty()
                || spec.evaluation().montage() > 0 && !Files.exists(variantFile(p, "-samples.png"))) {
            return false;
        }
        List<Point> points = spec.evaluation().points();
        for (int i = 0; i < points.size(); i++) {
            for (List<String> measure : settings(p, i)) {
                if (r.at(points.get(i), null, null, measure).isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** As {@link #measured} for a cascade: every stage's budget and cost, every point, mode and level setting (the defaults where the spec sets none). */
    private boolean measuredCascade(VariantPlan p, VariantResult r) {
        if (r.steps() != p.steps() || r.stages().size() != p.stages().size()
                || spec.evaluation().montage() > 0 && !Files.exists(variantFile(p, "-samples.png"))) {
            return false;
        }
        List<Double> defaults = new ArrayList<>(); // the levels the chain runs at when the spec sets none (CascadeSource.levels)
        for (int k = 0; k < p.stages().size(); k++) {
            VariantPlan s = p.stages().get(k);
            VariantResult.Stage stored = r.stages().get(k);
            if (stored.imagesSeen() != s.images() || stored.parameters() != s.parameters() || stored.forwardGflop() != s.forwardGflop()) {
                return false;
            }
            if (k > 0) {
                defaults.add(s.config().onlyStage().coupling() instanceof io.github.diffusion4j.config.CouplingConfig.Relay relay
                        ? relay.truncationSigma() : 0.0);
            }
        }
        List<Point> points = spec.evaluation().points();
        for (int i = 0; i < points.size(); i++) {
            Point point = points.get(i);
            for (boolean truncated : i == 0 ? p.truncated() : p.truncated().subList(0, 1)) {
                List<List<Double>> settings = p.levels().isEmpty() ? List.of(defaults) : p.levels();
                for (List<Double> levels : i == 0 ? settings : settings.subList(0, 1)) {
                    if (r.at(point, levels, truncated, null).isEmpty()) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** The sampling overrides {@code p} is measured with at protocol point {@code i}: every setting at the first, the first at the others (null: its own sampling). */
    private static List<List<String>> settings(VariantPlan p, int i) {
        List<List<String>> all = p.measure().isEmpty() ? java.util.Collections.singletonList(null) : p.measure();
        return (i == 0 ? all : all.subList(0, 1)).stream().map(m -> m == null || m.isEmpty() ? null : m).toList();
    }

    /**
     * Trains {@code unit} (a variant, or a cascade's stage) in {@code run} up to its steps, resuming from its newest state;
     * {@code earlierRate} is the img/s an earlier invocation measured (for the ETA); the checkpoints carry {@code metadata}
     * (a cascade stage's {@code StageMetadata}). Returns whether it trained now.
     */
    private boolean train(String tag, VariantPlan unit, RunDirectory run, double earlierRate, Map<String, String> metadata)
            throws Exception {
        Optional<Path> state = run.latestState();
        long done = state.isPresent() ? stepOf(state.get()) : 0;
        eta.trained(unit, done);
        if (Double.isFinite(earlierRate)) {
            eta.training(unit, done, earlierRate);
        }
        if (done >= unit.steps()) {
            return false;
        }
        System.err.printf("%s %straining %,d steps (%,d images, %.3f GFLOP/image); experiment ETA %s%n", tag,
                done > 0 ? "resuming at step " + done + ": " : "", unit.steps(), unit.images(), unit.trainGflopPerImage(), eta.remaining());
        if (state.isEmpty()) {
            clearPartialStart(run);
        }
        TrainRunner.run(unit.config(), run, state, unit.steps(), 0, spec.name() + " " + tag,
                (step, rate) -> {
                    eta.training(unit, step, rate);
                    return "  | experiment ETA " + eta.remaining();
                }, metadata);
        eta.trained(unit, unit.steps());
        return true;
    }

    /**
     * A cascade variant: its stages trained one after another (runs/NAME/stageK), then the whole chain measured at every
     * protocol point (the point sets the last stage's sampler and steps): at the first point every level setting in every
     * mode (non-truncated settings reuse the earlier stages' samples), at the others the first setting in the first mode.
     */
    private void runCascade(String tag, VariantPlan p, VariantResult before) throws Exception {
        if (before != null && p.stages().stream().noneMatch(s -> Files.exists(runDir(s))) && measuredCascade(p, before)) {
            p.stages().forEach(s -> eta.trained(s, s.steps()));
            System.err.printf("%s measured already (%s) and its stages' run directories are absent (a fresh clone): not retrained%n",
                    tag, out.relativize(variantFile(p, ".json")));
            return;
        }
        boolean trainedNow = false;
        List<Path> dirs = new ArrayList<>();
        List<VariantResult.Stage> stages = new ArrayList<>();
        for (int k = 0; k < p.stages().size(); k++) {
            VariantPlan s = p.stages().get(k);
            String same = ConfigLoader.toYaml(s.config().named("stage"));
            RunDirectory run;
            if (stageRuns.containsKey(same)) { // an identical stage (e.g. the same base) of an earlier variant: trained once
                run = RunDirectory.open(stageRuns.get(same));
                eta.trained(s, s.steps());
                System.err.printf("%s stage %d is the same run as %s%n", tag, k, out.relativize(run.path()));
            } else {
                run = openRun(s);
                double earlier = before != null && before.stages().size() > k ? before.stages().get(k).trainImagesPerSecond() : Double.NaN;
                trainedNow |= train(tag + " stage " + k, s, run, earlier,
                        io.github.diffusion4j.cascade.StageMetadata.of(s.config(), ConfigLoader.toYaml(p.config()), k));
                stageRuns.put(same, run.path());
            }
            dirs.add(run.path());
            stages.add(new VariantResult.Stage(s.config().data().resolution(), s.parameters(), s.forwardGflop(), s.trainGflopPerImage(),
                    s.steps(), s.images(), medianRate(run)));
        }
        VariantResult.Stage last = stages.get(stages.size() - 1);
        VariantResult result = new VariantResult(p.name(), p.description(), p.overrides(), p.parameters(), last.forwardGflop(),
                last.trainGflopPerImage(), p.steps(), p.stages().get(stages.size() - 1).config().training().batch(), last.imagesSeen(),
                last.trainImagesPerSecond(), List.of(), before == null ? List.of() : before.evaluations(),
                before == null ? null : before.machine(), stages);
        if (trainedNow || result.machine() == null) {
            result = result.on(machine());
        }
        save(p, result);
        List<List<Double>> settings = p.levels().isEmpty() ? java.util.Collections.singletonList(null) : p.levels();
        CascadeSource.Loaded firstLoaded = null;
        List<Point> points = spec.evaluation().points();
        for (int i = 0; i < points.size(); i++) {
            Point point = points.get(i);
            // the output of the stage before the last, sampled once per seed for this point's settings with the same earlier levels
            Map<List<Double>, Map<Long, double[]>> reuse = new java.util.HashMap<>();
            // the sweep (every setting, every mode) at the first point; the other points at the first setting and mode
            for (boolean truncated : i == 0 ? p.truncated() : p.truncated().subList(0, 1)) {
                for (List<Double> levels : i == 0 ? settings : settings.subList(0, 1)) {
                    CascadeSource.Loaded loaded = loadCascade(dirs, point, levels, truncated);
                    List<Double> key = levelsOf(loaded);
                    if (!truncated) {
                        var cache = reuse.computeIfAbsent(key.subList(0, key.size() - 1), k -> new java.util.HashMap<>());
                        loaded = new CascadeSource.Loaded(loaded.checkpoints(), loaded.cascade().reusing(cache), loaded.levels());
                    }
                    firstLoaded = firstLoaded == null ? loaded : firstLoaded;
                    if (result.at(point, key, truncated, null).isPresent()) {
                        continue; // counted for the ETA from the stored result
                    }
                    System.err.printf("%s evaluating the chain with its last stage at %s, %d steps, levels %s%s, n = %d; experiment ETA %s%n",
                            tag, point.sampler(), point.steps(), key, truncated ? " truncated" : "", spec.evaluation().n(), eta.remaining());
                    VariantResult.Evaluation e = evaluateCascade(loaded, p, point, key, tag);
                    result = result.with(e).on(machine());
                    save(p, result);
                    eta.evaluated(p, point, e.samplingSecondsPerImage() * e.n());
                }
            }
        }
        Path strip = variantFile(p, "-samples.png");
        if (spec.evaluation().montage() > 0 && !Files.exists(strip)) {
            var loaded = firstLoaded != null ? firstLoaded
                    : loadCascade(dirs, spec.evaluation().points().get(0), settings.get(0), p.truncated().get(0));
            writeStrip(loaded.cascade(), loaded.cascade().sampleShape(), strip);
        }
    }

    /** The chain of {@code dirs} with the protocol's guidance, {@code point} on its last stage, at {@code levels} (null: the defaults). */
    private CascadeSource.Loaded loadCascade(List<Path> dirs, Point point, List<Double> levels, boolean truncated) throws IOException {
        String text = levels == null ? null : String.join(",", levels.stream().map(String::valueOf).toList());
        return CascadeSource.load(dirs, null, point.sampler(), point.steps(), spec.evaluation().guidance(), null, text, truncated, true);
    }

    private static List<Double> levelsOf(CascadeSource.Loaded loaded) {
        double[] l = loaded.levels();
        return java.util.Arrays.stream(l, 1, l.length).boxed().toList();
    }

    /**
     * One protocol point of a cascade: n final images of seeds 0..n−1 through the whole chain, timed; NFE is the last stage's
     * (its relay grid truncated; ×2 under guidance), GFLOP/image the chain's Σ NFE_k × forward_k.
     */
    private VariantResult.Evaluation evaluateCascade(CascadeSource.Loaded loaded, VariantPlan p, Point point, List<Double> key, String tag)
            throws Exception {
        ExperimentSpec.Protocol proto = spec.evaluation();
        io.github.diffusion4j.cascade.Cascade cascade = loaded.cascade();
        double[] levels = loaded.levels();
        int n = cascade.stages().size();
        int factor = proto.guidance() == 1.0 ? 1 : 2;
        double gflop = 0;
        int lastNfe = 0;
        for (int k = 0; k < n; k++) {
            var stage = cascade.stages().get(k);
            double[] sigmas = stage.generator().sigmas();
            io.github.diffusion4j.sample.Sampler sampler = stage.generator().sampler();
            if (stage.coupling() instanceof io.github.diffusion4j.cascade.RelayCoupling r) {
                sigmas = r.grid(sigmas, levels[k]);
                sampler = r.sampler();
            }
            if (cascade.truncated() && k + 1 < n && !cascade.stages().get(k + 1).relay() && levels[k + 1] > 0) {
                sigmas = io.github.diffusion4j.cascade.Cascade.truncatedGrid(sigmas, levels[k + 1]);
            }
            int nfe = sampler.evaluations(sigmas) * factor;
            gflop += nfe * p.stages().get(k).forwardGflop();
            lastNfe = nfe;
        }
        Timed t = timed(cascade, n, tag + " sampling " + proto.n() + " images through " + n + " stages");
        Map<String, Object> r = t.metrics();
        return new VariantResult.Evaluation(point.sampler(), point.steps(), lastNfe, gflop, t.secondsPerImage(), proto.n(),
                (double) r.get("fd"), (double) r.get("kid"), (double) r.get("precision"), (double) r.get("recall"),
                r.get("labelAccuracy") instanceof Double a ? a : null, key, cascade.truncated(), null);
    }

    /** The protocol's metrics of a source's samples and its sampling time per image. */
    private record Timed(Map<String, Object> metrics, double secondsPerImage) {}

    /**
     * The protocol's n samples of seeds 0..n−1 from {@code source} ({@code stages} sampler runs per batch), timed from the
     * first to the last sampler step, through the feature network against the n reference images.
     */
    private Timed timed(io.github.diffusion4j.sample.SampleSource source, int stages, String title) throws Exception {
        ExperimentSpec.Protocol proto = spec.evaluation();
        long[] seeds = LongStream.range(0, proto.n()).toArray();
        Measured real = reference();
        long[] lastStep = new long[1];
        Measured m;
        long t0;
        try (PointerScope scope = new PointerScope(); Work work = Work.start(title, proto.n(), "steps")) {
            var counting = work.samplerSteps(Work.batches(proto.n(), proto.batch()) * stages);
            t0 = System.nanoTime();
            m = Evaluator.ofSamples(featureNetwork(), source, seeds, proto.batch(), referenceData().classNames(), (step, steps, s, sn, x, d) -> {
                counting.onStep(step, steps, s, sn, x, d);
                lastStep[0] = System.nanoTime();
            });
        }
        return new Timed(Evaluator.compare(real, m, METRICS, null), (lastStep[0] - t0) / 1e9 / proto.n());
    }

    /** This machine in a few words: CPU model, cores, widest vector extension, native bf16 or not (from /proc/cpuinfo). */
    static String machine() {
        String model = "unknown CPU";
        String flags = "";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && model.equals("unknown CPU")) {
                    model = line.substring(line.indexOf(':') + 1).strip();
                } else if (line.startsWith("flags") && flags.isEmpty()) {
                    flags = " " + line.substring(line.indexOf(':') + 1).strip() + " ";
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // not Linux: the model stays unknown
        }
        String all = flags;
        String vector = all.contains(" avx512f ") ? "AVX-512" : all.contains(" avx2 ") ? "AVX2, no AVX-512" : "no AVX2";
        boolean bf16 = io.github.diffusion4j.engine.Precision.NATIVE_BF16_FLAGS.stream().anyMatch(f -> all.contains(" " + f + " "));
        return model + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + vector + ", " + (bf16 ? "native bf16" : "no native bf16");
    }

    /** The run directory of {@code p} ({@code runs/NAME}), created when absent. */
    private RunDirectory openRun(VariantPlan p) throws IOException {
        Path dir = runDir(p);
        Files.createDirectories(dir);
        return RunDirectory.open(dir);
    }

    private Path runDir(VariantPlan p) {
        return out.resolve("runs").resolve(p.name());
    }

    private Path variantFile(VariantPlan p, String suffix) {
        return out.resolve("variants").resolve(p.name() + suffix);
    }

    /** Removes what a run killed before its first checkpoint left (log, stats rows, grids), so the fresh start's files are its own. */
    private static void clearPartialStart(RunDirectory run) throws IOException {
        try (Stream<Path> files = Files.list(run.path())) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.delete(f);
                }
            }
        }
    }

    private static long stepOf(Path state) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(state)) {
            return TrainState.read(f).step();
        }
    }

    /**
     * The variant's training as measured: the logged rows of stats.jsonl (a row repeated by a resumed
     * run counts once, the later one), img/s as their median, and the checkpoint curve; a checkpoint
     * whose evaluation a kill interrupted is evaluated here from its EMA file, as the trainer would have.
     */
    private VariantResult trainingResult(VariantPlan p, RunDirectory run) throws Exception {
        Map<Long, Map<String, Object>> losses = statsRows(run, false);
        Map<Long, Map<String, Object>> evals = statsRows(run, true);
        double rate = median(losses.values());
        List<VariantResult.CurvePoint> curve = new ArrayList<>();
        if (spec.evaluation().duringTraining() > 0) {
            for (Path ema : emaFiles(run)) {
                long step;
                try (SafetensorsFile f = SafetensorsFile.open(ema)) {
                    step = Long.parseLong(f.metadata().get("step"));
                }
                if (!evals.containsKey(step)) {
                    Map<String, Object> row = evaluateCheckpoint(p, ema, step);
                    run.appendStats(row);
                    evals.put(step, row);
                }
            }
            for (Map<String, Object> row : evals.values()) {
                curve.add(new VariantResult.CurvePoint(((Number) row.get("step")).longValue(), number(row, "kimg"), number(row, "fd"),
                        number(row, "kid"), row.get("labelAccuracy") instanceof Number a ? a.doubleValue() : null));
            }
        }
        VariantResult previous = readResult(p);
        List<VariantResult.Evaluation> measured = previous == null ? List.of() : previous.evaluations();
        return new VariantResult(p.name(), p.description(), p.overrides(), p.parameters(), p.forwardGflop(), p.trainGflopPerImage(),
                p.steps(), p.config().training().batch(), p.images(), rate, curve, measured, previous == null ? null : previous.machine(),
                List.of());
    }

    /** The median img/s of the logged training rows of {@code run} (a row repeated by a resumed run counts once). */
    private static double medianRate(RunDirectory run) throws IOException {
        return median(statsRows(run, false).values());
    }

    /**
     * The rows of {@code run}'s stats.jsonl by step: the checkpoint evaluations (rows with an FD) or the training rows; a row
     * repeated by a resumed run counts once (the later one), and a torn last line (a run killed mid-write) is skipped.
     */
    private static Map<Long, Map<String, Object>> statsRows(RunDirectory run, boolean evaluations) throws IOException {
        Map<Long, Map<String, Object>> rows = new TreeMap<>();
        if (Files.exists(run.stats())) {
            for (String line : Files.readAllLines(run.stats(), StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> row;
                try {
                    row = Json.MAPPER.readValue(line, new TypeReference<Map<String, Object>>() {});
                } catch (tools.jackson.core.JacksonException torn) {
                    continue;
                }
                if (row.get("step") instanceof Number s && row.containsKey("fd") == evaluations) {
                    rows.put(s.longValue(), row);
                }
            }
        }
        return rows;
    }

    private static double median(java.util.Collection<Map<String, Object>> rows) {
        double[] rates = rows.stream().filter(r -> r.get("imgPerSec") instanceof Number)
                .mapToDouble(r -> ((Number) r.get("imgPerSec")).doubleValue()).sorted().toArray();
        return rates.length == 0 ? Double.NaN : rates.length % 2 == 1 ? rates[rates.length / 2]
                : (rates[rates.length / 2 - 1] + rates[rates.length / 2]) / 2;
    }

    private static double number(Map<String, Object> row, String key) {
        return row.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static List<Path> emaFiles(RunDirectory run) throws IOException {
        try (Stream<Path> files = Files.list(run.path())) {
            return files.filter(f -> f.getFileName().toString().matches("ema-\\d+\\.safetensors"))
                    .sorted(Comparator.comparing(f -> f.getFileName().toString())).toList();
        }
    }

    /** The trainer's checkpoint evaluation of {@code ema} (duringTraining samples, the first point), for a row a kill lost. */
    private Map<String, Object> evaluateCheckpoint(VariantPlan p, Path ema, long step) throws Exception {
        System.err.printf("[%s] evaluating the checkpoint at step %d, whose evaluation was interrupted%n", p.name(), step);
        Checkpoint ck = Checkpoint.load(ema);
        try (PointerScope scope = new PointerScope()) {
            ExperimentConfig cfg = p.config();
            var gen = SamplerAssembly.generator(ck.denoiser(), cfg);
            int n = cfg.evaluation().n();
            Measured real = Evaluator.ofDataset(featureNetwork(), referenceData(), Math.min(n, referenceData().size()), 0);
            Measured m = Evaluator.ofSamples(featureNetwork(), gen, LongStream.range(0, n).toArray(), cfg.training().batch(),
                    referenceData().classNames());
            Map<String, Object> row = new LinkedHashMap<>();
            long images;
            try (SafetensorsFile f = SafetensorsFile.open(ema)) {
                images = Long.parseLong(f.metadata().get("imagesSeen"));
            }
            row.put("step", step);
            row.put("kimg", images / 1000.0);
            row.putAll(Evaluator.compare(real, m, EnumSet.of(Evaluator.Metric.FD, Evaluator.Metric.KID, Evaluator.Metric.ACC), null));
            return row;
        }
    }

    /**
     * One protocol point: n samples of seeds 0..n−1, timed (sampling only), through the feature network against n reference images,
     * with the variant's sampling or its {@code measure} overrides.
     */
    private VariantResult.Evaluation evaluate(Checkpoint ck, VariantPlan p, Point point, List<String> measure, String tag) throws Exception {
        ExperimentSpec.Protocol proto = spec.evaluation();
        ExperimentConfig cfg = measure == null ? p.config() : ConfigLoader.with(p.config(), measure);
        var sampling = SamplerAssembly.overridden(cfg.sampling(), point.sampler(), point.steps(), proto.guidance());
        var meter = new io.github.diffusion4j.denoise.ComputeMeter();
        var gen = SamplerAssembly.generator(ck.denoiser(), sampling, SamplerAssembly.sampleShape(cfg.data()), cfg.model().classes(), meter);
        int nfe = SamplerAssembly.sampler(sampling).evaluations(point.steps()) * (proto.guidance() == 1.0 ? 1 : 2);
        Timed t = timed(gen, 1, tag + " sampling " + proto.n() + " images");
        Map<String, Object> r = t.metrics();
        // NFE × the mean cost of an evaluation as spent (a skipped brick costs nothing), per image
        return new VariantResult.Evaluation(point.sampler(), point.steps(), nfe, nfe * meter.perEvaluation() / 1e9, t.secondsPerImage(), proto.n(),
                (double) r.get("fd"), (double) r.get("kid"), (double) r.get("precision"), (double) r.get("recall"),
                r.get("labelAccuracy") instanceof Double a ? a : null, null, null, measure);
    }

    /** The montage row of {@code p}: seeds 0..k−1 at the protocol's first point, one strip. */
    private void writeStrip(Checkpoint ck, VariantPlan p, Path strip) {
        ExperimentSpec.Protocol proto = spec.evaluation();
        Point first = proto.points().get(0);
        ExperimentConfig cfg = p.config();
        var sampling = SamplerAssembly.overridden(cfg.sampling(), first.sampler(), first.steps(), proto.guidance());
        long[] shape = SamplerAssembly.sampleShape(cfg.data());
        writeStrip(SamplerAssembly.generator(ck.denoiser(), sampling, shape, cfg.model().classes()), shape, strip);
    }

    /** Seeds 0..k−1 of {@code gen} as one strip. */
    private void writeStrip(io.github.diffusion4j.sample.SampleSource gen, long[] shape, Path strip) {
        ExperimentSpec.Protocol proto = spec.evaluation();
        int k = proto.montage();
        double[][] images = new double[k][];
        try (PointerScope scope = new PointerScope(); var guard = new org.bytedeco.pytorch.NoGradGuard()) {
            gen.generate(LongStream.range(0, k).toArray(), Math.min(k, proto.batch()), io.github.diffusion4j.sample.StepListener.NONE,
                    (seed, values) -> images[(int) seed] = values);
        }
        ImageGrid.writePng(ImageGrid.grid(images, (int) shape[0], (int) shape[1], (int) shape[2], k), strip);
    }

    /** The real-versus-real floor at the protocol's n (train split against test split), computed once and kept in floor.json. */
    private void floor() throws Exception {
        Path file = out.resolve("variants").resolve("floor.json");
        ExperimentConfig cfg = plans.get(0).config();
        String data = cfg.data().dataset();
        String base = data.contains(":") ? data.substring(0, data.indexOf(':')) : data;
        if (!List.of("mnist", "fashion-mnist", "emoji").contains(base)) {
            Files.deleteIfExists(file);
            System.err.println("floor: " + data + " has no train and test splits to compare; the report has no floor row");
            return;
        }
        String[] splits = EvalCommand.Floor.splits(data);
        int n = spec.evaluation().n();
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("train", splits[0]);
        key.put("test", splits[1]);
        key.put("resolution", cfg.data().resolution());
        key.put("features", featureName());
        key.put("nAsked", n);
        if (Files.exists(file)) {
            Map<String, Object> stored = Json.MAPPER.readValue(Files.readString(file), new TypeReference<Map<String, Object>>() {});
            if (key.entrySet().stream().allMatch(e -> e.getValue().equals(stored.get(e.getKey())))) {
                return; // measured before, for the same data, features and n
            }
        }
        System.err.printf("floor: %s against %s at n = %d%n", splits[0], splits[1], n);
        boolean gray = cfg.data().channels() == 1;
        ImageDataset train = Datasets.resolve(splits[0], cfg.data().resolution(), gray, DataCache.defaultDir());
        ImageDataset test = Datasets.resolve(splits[1], cfg.data().resolution(), gray, DataCache.defaultDir());
        int m = Math.min(n, Math.min(train.size(), test.size()));
        Measured a = Evaluator.ofDataset(featureNetwork(), train, m, 1);
        Measured b = Evaluator.ofDataset(featureNetwork(), test, m, 2);
        Map<String, Object> row = new LinkedHashMap<>(key);
        row.putAll(Evaluator.compare(b, a, EnumSet.of(Evaluator.Metric.FD, Evaluator.Metric.KID, Evaluator.Metric.PR), null));
        write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(row));
    }

    private String featureName() {
        String f = spec.evaluation().features();
        if (!f.isBlank()) {
            return f;
        }
        String d = plans.get(0).config().data().dataset();
        return (d.contains(":") ? d.substring(0, d.indexOf(':')) : d) + "-v1";
    }

    private FeatureNetwork featureNetwork() throws Exception {
        if (features == null) {
            features = EvalCommand.featureNetwork(featureName(), plans.get(0).config().data().dataset());
        }
        return features;
    }

    private ImageDataset referenceData() {
        if (referenceData == null) {
            ExperimentConfig cfg = plans.get(0).config();
            String ref = !spec.evaluation().reference().isBlank() ? spec.evaluation().reference() : Datasets.testSplitOf(cfg.data().dataset());
            referenceData = Datasets.resolve(ref, cfg.data().resolution(), cfg.data().channels() == 1, DataCache.defaultDir());
        }
        return referenceData;
    }

    /** The protocol's n reference images and their features (seed 0, as {@code d4j eval}), once per invocation. */
    private Measured reference() throws Exception {
        if (reference == null) {
            ImageDataset data = referenceData();
            int n = Math.min(spec.evaluation().n(), data.size());
            try (Work work = Work.start("features of " + n + " reference images", n, "img")) {
                reference = Evaluator.ofDataset(featureNetwork(), data, n, 0, work::stepTo);
            }
        }
        return reference;
    }

    private VariantResult readResult(VariantPlan p) throws IOException {
        Path file = variantFile(p, ".json");
        return Files.exists(file) ? Json.MAPPER.readValue(Files.readString(file), VariantResult.class) : null;
    }

    private void save(VariantPlan p, VariantResult r) throws IOException {
        write(variantFile(p, ".json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(r));
    }

    private static void write(Path file, String text) throws IOException {
        AtomicFiles.write(file, (channel, o) -> o.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static void writeIfChanged(Path file, String text) throws IOException {
        if (!Files.exists(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
            write(file, text);
        }
    }
}
