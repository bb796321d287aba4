package io.github.diffusion4j.cli;

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
import io.github.diffusion4j.train.Checkpoint;
import io.github.diffusion4j.train.SampleGrid;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongUnaryOperator;
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
    @Option(names = "--checkpoint", paramLabel = "RUN_DIR|FILE", description = "The model to evaluate.")
    Path checkpoint;

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

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (checkpoint == null) {
            throw new UserException("give --checkpoint RUN_DIR|FILE, or a subcommand (fd, stats, classify, floor); see d4j eval --help");
        }
        EnumSet<Evaluator.Metric> wanted = Evaluator.Metric.parse(metrics);
        long[] seedList = Seeds.parse(seeds);
        Engine.init();
        Checkpoint ck = Checkpoint.load(checkpoint);
        var cfg = ck.config();
        String refName = ref != null ? ref : testSplitOf(cfg.data().dataset());
        int res = cfg.data().resolution();
        ImageDataset real = Datasets.resolve(refName, res, cfg.data().channels() == 1, DataCache.defaultDir());
        int classes = cfg.model().classes();
        double w = guidance != null ? guidance : cfg.sampling().guidance();
        Generator gen = SampleGrid.generator(ck.denoiser(), cfg.sampling(), w, new long[] {cfg.data().channels(), res, res},
                sampler != null ? sampler : cfg.sampling().sampler().type(), steps != null ? steps : cfg.sampling().steps());
        LongUnaryOperator labelOf = classes == 0 ? null
                : seed -> SampleCommand.labelOf(seed, classes);
        long t0 = System.nanoTime();
        try (FeatureNetwork net = featureNetwork(features, refName)) {
            Measured realM = Evaluator.ofDataset(net, real, Math.min(real.size(), seedList.length), 0);
            Measured genM = Evaluator.ofSamples(net, gen, seedList, batch, labelOf, cfg.data().channels(), res, real.classNames());
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

    /** {@code mnist:train} → {@code mnist:test}; other references are used as given. */
    static String testSplitOf(String dataset) {
        int colon = dataset.indexOf(':');
        String name = colon < 0 ? dataset : dataset.substring(0, colon);
        return name.equals("mnist") || name.equals("fashion-mnist") ? name + ":test" : dataset;
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
        return Datasets.resolve(data, net.inputResolution(), net.inputChannels() == 1, DataCache.defaultDir());
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
            Engine.init();
            Npz.Stats x = Npz.readStats(a);
            Npz.Stats y = Npz.readStats(b);
            if (x.mu().length != y.mu().length) {
                throw new UserException(a.getFileName() + " has " + x.mu().length + "-d statistics but " + b.getFileName() + " has "
                        + y.mu().length + "-d");
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("a", a.toString());
            out.put("b", b.toString());
            out.put("fd", FrechetDistance.of(x.mu(), x.sigma(), y.mu(), y.sigma()));
            print(out, json);
            return 0;
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

        @Option(names = "--json")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Engine.init();
            try (FeatureNetwork net = featureNetwork(features, data)) {
                ImageDataset d = datasetFor(net, data);
                Measured m = new Measured(d, Evaluator.run(net, d));
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("data", data);
                out.put("features", net.name());
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
        @Option(names = "--data", required = true, paramLabel = "mnist|fashion-mnist")
        String data;

        @Option(names = "--n", description = "Images per side (default: ${DEFAULT-VALUE}).")
        int n = 10_000;

        @Option(names = "--metrics", description = "Default: ${DEFAULT-VALUE}.")
        String metrics = "fd,kid,pr,sfid";

        @Option(names = "--features", paramLabel = "NAME")
        String features;

        @Option(names = "--json")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Engine.init();
            String base = data.contains(":") ? data.substring(0, data.indexOf(':')) : data;
            try (FeatureNetwork net = featureNetwork(features, base)) {
                ImageDataset train = Datasets.resolve(base + ":train", net.inputResolution(), true, DataCache.defaultDir());
                ImageDataset test = Datasets.resolve(base + ":test", net.inputResolution(), true, DataCache.defaultDir());
                if (n > test.size()) {
                    throw new UserException("--n " + n + " exceeds the " + test.size() + " test images");
                }
                Measured a = Evaluator.ofDataset(net, train, n, 1);
                Measured b = Evaluator.ofDataset(net, test, n, 2);
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("data", base);
                out.put("features", net.name());
                out.putAll(Evaluator.compare(b, a, Evaluator.Metric.parse(metrics), null));
                print(out, json);
            }
            return 0;
        }
    }
}
