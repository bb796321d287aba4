package io.github.diffusion4j.cli;

import io.github.diffusion4j.assemble.SamplerAssembly;
import io.github.diffusion4j.data.DataCache;
import io.github.diffusion4j.data.Datasets;
import io.github.diffusion4j.data.ImageDataset;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.eval.Evaluator;
import io.github.diffusion4j.eval.Evaluator.Measured;
import io.github.diffusion4j.eval.FeatureStats;
import io.github.diffusion4j.eval.FrechetDistance;
import io.github.diffusion4j.eval.features.FeatureNetwork;
import io.github.diffusion4j.eval.features.FeatureNetworks;
import io.github.diffusion4j.eval.features.InceptionV3;
import io.github.diffusion4j.io.Npz;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.sample.Samplers;
import io.github.diffusion4j.train.Checkpoint;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code d4j eval}: the full report of a checkpoint against real data, and the pieces it is made
 * of (statistics files, Fréchet distance between them, classifier accuracy, the real-vs-real floor).
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Measure a checkpoint's samples against real data (FD, KID, IS, precision/recall, label accuracy, sFID, CAS).",
        subcommands = {EvalCommand.Fd.class, EvalCommand.Stats.class, EvalCommand.Classify.class, EvalCommand.Floor.class})
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", paramLabel = "RUN_DIR|FILE|CASCADE_DIR",
            description = "The model to evaluate; for a cascade, once per stage (stage 0 first) or a folder holding "
                    + CascadeSource.FILE + ": the final output of the whole chain is measured.")
    List<Path> checkpoints = new ArrayList<>();

    @Option(names = "--aug-level", paramLabel = "L[,L...]", description = "Cascades: augmentation levels of the SR stages, truncation σ of relay stages (see d4j sample).")
    String augLevel;

    @Option(names = "--sweep-aug", paramLabel = "a,b,c",
            description = "Cascades: evaluate at each level of the last stage with one (Gaussian SR augmentation, or a relay stage's truncation σ) and report the best (lowest FD, else KID);"
                    + " non-truncated, the stages before it are sampled once and reused.")
    String sweepAug;

    @Option(names = "--truncated", description = "Cascades: truncated conditioning augmentation (see d4j sample).")
    boolean truncated;

    @Option(names = "--seeds", paramLabel = "LIST", description = "Seeds of the generated samples (default: ${DEFAULT-VALUE}).")
    String seeds = "0-9999";

    @Option(names = "--ref", paramLabel = "DATA", description = "Reference data (default: the test split of the checkpoint's dataset).")
    String ref;

    @Option(names = "--metrics", description = "Comma-separated: fd, kid, is, pr, acc, sfid, cas (default: ${DEFAULT-VALUE}).")
    String metrics = "fd,kid,is,pr,acc";

    @Option(names = "--features", paramLabel = "NAME|inception:FILE", description = "Feature network (default: by dataset, e.g. mnist-v1).")
    String features;

    @Option(names = "--guidance", paramLabel = "W", description = "Classifier-free guidance weight (default: the config's).")
    Double guidance;

    @Option(names = "--sampler", description = "Sampler (default: the config's).")
    String sampler;

    @Option(names = "--steps", description = "Sampler steps (default: the config's).")
    Integer steps;

    @Option(names = "--batch", description = "Sampling batch (default: ${DEFAULT-VALUE}).")
    int batch = 100;

    @Option(names = "--precision", paramLabel = "auto|fp32|bf16",
            description = "Arithmetic of the network (default: the config's training.precision).")
    String precision;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        SampleCommand.checkPrecision(precision);
        if (checkpoints.isEmpty()) {
            throw new UserException("give --checkpoint RUN_DIR|FILE, or a subcommand (fd, stats, classify, floor); see d4j eval --help");
        }
        EnumSet<Evaluator.Metric> wanted = Evaluator.Metric.parse(metrics);
        if (guidance != null && !(Double.isFinite(guidance) && guidance >= 0)) {
            throw new UserException("--guidance must be a finite number >= 0 (1 = no guidance), got " + guidance);
        }
        if (sampler != null && !Samplers.NAMES.contains(sampler)) {
            throw new UserException("--sampler: unknown sampler '" + sampler + "' (expected one of " + String.join(", ", Samplers.NAMES) + ")");
        }
        if (steps != null && steps < 1) {
            throw new UserException("--steps must be >= 1");
        }
        long[] seedList = Seeds.parse(seeds);
        Engine.init();
        if (CascadeSource.isCascade(checkpoints)) {
            return cascade(seedList, wanted);
        }
        if (augLevel != null || sweepAug != null || truncated) {
            throw new UserException("--aug-level, --sweep-aug and --truncated are for cascades (several --checkpoint, or a folder with "
                    + CascadeSource.FILE + ")");
        }
        Checkpoint ck = Checkpoint.load(checkpoints.get(0), precision);
        CascadeSource.refuseLoneStage(ck);
        System.err.println(ck.precision().reason());
        var cfg = ck.config();
        String refName = ref != null ? ref : testSplitOf(cfg.data().dataset());
        int res = cfg.data().resolution();
        ImageDataset real = Datasets.resolve(refName, res, cfg.data().channels() == 1, DataCache.defaultDir());
        int classes = cfg.model().classes();
        double w = guidance != null ? guidance : cfg.sampling().guidance();
        Generator gen = SamplerAssembly.generator(ck.denoiser(), SamplerAssembly.overridden(cfg.sampling(), sampler, steps, w),
                SamplerAssembly.sampleShape(cfg.data()), classes);
        long t0 = System.nanoTime();
        try (FeatureNetwork net = featureNetwork(features, refName)) {
            int nReal = Math.min(real.size(), seedList.length);
            Measured realM;
            try (Work work = Work.start("features of " + nReal + " reference images", nReal, "img")) {
                realM = Evaluator.ofDataset(net, real, nReal, 0, work::stepTo);
            }
            Measured genM;
            try (Work work = Work.start("sampling " + seedList.length + " images", seedList.length, "steps")) {
                genM = Evaluator.ofSamples(net, gen, seedList, batch, real.classNames(),
                        work.samplerSteps(Work.batches(seedList.length, batch)));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("checkpoint", ck.file().toString());
            out.put("reference", refName);
            out.put("features", net.name());
            out.put("guidance", w);
            out.putAll(Evaluator.compare(realM, genM, wanted, Cas.scorer(real)));
            out.put("seconds", (System.nanoTime() - t0) / 1e9);
            print(out, json);
        }
        return 0;
    }

    /**
     * A cascade: the final output of the whole chain from generated low-resolution inputs (never the
     * SR stage on real ones, methods.md §4.4), at {@code --aug-level}, or at each {@code --sweep-aug}
     * level of the last Gaussian-augmented stage with the best reported.
     */
    private int cascade(long[] seedList, EnumSet<Evaluator.Metric> wanted) throws Exception {
        CascadeSource.Loaded loaded = CascadeSource.load(checkpoints, precision, sampler, steps, guidance, null, augLevel, truncated);
        io.github.diffusion4j.cascade.Cascade cascade = loaded.cascade();
        int n = cascade.stages().size();
        int swept = -1;
        for (int k = n - 1; k >= 1; k--) { // the last stage with a level to choose: Gaussian SR augmentation, or a relay's truncation σ
            var coupling = cascade.stages().get(k).coupling();
            if (coupling instanceof io.github.diffusion4j.cascade.RelayCoupling
                    || coupling instanceof io.github.diffusion4j.cascade.SuperResolutionCoupling sr && sr.embedsLevel()) {
                swept = k;
                break;
            }
        }
        double[] sweep = sweepAug == null ? null : CascadeSource.numbers("--sweep-aug", sweepAug);
        if (sweep != null && swept < 0) {
            throw new UserException("--sweep-aug: no stage of this cascade has a level to sweep (no Gaussian augmentation, no relay stage)");
        }
        List<double[]> settings = new ArrayList<>();
        if (sweep == null) {
            settings.add(loaded.levels());
        } else {
            for (double l : sweep) {
                double[] levels = loaded.levels().clone(); // one array per setting: the rows report their own level
                levels[swept] = l;
                settings.add(levels);
            }
        }
        List<io.github.diffusion4j.cascade.Cascade> variants = new ArrayList<>();
        Map<Long, double[]> reuse = new java.util.HashMap<>();
        for (double[] levels : settings) {
            io.github.diffusion4j.cascade.Cascade v = cascade.withLevels(levels); // refuses a level outside a stage's trained range
            variants.add(!truncated && swept == n - 1 && sweep != null ? v.reusing(reuse) : v);
        }
        var last = loaded.checkpoints().get(n - 1);
        var cfg = last.config();
        System.err.println(last.precision().reason());
        String refName = ref != null ? ref : testSplitOf(cfg.data().dataset());
        ImageDataset real = Datasets.resolve(refName, cfg.data().resolution(), cfg.data().channels() == 1, DataCache.defaultDir());
        long t0 = System.nanoTime();
        try (FeatureNetwork net = featureNetwork(features, refName)) {
            int nReal = Math.min(real.size(), seedList.length);
            Measured realM;
            try (Work work = Work.start("features of " + nReal + " reference images", nReal, "img")) {
                realM = Evaluator.ofDataset(net, real, nReal, 0, work::stepTo);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < variants.size(); i++) {
                Measured genM;
                try (Work work = Work.start("sampling " + seedList.length + " images through " + n + " stages", seedList.length, "steps")) {
                    genM = Evaluator.ofSamples(net, variants.get(i), seedList, batch, real.classNames(),
                            work.samplerSteps(Work.batches(seedList.length, batch) * n));
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("augLevels", Arrays.copyOfRange(settings.get(i), 1, n));
                row.putAll(Evaluator.compare(realM, genM, wanted, Cas.scorer(real)));
                rows.add(row);
                if (sweep != null) {
                    System.err.printf("aug level %s: %s%n", sweep[i], row);
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("cascade", loaded.checkpoints().stream().map(k -> k.file().toString()).toList());
            out.put("measured", "final output of the whole chain from generated low-resolution inputs");
            out.put("truncated", truncated);
            out.put("reference", refName);
            out.put("features", net.name());
            if (sweep == null) {
                out.putAll(rows.get(0));
            } else {
                String key = rows.get(0).containsKey("fd") ? "fd" : rows.get(0).containsKey("kid") ? "kid" : null;
                if (key == null) {
                    throw new UserException("--sweep-aug picks the best level by fd or kid; include one of them in --metrics");
                }
                String by = key;
                Map<String, Object> best = rows.stream().min(java.util.Comparator.comparingDouble(r -> (Double) r.get(by))).orElseThrow();
                out.put("sweptStage", swept);
                out.put("bestBy", key);
                out.put("best", best);
                out.put("sweep", rows);
            }
            out.put("seconds", (System.nanoTime() - t0) / 1e9);
            print(out, json);
        }
        return 0;
    }

    /**
     * {@code mnist:train} → {@code mnist:test}; {@code emoji[:qualifiers]} → the same vendors and labels
     * with the test split ({@code emoji:google} → {@code emoji:google:test:category}); other references
     * are used as given.
     */
    static String testSplitOf(String dataset) {
        return Datasets.testSplitOf(dataset);
    }

    /** The named feature network, or the committed one for the reference dataset. */
    static FeatureNetwork featureNetwork(String name, String ref) throws Exception {
        if (name != null && name.startsWith("inception:")) {
            return InceptionV3.load(Path.of(name.substring("inception:".length())));
        }
        String n = name;
        if (n == null) {
            String base = ref.contains(":") ? ref.substring(0, ref.indexOf(':')) : ref;
            n = base + "-v1";
            if (!FeatureNetworks.names().contains(n)) {
                throw new UserException("no feature network for '" + ref + "'; give --features (" + String.join(", ", FeatureNetworks.names())
                        + ", or inception:FILE.safetensors)");
            }
        }
        if (!FeatureNetworks.names().contains(n)) {
            throw new UserException("--features: unknown network '" + n + "' (known: " + String.join(", ", FeatureNetworks.names())
                    + ", or inception:FILE.safetensors)");
        }
        return FeatureNetworks.load(n);
    }

    /** {@code data} read at the feature network's input size and channel count. */
    static ImageDataset datasetFor(FeatureNetwork net, String data) {
        return datasetFor(net, data, null);
    }

    /**
     * {@code data} at {@code resolution} (null: the network's input size) with the network's channel
     * count; a network that resizes its inputs (emoji-v1) takes any resolution.
     */
    static ImageDataset datasetFor(FeatureNetwork net, String data, Integer resolution) {
        if (resolution != null && resolution < 1) {
            throw new UserException("--resolution must be >= 1");
        }
        return Datasets.resolve(data, resolution == null ? net.inputResolution() : resolution, net.inputChannels() == 1,
                DataCache.defaultDir());
    }

    static void print(Map<String, Object> out, boolean json) {
        if (json) {
            Json.print(out);
        } else {
            out.forEach((k, v) -> System.out.printf("%-14s %s%n", k, v instanceof Double d ? String.format("%.6g", d) : v));
        }
    }

    /** {@code d4j eval fd A.npz B.npz}: the Fréchet distance between two pytorch-fid statistics files. */
    @Command(name = "fd", mixinStandardHelpOptions = true, description = "Fréchet distance between two statistics files (mu, sigma).")
    static final class Fd implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "A.npz")
        Path a;

        @Parameters(index = "1", paramLabel = "B.npz")
        Path b;

        @Option(names = "--json")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Npz.Stats x = Npz.readStats(a); // read and checked before libtorch is loaded
            Npz.Stats y = Npz.readStats(b);
            if (x.mu().length != y.mu().length) {
                throw new UserException(a.getFileName() + " has " + x.mu().length + "-d statistics but " + b.getFileName() + " has "
                        + y.mu().length + "-d");
            }
            Engine.init();
            requireCovariance(a, x.sigma());
            requireCovariance(b, y.sigma());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("a", a.toString());
            out.put("b", b.toString());
            out.put("fd", FrechetDistance.of(x.mu(), x.sigma(), y.mu(), y.sigma()));
            print(out, json);
            return 0;
        }
    }

    /**
     * Refuses a {@code sigma} that is not a covariance matrix, which the Fréchet distance would
     * silently clamp to a wrong value: a negative variance, an entry beyond the Cauchy–Schwarz bound
     * √(σᵢᵢσⱼⱼ), or (by a Cholesky factorisation) an eigenvalue below −1e-6 of the largest variance.
     */
    static void requireCovariance(Path file, double[][] sigma) {
        String where = file.getFileName() + ": sigma.npy is not a covariance matrix: ";
        int d = sigma.length;
        for (int i = 0; i < d; i++) {
            if (sigma[i][i] < 0) {
                throw new UserException(where + "variance [" + i + ", " + i + "] is " + sigma[i][i] + " < 0");
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double bound = Math.sqrt(sigma[i][i] * sigma[j][j]);
                if (Math.abs(sigma[i][j]) > bound * (1 + 1e-6) + 1e-300) {
                    throw new UserException(where + "entry [" + i + ", " + j + "] = " + sigma[i][j]
                            + " exceeds sqrt(sigma[i, i] * sigma[j, j]) = " + bound);
                }
            }
        }
        if (!FrechetDistance.positiveSemiDefinite(sigma, 1e-6)) {
            throw new UserException(where + "it is not positive semi-definite (an eigenvalue is below -1e-6 of the largest variance)");
        }
    }

    /** {@code d4j eval stats}: feature statistics of a dataset, as a pytorch-fid {@code .npz}. */
    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Feature statistics (mu, sigma) of a dataset, written as .npz.")
    static final class Stats implements Callable<Integer> {
        @Option(names = "--data", required = true, paramLabel = "DATA")
        String data;

        @Option(names = "--features", paramLabel = "NAME|inception:FILE")
        String features;

        @Option(names = "--n", description = "Images to use (default: all).")
        Integer n;

        @Option(names = "--out", required = true, paramLabel = "X.npz")
        Path out;

        @Override
        public Integer call() throws Exception {
            Engine.init();
            try (FeatureNetwork net = featureNetwork(features, data)) {
                ImageDataset d = datasetFor(net, data);
                Measured m = Evaluator.ofDataset(net, d, n == null ? d.size() : Math.min(n, d.size()), 0);
                FeatureStats s = FeatureStats.of(m.outputs().features());
                Npz.writeStats(out, s.mu(), s.sigma());
                System.err.printf("%s: statistics of %d images of %s through %s (%d-d)%n", out, m.size(), data, net.name(), s.mu().length);
            }
            return 0;
        }
    }

    /** {@code d4j eval classify}: accuracy of a feature network's classifier on a labelled dataset. */
    @Command(name = "classify", mixinStandardHelpOptions = true, description = "Accuracy of a frozen feature network on a labelled dataset.")
    static final class Classify implements Callable<Integer> {
        @Option(names = "--data", required = true, paramLabel = "DATA")
        String data;

        @Option(names = "--features", paramLabel = "NAME")
        String features;

        @Option(names = "--resolution", paramLabel = "R", description = "Serve the data at R px (default: the network's input size).")
        Integer resolution;

        @Option(names = "--json")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Engine.init();
            try (FeatureNetwork net = featureNetwork(features, data)) {
                ImageDataset d = datasetFor(net, data, resolution);
                Measured m;
                try (Work work = Work.start("classifying " + d.size() + " images", d.size(), "img")) {
                    m = new Measured(d, Evaluator.run(net, d, work::stepTo));
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("data", data);
                out.put("features", net.name());
                out.put("resolution", d.height());
                out.put("n", d.size());
                out.put("accuracy", Evaluator.accuracy(m));
                print(out, json);
            }
            return 0;
        }
    }

    /** {@code d4j eval floor}: train split against test split at the same n, the floor every generated figure is read against. */
    @Command(name = "floor", mixinStandardHelpOptions = true, description = "Real-versus-real floor: train split against test split at the same n.")
    static final class Floor implements Callable<Integer> {
        @Option(names = "--data", required = true, paramLabel = "mnist|fashion-mnist|emoji[:vendors][:labels]")
        String data;

        @Option(names = "--resolution", paramLabel = "R", description = "Serve both splits at R px (default: the network's input size).")
        Integer resolution;

        @Option(names = "--n", description = "Images per side (default: ${DEFAULT-VALUE}).")
        int n = 10_000;

        @Option(names = "--metrics", description = "Default: ${DEFAULT-VALUE}.")
        String metrics = "fd,kid,pr,sfid";

        @Option(names = "--features", paramLabel = "NAME")
        String features;

        @Option(names = "--json")
        boolean json;

        /**
         * The two splits a floor compares: {@code emoji[:vendors][:labels]} → the same selection's train and
         * test splits; {@code mnist} / {@code fashion-mnist} → {@code NAME:train} and {@code NAME:test}.
         */
        static String[] splits(String data) {
            String base = data.contains(":") ? data.substring(0, data.indexOf(':')) : data;
            if (base.equals("emoji")) {
                String testRef = testSplitOf(data);
                return new String[] {testRef.replace(":test:", ":train:"), testRef};
            }
            return new String[] {base + ":train", base + ":test"};
        }

        @Override
        public Integer call() throws Exception {
            Engine.init();
            String base = data.contains(":") ? data.substring(0, data.indexOf(':')) : data;
            String[] splits = splits(data);
            String trainRef = splits[0];
            String testRef = splits[1];
            try (FeatureNetwork net = featureNetwork(features, base)) {
                ImageDataset train = datasetFor(net, trainRef, resolution);
                ImageDataset test = datasetFor(net, testRef, resolution);
                if (n > test.size() || n > train.size()) {
                    throw new UserException("--n " + n + " exceeds the " + Math.min(test.size(), train.size()) + " images of the smaller split");
                }
                Measured a;
                Measured b;
                try (Work work = Work.start("features of 2 x " + n + " real images", 2L * n, "img")) {
                    a = Evaluator.ofDataset(net, train, n, 1, work::stepTo);
                    b = Evaluator.ofDataset(net, test, n, 2, done -> work.stepTo(n + done));
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("data", base.equals("emoji") ? trainRef + " vs " + testRef : base);
                out.put("features", net.name());
                out.put("resolution", train.height());
                out.putAll(Evaluator.compare(b, a, Evaluator.Metric.parse(metrics), null));
                print(out, json);
            }
            return 0;
        }
    }
}
