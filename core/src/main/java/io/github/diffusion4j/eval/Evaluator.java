package io.github.diffusion4j.eval;

import io.github.diffusion4j.data.EpochOrder;
import io.github.diffusion4j.data.ImageDataset;
import io.github.diffusion4j.eval.features.FeatureNetwork;
import io.github.diffusion4j.io.ImageGrid;
import io.github.diffusion4j.sample.SampleSource;
import io.github.diffusion4j.sample.StepListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;

/**
 * Measures samples against real data through a frozen {@link FeatureNetwork}: Fréchet distance,
 * KID, Inception-style score, precision/recall, label accuracy of conditional samples, sFID-style
 * spatial FD and classification accuracy score. Generated images are quantised to 8 bits exactly
 * as the PNGs {@code d4j sample} writes, so figures match what a user would measure on the files.
 */
public final class Evaluator {
    private Evaluator() {}

    /** The metrics by their CLI names. */
    public enum Metric {
        FD, KID, IS, PR, ACC, SFID, CAS;

        /** Parses {@code fd,kid,is,pr,acc,sfid,cas}. */
        public static EnumSet<Metric> parse(String list) {
            EnumSet<Metric> out = EnumSet.noneOf(Metric.class);
            for (String m : list.split(",")) {
                try {
                    out.add(valueOf(m.trim().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new io.github.diffusion4j.io.InputException("--metrics: unknown metric '" + m.trim() + "' (expected fd, kid, is, pr, acc, sfid, cas)");
                }
            }
            return out;
        }
    }

    /** Images with their network outputs and (possibly requested) labels. */
    public record Measured(ImageDataset images, FeatureNetwork.Outputs outputs) {
        public int size() {
            return images.size();
        }
    }

    /** {@code n} images of {@code data}, chosen by a seeded permutation, and their outputs. */
    public static Measured ofDataset(FeatureNetwork net, ImageDataset data, int n, long seed) {
        return ofDataset(net, data, n, seed, done -> {});
    }

    /** As {@link #ofDataset(FeatureNetwork, ImageDataset, int, long)}, telling {@code progress} how many images are done. */
    public static Measured ofDataset(FeatureNetwork net, ImageDataset data, int n, long seed,
            java.util.function.IntConsumer progress) {
        if (n > data.size()) {
            throw new io.github.diffusion4j.io.InputException("asked for " + n + " images but the dataset has " + data.size());
        }
        int[] idx = Arrays.copyOf(EpochOrder.permutation(seed, 0, data.size()), n);
        ImageDataset subset = data.select(idx);
        return io.github.diffusion4j.engine.ShutdownGuard.run(() -> new Measured(subset, run(net, subset, progress)));
    }

    /**
     * One sample per seed from {@code source}, quantised to 8 bits, labelled with the class each was
     * drawn for (when the source is class-conditional), and their outputs.
     */
    public static Measured ofSamples(FeatureNetwork net, SampleSource source, long[] seeds, int batch, List<String> classNames) {
        return ofSamples(net, source, seeds, batch, classNames, StepListener.NONE);
    }

    /** As {@link #ofSamples(FeatureNetwork, SampleSource, long[], int, List)}, telling {@code listener} after each sampler step. */
    public static Measured ofSamples(FeatureNetwork net, SampleSource source, long[] seeds, int batch, List<String> classNames,
            StepListener listener) {
        long[] shape = source.sampleShape();
        if (shape.length != 3 || shape[1] != shape[2]) {
            throw new IllegalArgumentException("need square [C, H, W] samples, got " + Arrays.toString(shape));
        }
        int channels = (int) shape[0];
        int resolution = (int) shape[1];
        int per = channels * resolution * resolution;
        boolean conditional = source.classConditional();
        byte[] pixels = new byte[seeds.length * per];
        int[] labels = new int[seeds.length];
        Map<Long, Integer> position = new LinkedHashMap<>();
        for (int i = 0; i < seeds.length; i++) {
            position.put(seeds[i], i);
            labels[i] = conditional ? (int) source.labelOf(seeds[i]) : 0;
        }
        try (NoGradGuard guard = new NoGradGuard()) {
            source.generate(seeds, batch, listener, (seed, values) -> {
                int at = position.get(seed) * per;
                for (int k = 0; k < per; k++) {
                    pixels[at + k] = (byte) ImageGrid.quantise(values[k]);
                }
            });
        }
        ImageDataset images = new ImageDataset(pixels, conditional ? labels : null, channels, resolution, resolution,
                conditional ? classNames : List.of());
        return new Measured(images, run(net, images));
    }

    /** The network's outputs for every image of {@code data}, in batches of 256. */
    public static FeatureNetwork.Outputs run(FeatureNetwork net, ImageDataset data) {
        return run(net, data, done -> {});
    }

    /** As {@link #run(FeatureNetwork, ImageDataset)}, telling {@code progress} how many images are done after each batch. */
    public static FeatureNetwork.Outputs run(FeatureNetwork net, ImageDataset data, java.util.function.IntConsumer progress) {
        List<double[]> f = new ArrayList<>();
        List<double[]> l = new ArrayList<>();
        List<double[]> s = new ArrayList<>();
        for (int from = 0; from < data.size(); from += 256) {
            int[] idx = new int[Math.min(256, data.size() - from)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = from + i;
            }
            try (PointerScope scope = new PointerScope()) {
                FeatureNetwork.Outputs o = net.run(data.batch(idx));
                f.addAll(Arrays.asList(o.features()));
                l.addAll(Arrays.asList(o.logits()));
                s.addAll(Arrays.asList(o.spatial()));
            }
            progress.accept(from + idx.length);
        }
        return new FeatureNetwork.Outputs(f.toArray(double[][]::new), l.toArray(double[][]::new), s.toArray(double[][]::new));
    }

    /** Fraction of images whose predicted class equals their label. */
    public static double accuracy(Measured m) {
        int[] pred = m.outputs().predictions();
        int hits = 0;
        for (int i = 0; i < pred.length; i++) {
            hits += pred[i] == m.images().label(i) ? 1 : 0;
        }
        return (double) hits / pred.length;
    }

    /**
     * The requested metrics of {@code generated} against {@code real}, by name; {@code cas}
     * (classification accuracy score) is computed by {@code casScorer} when given.
     */
    public static Map<String, Object> compare(Measured real, Measured generated, EnumSet<Metric> metrics,
            CasScorer casScorer) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("n", generated.size());
        out.put("nReal", real.size());
        if (metrics.contains(Metric.FD)) {
            out.put("fd", FrechetDistance.of(FeatureStats.of(real.outputs().features()), FeatureStats.of(generated.outputs().features())));
        }
        if (metrics.contains(Metric.KID)) {
            int size = Math.min(KernelInceptionDistance.DEFAULT_SUBSET_SIZE, Math.min(real.size(), generated.size()));
            Kid kid = KernelInceptionDistance.of(real.outputs().features(), generated.outputs().features(),
                    KernelInceptionDistance.DEFAULT_SUBSETS, size, KernelInceptionDistance.DEFAULT_SEED);
            out.put("kid", kid.mean());
            out.put("kidStd", kid.std());
        }
        if (metrics.contains(Metric.IS)) {
            InceptionScore is = InceptionScore.ofLogits(generated.outputs().logits(),
                    Math.min(InceptionScore.DEFAULT_SPLITS, generated.size()));
            out.put("is", is.mean());
            out.put("isStd", is.std());
        }
        if (metrics.contains(Metric.PR)) {
            PrecisionRecall pr = PrecisionRecall.of(real.outputs().features(), generated.outputs().features());
            out.put("precision", pr.precision());
            out.put("recall", pr.recall());
        }
        if (metrics.contains(Metric.ACC) && generated.images().numClasses() > 0) {
            out.put("labelAccuracy", accuracy(generated));
        }
        if (metrics.contains(Metric.SFID)) {
            out.put("sfd", FrechetDistance.of(FeatureStats.of(real.outputs().spatial()), FeatureStats.of(generated.outputs().spatial())));
        }
        if (metrics.contains(Metric.CAS) && casScorer != null && generated.images().numClasses() > 0) {
            out.put("cas", casScorer.score(generated.images(), real.images()));
        }
        return out;
    }

    /** Classification accuracy score (Ravuri &amp; Vinyals 2019): train on generated images, test on real ones. */
    @FunctionalInterface
    public interface CasScorer {
        double score(ImageDataset generatedTrain, ImageDataset realTest);
    }
}
