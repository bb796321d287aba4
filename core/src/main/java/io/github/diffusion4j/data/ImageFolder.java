package io.github.diffusion4j.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** Reads a folder of PNG/JPEG images into an {@link ImageDataset}, with class labels from sub-folder names. */
public final class ImageFolder {
    /** Most pixels one image may declare (2^25, about 33.5 megapixels: a 6000×4000 photo fits). */
    static final long MAX_PIXELS = 1L << 25;

    private ImageFolder() {}

    /** Reads {@code root} as 3-channel images of {@code resolution × resolution}. */
    public static ImageDataset read(Path root, int resolution) {
        return read(root, resolution, false);
    }

    /**
     * Reads {@code root} as {@code resolution × resolution} images, 1 channel (ITU-R 601 luma) if
     * {@code grayscale}, else 3.
     *
     * <p>Images directly in {@code root} form an unlabelled dataset; otherwise every sub-folder
     * holding images (searched recursively) is a class, in sorted name order, and loose images in
     * the root are an error. Hidden files and folders (name starting with a dot) are skipped, and so
     * are files without a {@code .png}, {@code .jpg} or {@code .jpeg} extension. Each image has its
     * transparency composited onto white, is centre-cropped to a square and resized (area averaging
     * when shrinking, an exact box filter for integer factors; bilinear when enlarging). Every file
     * is decoded before this returns, so an unreadable image is named before any training starts.
     */
    public static ImageDataset read(Path root, int resolution, boolean grayscale) {
        if (resolution <= 0) {
            throw new IllegalArgumentException("resolution must be positive, got " + resolution);
        }
        Listing listing = scan(root);
        int n = listing.files.size();
        int channels = grayscale ? 1 : 3;
        int per = channels * resolution * resolution;
        if ((long) n * per > Integer.MAX_VALUE - 16) {
            throw new DataException(root + " holds " + n + " images: too many to hold at " + resolution + "x"
                    + resolution + " in one array");
        }
        byte[] pixels = new byte[n * per];
        String[] problems = new String[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            Path file = listing.files.get(i);
            try {
                byte[] one = load(file, resolution, grayscale);
                System.arraycopy(one, 0, pixels, i * per, per);
            } catch (IOException | RuntimeException e) {
                problems[i] = file + ": " + describe(e);
            }
        });
        List<String> failed = new ArrayList<>();
        for (String p : problems) {
            if (p != null) {
                failed.add(p);
            }
        }
        if (failed.size() == 1) {
            throw new DataException("cannot read image " + failed.get(0));
        }
        if (!failed.isEmpty()) {
            throw new DataException("cannot read " + failed.size() + " of " + n + " images under " + root
                    + "; the first is " + failed.get(0));
        }
        return new ImageDataset(pixels, listing.labels, channels, resolution, resolution, listing.classes);
    }

    /**
     * One image file, decoded, composited, cropped and resized. The size the header declares is
     * checked before any pixel is decoded, so a small file claiming a huge image is refused without
     * allocating for it.
     */
    static byte[] load(Path file, int resolution, boolean grayscale) throws IOException {
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException("cannot open the file");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException("not a PNG or JPEG image that can be decoded");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new IOException("image has no pixels");
                }
                if (w * h > MAX_PIXELS) {
                    throw new IOException("declares " + w + "x" + h + " pixels, more than the " + MAX_PIXELS
                            + " an image may have here; shrink it first");
                }
                img = reader.read(0);
            } catch (IllegalArgumentException | IllegalStateException | ArrayIndexOutOfBoundsException
                    | NegativeArraySizeException e) {
                throw new IOException("cannot be decoded (" + e.getClass().getSimpleName() + ")", e);
            } finally {
                reader.dispose();
            }
        }
        if (img == null) {
            throw new IOException("not a PNG or JPEG image that can be decoded");
        }
        if (img.getWidth() <= 0 || img.getHeight() <= 0) {
            throw new IOException("image has no pixels");
        }
        byte[] planes = Pixels.planes(img, grayscale);
        return Resample.cropSquare(planes, grayscale ? 1 : 3, img.getHeight(), img.getWidth(), resolution);
    }

    private static String describe(Exception e) {
        String msg = e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && (msg == null || !msg.contains(cause.getMessage()))) {
            msg = (msg == null ? "" : msg + ": ") + cause.getMessage();
        }
        return msg == null || msg.isBlank() ? e.getClass().getSimpleName() : msg.replace('\n', ' ');
    }

    /** The files to read, their labels and the class names, in a fixed (sorted) order. */
    record Listing(List<Path> files, int[] labels, List<String> classes) {}

    static Listing scan(Path root) {
        if (!Files.exists(root)) {
            throw new DataException(root + " does not exist");
        }
        if (!Files.isDirectory(root)) {
            throw new DataException(root + " is not a folder");
        }
        Map<Path, Path> seen = new HashMap<>(); // real path of each folder read -> the path it was reached by
        seen.put(realPath(root), root);
        List<Path> loose = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        for (Path p : children(root)) {
            if (Files.isDirectory(p)) {
                dirs.add(p);
            } else if (isImage(p)) {
                loose.add(p);
            }
        }
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path dir : dirs) {
            List<Path> found = new ArrayList<>();
            collect(dir, found, seen);
            if (!found.isEmpty()) {
                for (Path f : found) {
                    files.add(f);
                    labels.add(classes.size());
                }
                classes.add(dir.getFileName().toString());
            }
        }
        if (!classes.isEmpty() && !loose.isEmpty()) {
            throw new DataException(root + " has images both in class sub-folders (" + String.join(", ", classes)
                    + ") and directly inside it (" + loose.get(0).getFileName()
                    + "); move the loose images into a sub-folder");
        }
        if (classes.isEmpty()) {
            if (loose.isEmpty()) {
                throw new DataException(root + " contains no PNG or JPEG images");
            }
            return new Listing(loose, null, List.of());
        }
        return new Listing(files, labels.stream().mapToInt(Integer::intValue).toArray(), classes);
    }

    /**
     * Adds the images under {@code dir}, recursively. Each folder is read once, by its real path:
     * a link back into a folder already read (a loop such as {@code link -> ..}, or a second link
     * to the same folder) is an error naming it, since following it would read images twice or
     * forever.
     */
    private static void collect(Path dir, List<Path> into, Map<Path, Path> seen) {
        Path real = realPath(dir);
        Path first = seen.putIfAbsent(real, dir);
        if (first != null) {
            throw new DataException(dir + " is a link to " + real + ", which is already read as " + first
                    + " (a loop or a duplicate); remove the link");
        }
        for (Path p : children(dir)) {
            if (Files.isDirectory(p)) {
                collect(p, into, seen);
            } else if (isImage(p)) {
                into.add(p);
            }
        }
    }

    private static Path realPath(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            throw new DataException("cannot resolve " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Non-hidden entries of {@code dir}, sorted by name. */
    private static List<Path> children(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw new DataException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"));
    }
}
