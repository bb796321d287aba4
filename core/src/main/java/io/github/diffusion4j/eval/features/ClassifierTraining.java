package io.github.diffusion4j.eval.features;

import io.github.diffusion4j.data.Augment;
import io.github.diffusion4j.data.Batch;
import io.github.diffusion4j.data.BatchLoader;
import io.github.diffusion4j.data.DataCache;
import io.github.diffusion4j.data.Datasets;
import io.github.diffusion4j.data.ImageDataset;
import io.github.diffusion4j.engine.CounterRng;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.io.TensorFiles;
import io.github.diffusion4j.train.AdamW;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The training recipe of the {@link SmallClassifier} feature networks: AdamW, linear warm-up then
 * cosine decay of the learning rate, cross-entropy with label smoothing, random integer shifts
 * (and optionally horizontal flips), a fixed seed and the deterministic data order of
 * {@link BatchLoader}. Every random decision is a pure function of (seed, epoch, image index), so
 * a run is reproducible on a machine with the same libtorch build and thread count (CPU kernels
 * may order floating-point sums differently with another thread count).
 *
 * <p>Command line: {@code ClassifierTraining <mnist|fashion-mnist> <output.safetensors> [key=value ...]}
 * with optional recipe overrides ({@code epochs=}, {@code batch=}, {@code lr=}, {@code weightDecay=},
 * {@code warmup=}, {@code labelSmoothing=}, {@code shift=}, {@code flip=}, {@code seed=}); the data
 * come from the dataset cache ({@code $D4J_CACHE}, default {@code ~/.cache/diffusion4j}).
 */
public final class ClassifierTraining {
    private static final long DATA_STREAM = 0xDA7AC1A5L;
    private static final long SHIFT_STREAMS = 0x5348L << 48;
    /** Epochs of the {@code emoji-v1} recipe (sized to about 30 minutes on one core of the 2-core AMD EPYC). */
    static final int EMOJI_EPOCHS = 12;

    private ClassifierTraining() {}

