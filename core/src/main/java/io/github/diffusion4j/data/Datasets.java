package io.github.diffusion4j.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Resolves a dataset reference ({@code mnist:train}, {@code emoji}, a folder, an IDX file) to an {@link ImageDataset}. */
public final class Datasets {

    /** MNIST's classes, the digits "0".."9". */
    public static final List<String> MNIST_CLASSES =
            IntStream.range(0, 10).mapToObj(Integer::toString).collect(Collectors.toUnmodifiableList());
    /** Fashion-MNIST's classes (Xiao et al. 2017). */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** The four IDX files of MNIST-style datasets (each may also carry a {@code .gz} suffix). */
    static final List<String> IDX_FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    private Datasets() {}

    /** Resolves {@code ref} at {@code resolution × resolution}; image folders are read with 3 channels. */
    public static ImageDataset resolve(String ref, int resolution, Path cacheDir) {
        return resolve(ref, resolution, false, cacheDir);
    }

    /**
     * Resolves {@code ref} at {@code resolution × resolution}.
     *
     * <p>{@code ref} is {@code mnist:train}, {@code mnist:test}, {@code fashion-mnist:train},
     * {@code fashion-mnist:test}, {@code emoji[:qualifiers]} (see {@link Emoji}: {@code emoji:test},
     * {@code emoji:google}, {@code emoji:vendor}, …) (from {@code cacheDir}; {@code mnist},
     * {@code fashion-mnist} and {@code emoji} alone mean the training split; these names win over a
     * same-named relative path, so write {@code ./mnist} for a folder called mnist), a folder of
     * images (see {@link ImageFolder}), or an IDX images file with its labels file beside it.
     *
     * <p>The cached datasets have a native resolution ({@link #nativeResolution}: 28 for the IDX
     * datasets, 64 for emoji). A power-of-two fraction of it (28 → 14 → 7, 64 → 32 → 16 → 8) is a
     * level of the {@linkplain Pyramid resolution pyramid}: each level the 2×2 area mean of the level
     * above, computed once per process and shared. Other resolutions: a larger one pads the 28×28
     * IDX images, centred, with background byte 0 (−1, MNIST's own background), so 28→32 adds 2
     * pixels on each side and leaves the digits unscaled; a smaller one shrinks by area averaging;
     * emoji and image folders are resized per image (area when shrinking, bilinear when enlarging).
     * Every result is kept for the rest of the process, keyed by the dataset (and, for files on
     * disk, their sizes and modification times), channels and resolution; the same call returns the
     * same instance.
     *
     * @param grayscale read image folders (and {@code emoji}) with one channel; IDX data is always one channel
     */
    public static ImageDataset resolve(String ref, int resolution, boolean grayscale, Path cacheDir) {
        if (resolution <= 0) {
            throw new IllegalArgumentException("resolution must be positive, got " + resolution);
        }
        Source src = source(ref, grayscale, cacheDir);
        int top = src.nativeResolution();
        if (top > 0 && Pyramid.isLevel(top, resolution)) {
            return Pyramid.level(src, top, resolution);
        }
        return Pyramid.cached(src, resolution, () -> src.load(resolution));
    }

    /**
     * The resolution pyramid of {@code ref} from {@code top} down: {@code pyramid(ref, 64, …).level(16)}
     * is the area mean of 4×4 blocks of the images read at 64×64 (by two 2×2 halvings), with the same
     * image at every index. For the cached datasets at their native resolution this is what
     * {@link #resolve} serves; for folders it fixes the resolution the images are read at.
     */
    public static Pyramid pyramid(String ref, int top, boolean grayscale, Path cacheDir) {
        if (top <= 0) {
            throw new IllegalArgumentException("resolution must be positive, got " + top);
        }
        return new Pyramid(source(ref, grayscale, cacheDir), top);
    }

