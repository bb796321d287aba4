package io.github.diffusion4j.eval.features;

import io.github.diffusion4j.io.SafetensorsFile;
import io.github.diffusion4j.io.TensorFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The feature networks that ship with the library, by name.
 *
 * <p><b>These files never change.</b> Each committed weight file is pinned by its SHA-256 below
 * and verified on every load; retraining, a new recipe or a new architecture makes a new file
 * with a new name ({@code mnist-v2}, …), so a metric computed with {@code mnist-v1} means the same
 * thing forever. See {@code docs/feature-networks.md}.
 */
public final class FeatureNetworks {

    /** Where the weight files live on the class path. */
    static final String RESOURCE_DIR = "/io/github/diffusion4j/features/";

    /** SHA-256 of each committed weight file, by network name. */
    static final Map<String, String> SHA256 = Map.of(
            "mnist-v1", "6b1211b6e55265616317e4b09f45b142cad5e731e6f7a969effef6d169c8e194",
            "fashion-mnist-v1", "3827291ddf2b1debaf5c911ade2c0abce4adbfb7126045069a2cb087634713c0",
            "emoji-v1", "af0e756a05bddbf151c7b029199081b85f7498bed723c670fb6609f4b2cdf95a");

    private FeatureNetworks() {}

    /** The names {@link #load} accepts. */
    public static Set<String> names() {
        return new java.util.TreeSet<>(SHA256.keySet());
    }

    /** The resource path of network {@code name}'s weight file. */
    static String resource(String name) {
        return RESOURCE_DIR + name + ".safetensors";
    }

    /**
     * Loads the committed network {@code name} (see {@link #names()}), after checking its file's
     * SHA-256.
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException when the file is missing or its SHA-256 differs from the pinned
     *     one (the message names the file)
     */
    public static FeatureNetwork load(String name) {
        return withVerifiedFile(name, SHA256.get(name), tmp -> loadClassifier(name, tmp));
    }

    /**
     * The metadata of committed network {@code name}'s weight file (architecture, dataset, test
     * accuracy, recipe, seed, …), after the same checks as {@link #load}.
     */
    public static Map<String, String> metadata(String name) {
        return withVerifiedFile(name, SHA256.get(name), tmp -> {
            try (SafetensorsFile f = SafetensorsFile.open(tmp)) {
                return Map.copyOf(f.metadata());
            }
        });
    }

    interface FileReader<T> {
        T read(Path file) throws IOException;
    }

    /**
     * Reads resource {@link #resource(String) resource(name)}, checks that its SHA-256 is
     * {@code expected}, copies it to a temporary file (safetensors files are memory-mapped), and
     * hands that to {@code reader}.
     */
    static <T> T withVerifiedFile(String name, String expected, FileReader<T> reader) {
        if (expected == null) {
            throw new io.github.diffusion4j.io.InputException("unknown feature network '" + name + "'; known: " + names()
                    + " (InceptionV3 is loaded from a user-supplied file with InceptionV3.load)");
        }
        String res = resource(name);
        byte[] bytes;
        try (InputStream in = FeatureNetworks.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalStateException("weight file " + res + " of feature network " + name
                        + " is not on the class path");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read weight file " + res, e);
        }
        String actual = sha256(bytes);
        if (!actual.equals(expected)) {
            throw new IllegalStateException("weight file " + res + " of feature network " + name + " has SHA-256 "
                    + actual + ", expected " + expected + " (committed feature-network files never change)");
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile("d4j-" + name + "-", ".safetensors");
            Files.write(tmp, bytes);
            return reader.read(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load weight file " + res, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    /**
     * Loads a {@link SmallClassifier} weight file written by {@link ClassifierTraining} (no
     * checksum: for freshly trained files; committed networks go through {@link #load}).
     */
    public static SmallClassifier loadClassifier(String name, Path file) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, String> meta = f.metadata();
            SmallClassifier.Architecture arch = architectureOf(meta, file);
            SmallClassifier net = new SmallClassifier(name, arch, 0, meta.containsKey("input_resize"));
            try (PointerScope scope = new PointerScope()) {
                Map<String, Tensor> values = new LinkedHashMap<>(TensorFiles.readAll(f));
                net.load(values);
            } catch (RuntimeException e) {
                net.close();
                throw new io.github.diffusion4j.io.InputException(file + ": " + e.getMessage(), e);
            }
            return net;
        }
    }

    private static SmallClassifier.Architecture architectureOf(Map<String, String> meta, Path file) {
        String stages = meta.get("stages");
        String input = meta.get("input");
        String classes = meta.get("num_classes");
        String spatial = meta.get("spatial");
        if (stages == null || input == null || classes == null || spatial == null) {
            throw new io.github.diffusion4j.io.InputException(file + " is not a SmallClassifier weight file (metadata needs stages, "
                    + "input, num_classes and spatial)");
        }
        try {
            String[] chw = input.split(",")[0].trim().split("x");
            String[] sp = spatial.split(":");
            return SmallClassifier.Architecture.parse(stages, Integer.parseInt(chw[0]), Integer.parseInt(chw[1]),
                    Integer.parseInt(classes), Integer.parseInt(sp[0]), Integer.parseInt(sp[1]));
        } catch (RuntimeException e) {
            throw new io.github.diffusion4j.io.InputException(file + ": bad SmallClassifier metadata " + meta + ": " + e.getMessage(), e);
        }
    }

    /** The lower-case hex SHA-256 of {@code file}. */
    public static String sha256(Path file) throws IOException {
        return sha256(Files.readAllBytes(file));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