    /**
     * A training recipe.
     *
     * @param epochs passes over the training set
     * @param batch images per step
     * @param lr peak learning rate
     * @param weightDecay AdamW's decoupled weight decay (applied to every parameter)
     * @param warmupSteps linear warm-up from 0 to {@code lr}, then cosine decay to 0 at the last step
     * @param labelSmoothing cross-entropy label smoothing
     * @param shift maximum random shift in pixels, per axis (0 = none); vacated pixels become −1
     * @param flip random horizontal flips (probability ½)
     * @param seed initial weights, data order and augmentation
     * @param fill the value of pixels vacated by a shift (−1: black, MNIST's background; 1: white, emoji's)
     */
    public record Recipe(int epochs, int batch, double lr, double weightDecay, int warmupSteps, double labelSmoothing,
            int shift, boolean flip, long seed, float fill) {

        public Recipe {
            if (epochs < 1 || batch < 1 || lr <= 0 || weightDecay < 0 || warmupSteps < 0 || labelSmoothing < 0
                    || labelSmoothing >= 1 || shift < 0 || !(fill >= -1 && fill <= 1)) {
                throw new IllegalArgumentException("bad recipe");
            }
        }

        /** A recipe whose shifts fill with −1. */
        public Recipe(int epochs, int batch, double lr, double weightDecay, int warmupSteps, double labelSmoothing,
                int shift, boolean flip, long seed) {
            this(epochs, batch, lr, weightDecay, warmupSteps, labelSmoothing, shift, flip, seed, -1f);
        }

        /** The recipe the committed {@code <dataset>-v1} network was trained with. */
        public static Recipe v1(String dataset) {
            return switch (dataset) {
                case "mnist" -> new Recipe(5, 128, 3e-3, 5e-4, 200, 0.1, 2, false, 20240601L);
                case "fashion-mnist" -> new Recipe(6, 128, 3e-3, 5e-4, 200, 0.1, 1, false, 20240602L);
                case "emoji" -> new Recipe(EMOJI_EPOCHS, 64, 3e-3, 5e-4, 200, 0.1, 2, true, 20240603L, 1f);
                default -> throw new IllegalArgumentException("no recipe for dataset '" + dataset
                        + "' (expected mnist, fashion-mnist or emoji)");
            };
        }

        /** A copy with {@code key=value} overrides applied. */
        public Recipe with(String key, String value) {
            int e = epochs, b = batch, w = warmupSteps, sh = shift;
            double l = lr, wd = weightDecay, ls = labelSmoothing;
            boolean fl = flip;
            long sd = seed;
            float fi = fill;
            switch (key) {
                case "epochs" -> e = Integer.parseInt(value);
                case "batch" -> b = Integer.parseInt(value);
                case "lr" -> l = Double.parseDouble(value);
                case "weightDecay" -> wd = Double.parseDouble(value);
                case "warmup" -> w = Integer.parseInt(value);
                case "labelSmoothing" -> ls = Double.parseDouble(value);
                case "shift" -> sh = Integer.parseInt(value);
                case "flip" -> fl = Boolean.parseBoolean(value);
                case "seed" -> sd = Long.parseLong(value);
                case "fill" -> fi = Float.parseFloat(value);
                default -> throw new IllegalArgumentException("unknown recipe key '" + key + "'");
            }
            return new Recipe(e, b, l, wd, w, ls, sh, fl, sd, fi);
        }

        /** Optimiser steps: {@code epochs · ⌊n / batch⌋}. */
        public long steps(int n) {
            return (long) epochs * (n / batch);
        }

        /** The learning rate at step {@code s} (0-based) of {@code total}. */
        public double lrAt(long s, long total) {
            if (s < warmupSteps) {
                return lr * (s + 1) / warmupSteps;
            }
            double t = (double) (s - warmupSteps) / Math.max(1, total - warmupSteps);
            return lr * 0.5 * (1 + Math.cos(Math.PI * t));
        }

        /** One line for the weight files' metadata and the docs. */
        public String summary() {
            return String.format(Locale.ROOT,
                    "AdamW(beta1 0.9, beta2 0.999, eps 1e-8, weight decay %s), %d epochs, batch %d, peak lr %s, "
                            + "linear warm-up %d steps then cosine to 0, cross-entropy with label smoothing %s, "
                            + "augmentation: random integer shifts of up to +-%d px per axis%s, seed %d",
                    weightDecay, epochs, batch, lr, warmupSteps, labelSmoothing, shift,
                    (fill == -1f ? "" : String.format(Locale.ROOT, " (vacated pixels %s)", fill))
                            + (flip ? " and horizontal flips (p 0.5)" : ""), seed);
        }
    }

    /** What a training run produced. */
    public record Result(double testAccuracy, double seconds, long steps) {}