    /**
     * The reference a model trained on {@code dataset} is measured against: {@code mnist:train} →
     * {@code mnist:test}; {@code emoji[:qualifiers]} → the same vendors and labels with the test
     * split ({@code emoji:google} → {@code emoji:google:test:category}); other references as given.
     */
    public static String testSplitOf(String dataset) {
        int colon = dataset.indexOf(':');
        String name = colon < 0 ? dataset : dataset.substring(0, colon);
        if (name.equals("emoji")) {
            Emoji.Selection sel = Emoji.Selection.parse(colon < 0 ? null : dataset.substring(colon + 1));
            return new Emoji.Selection(sel.vendors(), Emoji.Split.TEST, sel.labels()).ref();
        }
        return name.equals("mnist") || name.equals("fashion-mnist") ? name + ":test" : dataset;
    }

    /** The native resolution of a cached dataset ({@code mnist}, {@code fashion-mnist}: 28; {@code emoji}: 64), else 0. */
    public static int nativeResolution(String ref) {
        int colon = ref.indexOf(':');
        String name = colon < 0 ? ref : ref.substring(0, colon);
        return switch (name) {
            case "mnist", "fashion-mnist" -> 28;
            case "emoji" -> Emoji.NATIVE_RESOLUTION;
            default -> 0;
        };
    }

    /**
     * A dataset before its resolution is chosen.
     *
     * @param id what identifies it across calls: the canonical reference, channels and a fingerprint of its files
     * @param nativeResolution the side it is stored at, 0 when it has none (folders, IDX files)
     */
    record Source(String id, int nativeResolution, java.util.function.IntFunction<ImageDataset> loader) {
        ImageDataset load(int resolution) {
            return loader.apply(resolution);
        }
    }

    private static Source source(String ref, boolean grayscale, Path cacheDir) {
        int colon = ref.indexOf(':');
        String name = colon < 0 ? ref : ref.substring(0, colon);
        String split = colon < 0 ? null : ref.substring(colon + 1);
        switch (name) {
            case "mnist", "fashion-mnist": {
                List<String> classes = name.equals("mnist") ? MNIST_CLASSES : FASHION_MNIST_CLASSES;
                String prefix = idxPrefix(name, split);
                Path dir = cached(name, cacheDir);
                return new Source(name + ":" + prefix + "|" + fingerprint(dir.resolve(DataCache.MARKER)), 28,
                        r -> idxSplit(name, prefix, dir, classes, r));
            }
            case "emoji": {
                Emoji.Selection sel = Emoji.Selection.parse(split);
                Path dir = cached(name, cacheDir);
                return new Source(sel.ref() + "|" + (grayscale ? 1 : 3) + "|" + fingerprint(dir.resolve(DataCache.MARKER)),
                        Emoji.NATIVE_RESOLUTION, r -> Emoji.read(dir, sel, r, grayscale));
            }
            default: {
                Path p = Path.of(ref);
                if (!Files.exists(p)) {
                    throw new DataException(p + " does not exist (and is not one of mnist:train, mnist:test, "
                            + "fashion-mnist:train, fashion-mnist:test, emoji)");
                }
                return new Source(p.toAbsolutePath().normalize() + "|" + (grayscale ? 1 : 3) + "|" + fingerprint(p), 0,
                        r -> path(p, r, grayscale));
            }
        }
    }

    /** Sizes and modification times of the files at or under {@code p}: changes when they change. */
    private static String fingerprint(Path p) {
        try (java.util.stream.Stream<Path> s = Files.walk(p)) {
            long[] acc = new long[3];
            s.forEach(f -> {
                try {
                    if (Files.isRegularFile(f)) {
                        acc[0]++;
                        acc[1] += Files.size(f);
                        acc[2] = Math.max(acc[2], Files.getLastModifiedTime(f).toMillis());
                    }
                } catch (java.io.IOException e) {
                    acc[2] = -1;
                }
            });
            return acc[0] + "/" + acc[1] + "/" + acc[2];
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new DataException("cannot list " + p + ": " + e.getMessage(), e);
        }
    }

