package io.github.diffusion4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** The dataset cache directory ({@code $D4J_CACHE}, default {@code ~/.cache/diffusion4j}) and its completion markers. */
public final class DataCache {

    /** Environment variable naming the cache directory. */
    public static final String ENV = "D4J_CACHE";
    /** File written into a dataset's folder once a fetch has finished. */
    public static final String MARKER = ".complete";

    private DataCache() {}

    /** System property that overrides {@link #ENV} (for embedding applications and tests). */
    public static final String PROPERTY = "d4j.cache";

    /** {@code -Dd4j.cache}, else {@code $D4J_CACHE}, else {@code ~/.cache/diffusion4j}. */
    public static Path defaultDir() {
        String prop = System.getProperty(PROPERTY);
        return dirFrom(prop != null && !prop.isBlank() ? prop : System.getenv(ENV), System.getProperty("user.home"));
    }

    static Path dirFrom(String env, String home) {
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(home, ".cache", "diffusion4j");
    }

    /** The folder of dataset {@code name} inside {@code cacheDir}. */
    public static Path datasetDir(Path cacheDir, String name) {
        return cacheDir.resolve(name);
    }

    /** Whether dataset {@code name} was fetched completely. */
    public static boolean isComplete(Path cacheDir, String name) {
        return Files.isRegularFile(datasetDir(cacheDir, name).resolve(MARKER));
    }

    /** Writes the completion marker (the last step of a fetch). */
    static void markComplete(Path datasetDir, String note) throws IOException {
        Files.writeString(datasetDir.resolve(MARKER), note + "\n", StandardCharsets.UTF_8);
    }

    /** Deletes {@code p} and everything below it, if it exists. */
    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(p, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
