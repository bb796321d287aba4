package io.github.diffusion4j.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * The emoji dataset: the 64×64 renderings of {@code emoji-datasource-{apple,google,twitter,facebook}@16.0.0}
 * (iamcal/emoji-data), composited onto white, labelled by emoji category or by vendor, with a fixed
 * train/test split chosen by emoji so that no emoji's renderings fall on both sides.
 *
 * <h2>Cache layout</h2>
 * {@code <cache>/emoji/<vendor>/<image>.png} for each vendor and {@code <cache>/emoji/emoji.tsv}, one
 * line per image name of {@code emoji.json}: {@code image TAB unified TAB category}, where
 * {@code unified} is the code of the emoji the image belongs to (a skin-tone variant belongs to its
 * base emoji) and {@code category} the category slug.
 *
 * <h2>References</h2>
 * {@code emoji[:qualifier]...}, qualifiers in any order, each kind at most once:
 * <ul>
 *   <li>split: {@code train} (the default, as for {@code mnist}), {@code test} or {@code all};
 *   <li>vendors: {@code apple}, {@code google}, {@code twitter}, {@code facebook}, several joined by
 *       {@code +} (default: all four);
 *   <li>labels: {@code category} (the default; the sorted category slugs of {@code emoji.json}) or
 *       {@code vendor} (apple, google, twitter, facebook, in that order).
 * </ul>
 * E.g. {@code emoji:test}, {@code emoji:google}, {@code emoji:apple+twitter:test},
 * {@code emoji:vendor:all}. The class list does not depend on the selection, so a label means the
 * same class in every subset.
 *
 * <h2>Split</h2>
 * An emoji (its base {@code unified} code, as written in {@code emoji.json}, e.g. {@code 1F44B}) is in
 * the test split when the first eight bytes of the SHA-256 of that code's UTF-8 text, read as an
 * unsigned big-endian integer, are divisible by {@link #TEST_MODULUS} (a third of the emoji).
 */
public final class Emoji {
    /** The four vendor packages, in label order. */
    public static final List<String> VENDORS = List.of("apple", "google", "twitter", "facebook");
    /** The emoji-datasource version fetched. */
    public static final String VERSION = "16.0.0";
    /** The index file inside the dataset folder. */
    public static final String INDEX = "emoji.tsv";
    /** One emoji in {@code TEST_MODULUS} (by hash) is in the test split. */
    static final int TEST_MODULUS = 3;
    /** The side of the stored images. */
    public static final int NATIVE_RESOLUTION = 64;

    private Emoji() {}

    /** {@code emoji-datasource-<vendor>@16.0.0}. */
    public static String packageOf(String vendor) {
        return "emoji-datasource-" + vendor + "@" + VERSION;
    }

    /** Which images and which labels a reference asks for. */
    public enum Split { TRAIN, TEST, ALL }

    /** What the class labels are. */
    public enum Labels { CATEGORY, VENDOR }

    /**
     * A parsed reference.
     *
     * @param vendors the selected vendors, in {@link #VENDORS} order
     */
    public record Selection(List<String> vendors, Split split, Labels labels) {

        public Selection {
            vendors = List.copyOf(vendors);
        }

        /** The default: every vendor, the training split, category labels. */
        public static final Selection DEFAULT = new Selection(VENDORS, Split.TRAIN, Labels.CATEGORY);

        /** Parses the qualifiers after {@code emoji} ({@code null} or empty: the default). */
        public static Selection parse(String qualifiers) {
            if (qualifiers == null || qualifiers.isEmpty()) {
                return DEFAULT;
            }
            List<String> vendors = null;
            Split split = null;
            Labels labels = null;
            for (String q : qualifiers.split(":", -1)) {
                switch (q) {
                    case "train", "test", "all" -> {
                        if (split != null) {
                            throw bad(qualifiers, "two splits");
                        }
                        split = Split.valueOf(q.toUpperCase(java.util.Locale.ROOT));
                    }
                    case "category", "vendor" -> {
                        if (labels != null) {
                            throw bad(qualifiers, "two label kinds");
                        }
                        labels = Labels.valueOf(q.toUpperCase(java.util.Locale.ROOT));
                    }
                    default -> {
                        if (vendors != null) {
                            throw bad(qualifiers, "two vendor lists (join vendors with +)");
                        }
                        Set<String> named = new LinkedHashSet<>();
                        for (String v : q.split("\\+", -1)) {
                            if (!VENDORS.contains(v)) {
                                throw bad(qualifiers, "unknown qualifier '" + v + "'");
                            }
                            named.add(v);
                        }
                        vendors = VENDORS.stream().filter(named::contains).toList();
                    }
                }
            }
            return new Selection(vendors == null ? VENDORS : vendors, split == null ? Split.TRAIN : split,
                    labels == null ? Labels.CATEGORY : labels);
        }

        private static DataException bad(String qualifiers, String why) {
            return new DataException("bad emoji reference 'emoji:" + qualifiers + "': " + why
                    + "; use emoji[:train|test|all][:apple|google|twitter|facebook, joined by +][:category|vendor],"
                    + " e.g. emoji:google:test");
        }

        /** The canonical reference, e.g. {@code emoji:apple+google:test:category}. */
        public String ref() {
            return "emoji:" + String.join("+", vendors) + ":" + split.name().toLowerCase(java.util.Locale.ROOT) + ":"
                    + labels.name().toLowerCase(java.util.Locale.ROOT);
        }

        boolean wants(String unified) {
            return switch (split) {
                case ALL -> true;
                case TEST -> inTest(unified);
                case TRAIN -> !inTest(unified);
            };
        }
    }

    /** Whether the emoji with base code {@code unified} is in the test split (see the class comment). */
    public static boolean inTest(String unified) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(unified.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return Long.remainderUnsigned(ByteBuffer.wrap(digest).getLong(), TEST_MODULUS) == 0;
    }

    /** One row of {@link #INDEX}. */
    record Entry(String image, String unified, String category) {}

    /** Reads {@link #INDEX} from the dataset folder {@code dir}, in file order (sorted by image name). */
    static List<Entry> readIndex(Path dir) {
        Path index = dir.resolve(INDEX);
        List<String> lines;
        try {
            lines = Files.readAllLines(index, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DataException(dir + " has no " + INDEX + " (it holds the one-vendor layout of an older "
                    + "diffusion4j); run: d4j data fetch emoji");
        } catch (IOException e) {
            throw new DataException("cannot read " + index + ": " + e.getMessage() + "; run: d4j data fetch emoji", e);
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isEmpty()) {
                continue;
            }
            String[] f = lines.get(i).split("\t", -1);
            if (f.length != 3 || f[0].isEmpty() || f[1].isEmpty() || f[2].isEmpty() || f[0].contains("/")) {
                throw new DataException(index + " line " + (i + 1) + " is not 'image<TAB>unified<TAB>category'; "
                        + "run: d4j data fetch emoji");
            }
            out.add(new Entry(f[0], f[1], f[2]));
        }
        return out;
    }

    /** Writes {@link #INDEX} into {@code dir}, sorted by image name. */
    static void writeIndex(Path dir, List<Entry> entries) throws IOException {
        StringBuilder sb = new StringBuilder();
        entries.stream().sorted(java.util.Comparator.comparing(Entry::image))
                .forEach(e -> sb.append(e.image()).append('\t').append(e.unified()).append('\t').append(e.category()).append('\n'));
        Files.writeString(dir.resolve(INDEX), sb.toString(), StandardCharsets.UTF_8);
    }

    /**
     * The images {@code sel} asks for from the dataset folder {@code dir}, at {@code resolution}:
     * vendors in {@link #VENDORS} order, each vendor's images in index (image-name) order; a vendor
     * lacking an image (Facebook draws fewer) skips it.
     */
    static ImageDataset read(Path dir, Selection sel, int resolution, boolean grayscale) {
        List<Entry> index = readIndex(dir);
        List<String> categories = new ArrayList<>(new TreeSet<>(index.stream().map(Entry::category).toList()));
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String vendor : sel.vendors()) {
            Path vdir = dir.resolve(vendor);
            for (Entry e : index) {
                Path f = vdir.resolve(e.image());
                if (sel.wants(e.unified()) && Files.isRegularFile(f)) {
                    files.add(f);
                    labels.add(sel.labels() == Labels.VENDOR ? VENDORS.indexOf(vendor) : categories.indexOf(e.category()));
                }
            }
        }
        if (files.isEmpty()) {
            throw new DataException(sel.ref() + " selects no images in " + dir + "; run: d4j data fetch emoji");
        }
        int channels = grayscale ? 1 : 3;
        int per = channels * resolution * resolution;
        if ((long) files.size() * per > Integer.MAX_VALUE - 16) {
            throw new DataException(sel.ref() + ": " + files.size() + " images are too many to hold at " + resolution
                    + "x" + resolution + " in one array; use a smaller data.resolution");
        }
        byte[] pixels = new byte[files.size() * per];
        String[] problems = new String[files.size()];
        IntStream.range(0, files.size()).parallel().forEach(i -> {
            try {
                System.arraycopy(ImageFolder.load(files.get(i), resolution, grayscale), 0, pixels, i * per, per);
            } catch (IOException | RuntimeException e) {
                problems[i] = files.get(i) + ": " + e.getMessage();
            }
        });
        for (String p : problems) {
            if (p != null) {
                throw new DataException("cannot read image " + p + "; run: d4j data fetch emoji");
            }
        }
        List<String> classes = sel.labels() == Labels.VENDOR ? VENDORS : categories;
        return new ImageDataset(pixels, labels.stream().mapToInt(Integer::intValue).toArray(), channels, resolution,
                resolution, classes);
    }
}
