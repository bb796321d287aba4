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
     * {@code fashion-mnist:test} or {@code emoji} (from {@code cacheDir}; {@code mnist} and
     * {@code fashion-mnist} alone mean the training split; these names win over a same-named relative
     * path, so write {@code ./mnist} for a folder called mnist), a folder of images (see
     * {@link ImageFolder}), or an IDX images file with its labels file beside it.
     *
     * <p>The 28×28 IDX datasets are brought to {@code resolution} thus: a larger resolution pads the
     * image, centred, with background byte 0 (−1, MNIST's own background), so 28→32 adds 2 pixels on
     * each side and leaves the digits unscaled; a smaller one shrinks by area averaging (28→14 and
     * 28→7 are exact box filters).
     *
     * @param grayscale read image folders (and {@code emoji}) with one channel; IDX data is always one channel
     */
    public static ImageDataset resolve(String ref, int resolution, boolean grayscale, Path cacheDir) {
        if (resolution <= 0) {
            throw new IllegalArgumentException("resolution must be positive, got " + resolution);
        }
        int colon = ref.indexOf(':');
        String name = colon < 0 ? ref : ref.substring(0, colon);
        String split = colon < 0 ? null : ref.substring(colon + 1);
        switch (name) {
            case "mnist":
                return idxSplit("mnist", split, MNIST_CLASSES, resolution, cacheDir);
            case "fashion-mnist":
                return idxSplit("fashion-mnist", split, FASHION_MNIST_CLASSES, resolution, cacheDir);
            case "emoji":
                if (split != null) {
                    throw new DataException("dataset 'emoji' has no splits; use: emoji");
                }
                return ImageFolder.read(cached("emoji", cacheDir), resolution, grayscale);
            default:
                return path(Path.of(ref), resolution, grayscale);
        }
    }

    private static ImageDataset idxSplit(String name, String split, List<String> classes, int resolution,
            Path cacheDir) {
        String prefix;
        if (split == null || split.equals("train")) {
            prefix = "train";
        } else if (split.equals("test")) {
            prefix = "t10k";
        } else {
            throw new DataException("unknown split '" + split + "' of " + name + "; use " + name + ":train or " + name
                    + ":test");
        }
        Path dir = cached(name, cacheDir);
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
        if (!Files.exists(p)) {
            throw new DataException(p + " does not exist (and is not one of mnist:train, mnist:test, "
                    + "fashion-mnist:train, fashion-mnist:test, emoji)");
        }
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