    /**
     * Trains {@code net} on {@code train} with {@code recipe}; reports progress to {@code log} once
     * per epoch (with the accuracy on {@code test} when it is not null).
     */
    public static Result train(SmallClassifier net, ImageDataset train, ImageDataset test, Recipe recipe,
            Consumer<String> log) {
        long t0 = System.nanoTime();
        Map<String, Tensor> params = net.store().trainable();
        AdamW adam = new AdamW(params, 0.9, 0.999, 1e-8, recipe.weightDecay());
        int n = train.size();
        long total = recipe.steps(n);
        long perEpoch = n / recipe.batch();
        long shiftSeed = CounterRng.streamKey(recipe.seed(), SHIFT_STREAMS);
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        try (BatchLoader loader = new BatchLoader(train, recipe.batch(), CounterRng.streamKey(recipe.seed(), DATA_STREAM),
                BatchLoader.Position.START, new Augment(recipe.flip()), 2)) {
            for (long step = 0; step < total; step++) {
                try (PointerScope scope = new PointerScope()) {
                    Batch b = loader.next();
                    float[] px = shifted(b, n, recipe.shift(), shiftSeed, train.channels(), train.height(), train.width(),
                            recipe.fill());
                    Tensor x = Tensors.fromFloats(px, b.size(), train.channels(), train.height(), train.width());
                    Tensor y = Tensors.fromLongs(b.labels());
                    BatchedFeatureNetwork.Heads h = net.forward(x, true);
                    Tensor loss = torch.cross_entropy_loss(h.logits(), y, new TensorOptional(), 1, -100,
                            recipe.labelSmoothing());
                    loss.backward();
                    adam.step(params, recipe.lrAt(step, total));
                    for (Tensor p : params.values()) {
                        Tensor g = p.grad();
                        if (g.defined()) {
                            g.zero_();
                        }
                    }
                    lossSum += loss.item_double();
                    long[] pred = Tensors.toLongs(h.logits().argmax(new org.bytedeco.pytorch.LongOptional(1), false));
                    for (int i = 0; i < pred.length; i++) {
                        if (pred[i] == b.labels()[i]) {
                            correct++;
                        }
                    }
                    seen += pred.length;
                }
                if ((step + 1) % perEpoch == 0) {
                    long epoch = (step + 1) / perEpoch;
                    String acc = test == null ? "" : String.format(Locale.ROOT, ", test accuracy %.4f", accuracy(net, test));
                    log.accept(String.format(Locale.ROOT, "epoch %d/%d: train loss %.4f, train accuracy %.4f%s, %.0f s",
                            epoch, recipe.epochs(), lossSum / perEpoch, (double) correct / seen, acc,
                            (System.nanoTime() - t0) / 1e9));
                    lossSum = 0;
                    correct = 0;
                    seen = 0;
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double acc = test == null ? Double.NaN : accuracy(net, test);
        return new Result(acc, seconds, total);
    }

    /** The batch's pixels with each image shifted by (dy, dx) ∈ [−shift, shift]², a function of (seed, epoch, index). */
    static float[] shifted(Batch b, int n, int shift, long key, int c, int h, int w) {
        return shifted(b, n, shift, key, c, h, w, -1f);
    }

    /** As {@link #shifted(Batch, int, int, long, int, int, int)}, vacated pixels set to {@code fill}. */
    static float[] shifted(Batch b, int n, int shift, long key, int c, int h, int w, float fill) {
        float[] src = b.pixels();
        if (shift == 0) {
            return src;
        }
        float[] out = new float[src.length];
        int per = c * h * w;
        int span = 2 * shift + 1;
        for (int i = 0; i < b.size(); i++) {
            long epoch = b.start().epoch() + ((long) b.start().offset() + i >= n ? 1 : 0);
            long index = b.indices()[i];
            long k = CounterRng.streamKey(key, epoch);
            int dy = (int) (CounterRng.uniform(k, 2 * index) * span) - shift;
            int dx = (int) (CounterRng.uniform(k, 2 * index + 1) * span) - shift;
            shift(src, out, i * per, c, h, w, dy, dx, fill);
        }
        return out;
    }

    /** Writes image {@code src[off..]} moved down by {@code dy} and right by {@code dx} into {@code dst[off..]}, filling with −1. */
    static void shift(float[] src, float[] dst, int off, int c, int h, int w, int dy, int dx) {
        shift(src, dst, off, c, h, w, dy, dx, -1f);
    }

    /** As {@link #shift(float[], float[], int, int, int, int, int, int)}, filling with {@code fill}. */
    static void shift(float[] src, float[] dst, int off, int c, int h, int w, int dy, int dx, float fill) {
        for (int ch = 0; ch < c; ch++) {
            int base = off + ch * h * w;
            for (int y = 0; y < h; y++) {
                int sy = y - dy;
                for (int x = 0; x < w; x++) {
                    int sx = x - dx;
                    dst[base + y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[base + sy * w + sx] : fill;
                }
            }
        }
    }

    /** The fraction of {@code data}'s images whose arg-max logit is their label. */
    public static double accuracy(FeatureNetwork net, ImageDataset data) {
        int chunk = 2000;
        long correct = 0;
        for (int start = 0; start < data.size(); start += chunk) {
            int[] idx = new int[Math.min(chunk, data.size() - start)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = start + i;
            }
            int[] pred;
            try (PointerScope scope = new PointerScope()) {
                pred = net.run(data.batch(idx)).predictions();
            }
            for (int i = 0; i < idx.length; i++) {
                if (pred[i] == data.label(idx[i])) {
                    correct++;
                }
            }
        }
        return (double) correct / data.size();
    }

    /** The metadata written into a trained network's file. */
    static Map<String, String> metadata(String name, String dataset, SmallClassifier.Architecture arch, Recipe recipe,
            Result result) {
        return metadata(name, dataset, 60000, arch, false, recipe, result);
    }

    /** The metadata of a network trained on {@code trainImages} images of {@code dataset}'s training split. */
    static Map<String, String> metadata(String name, String dataset, int trainImages, SmallClassifier.Architecture arch,
            boolean resizeInput, Recipe recipe, Result result) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("version", "1");
        m.put("architecture", arch.describe());
        m.put("stages", arch.stages());
        m.put("input", arch.inputChannels() + "x" + arch.resolution() + "x" + arch.resolution()
                + ", values in [-1, 1] (byte v -> v/127.5 - 1)");
        m.put("num_classes", Integer.toString(arch.numClasses()));
        m.put("spatial", arch.spatialStage() + ":" + arch.spatialChannels());
        if (resizeInput) {
            m.put("input_resize", SmallClassifier.RESIZE_RULE);
        }
        m.put("dataset", dataset + " (train split, " + trainImages + " images)");
        m.put("test_accuracy", String.format(Locale.ROOT, "%.4f", result.testAccuracy()));
        m.put("recipe", recipe.summary());
        m.put("seed", Long.toString(recipe.seed()));
        m.put("steps", Long.toString(result.steps()));
        m.put("threads", Integer.toString(Engine.threads()));
        return m;
    }

    /** Trains a {@code <dataset>-v1} network and writes it (see the class comment). */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: ClassifierTraining <mnist|fashion-mnist|emoji> <output.safetensors> [key=value ...]");
            System.exit(2);
        }
        String dataset = args[0];
        Path out = Path.of(args[1]);
        Recipe recipe = Recipe.v1(dataset);
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("expected key=value, got " + args[i]);
            }
            recipe = recipe.with(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Engine.init();
        Path cache = DataCache.defaultDir();
        boolean emoji = dataset.equals("emoji");
        SmallClassifier.Architecture arch = emoji ? SmallClassifier.EMOJI_V1 : SmallClassifier.V1;
        int res = arch.resolution();
        boolean gray = arch.inputChannels() == 1;
        ImageDataset train = Datasets.resolve(dataset + ":train", res, gray, cache);
        ImageDataset test = Datasets.resolve(dataset + ":test", res, gray, cache);
        String name = dataset + "-v1";
        System.out.println(name + ": " + arch.describe());
        System.out.println("data: " + train.size() + " training and " + test.size() + " test images at " + res + "x" + res);
        System.out.println("recipe: " + recipe.summary() + "; " + Engine.threads() + " threads");
        try (SmallClassifier net = new SmallClassifier(name, arch, recipe.seed(), emoji)) {
            System.out.println("parameters: " + net.store().parameterCount());
            Result r = train(net, train, test, recipe, System.out::println);
            System.out.printf(Locale.ROOT, "%s: test accuracy %.4f after %d steps in %.0f s%n", name, r.testAccuracy(),
                    r.steps(), r.seconds());
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            TensorFiles.write(out, net.store().all(),
                    metadata(name, dataset, train.size(), net.architecture(), emoji, recipe, r));
            System.out.println("wrote " + out + " (sha256 " + FeatureNetworks.sha256(out) + ")");
        }
    }
}