    private static String idxPrefix(String name, String split) {
        if (split == null || split.equals("train")) {
            return "train";
        } else if (split.equals("test")) {
            return "t10k";
        }
        throw new DataException("unknown split '" + split + "' of " + name + "; use " + name + ":train or " + name
                + ":test");
    }

    private static ImageDataset idxSplit(String name, String prefix, Path dir, List<String> classes, int resolution) {
        Path images = idxFile(dir, prefix + "-images-idx3-ubyte");
        Path labels = idxFile(dir, prefix + "-labels-idx1-ubyte");
        if (images == null || labels == null) {
            throw new DataException("dataset '" + name + "' in " + dir + " is missing " + prefix
                    + (images == null ? "-images-idx3-ubyte" : "-labels-idx1-ubyte") + "; run: d4j data fetch " + name);
        }
        return atResolution(IdxReader.read(images, labels, 0, classes), resolution);
    }

    private static Path cached(String name, Path cacheDir) {
        if (!DataCache.isComplete(cacheDir, name)) {
            throw new DataException("dataset '" + name + "' is not in " + cacheDir + "; run: d4j data fetch " + name);
        }
        return DataCache.datasetDir(cacheDir, name);
    }

    private static ImageDataset path(Path p, int resolution, boolean grayscale) {
        if (Files.isDirectory(p)) {
            return ImageFolder.read(p, resolution, grayscale);
        }
        Path labels = siblingLabels(p);
        return atResolution(IdxReader.read(p, labels), resolution);
    }

    /** The labels file beside an IDX images file: "images"→"labels" and "idx3"→"idx1" in its name, with or without ".gz". */
    static Path siblingLabels(Path images) {
        String name = images.getFileName().toString();
        String base = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
        String labels = base.replace("images", "labels").replace("idx3", "idx1");
        if (labels.equals(base)) {
            throw new DataException(images + " is neither a folder nor an IDX images file named like "
                    + "train-images-idx3-ubyte, so its labels file cannot be found");
        }
        Path dir = images.toAbsolutePath().getParent();
        Path found = idxFile(dir, labels);
        if (found == null) {
            throw new DataException("no labels file beside " + images + " (looked for " + labels + " and " + labels
                    + ".gz)");
        }
        return found;
    }

    /** {@code dir/base} or {@code dir/base.gz}, whichever exists, else null. */
    static Path idxFile(Path dir, String base) {
        for (String name : new String[] {base, base + ".gz"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** Pads (background byte 0) or area-shrinks square-or-not IDX images to {@code resolution × resolution}. */
    static ImageDataset atResolution(ImageDataset d, int resolution) {
        int h = d.height();
        int w = d.width();
        if (h == resolution && w == resolution) {
            return d;
        }
        int c = d.channels();
        int in = d.imageSize();
        int out = c * resolution * resolution;
        byte[] src = d.pixelBytes();
        long total = (long) d.size() * out;
        if (total > Integer.MAX_VALUE - 16) {
            throw new DataException(String.format("config key 'data.resolution': %d images at %dx%d are %,d bytes, more than one"
                    + " array holds; lower data.resolution or set data.limit", d.size(), resolution, resolution, total));
        }
        byte[] dst = new byte[(int) total];
        byte[] one = new byte[in];
        for (int i = 0; i < d.size(); i++) {
            System.arraycopy(src, i * in, one, 0, in);
            byte[] r;
            if (resolution >= h && resolution >= w) {
                r = Resample.pad(one, c, h, w, resolution, resolution, (byte) 0);
            } else if (resolution <= h && resolution <= w) {
                r = Resample.resize(one, c, h, w, resolution, resolution);
            } else {
                r = Resample.cropSquare(one, c, h, w, resolution);
            }
            System.arraycopy(r, 0, dst, i * out, out);
        }
        List<String> classes = new ArrayList<>(d.classNames());
        return new ImageDataset(dst, classes.isEmpty() ? null : d.labelArray(), c, resolution, resolution, classes);
    }
}
