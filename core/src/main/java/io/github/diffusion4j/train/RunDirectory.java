package io.github.diffusion4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/**
 * A training run's directory (EDM's layout): {@code NNNNN-name/} with config.yaml, log.txt,
 * stats.jsonl, loss.png, samples-KKKKKK.png, ema-KKKKKK.safetensors and state-KKKKKK.safetensors,
 * KKKKKK being thousands of images seen.
 */
public final class RunDirectory {
    private static final Pattern RUN = Pattern.compile("(\\d{5})-.*");
    private static final Pattern STATE = Pattern.compile("state-(\\d{6})\\.safetensors");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /** A new, numbered run directory under {@code root}. */
    public static RunDirectory create(Path root, String name) {
        try {
            Files.createDirectories(root);
            int next = 0;
            try (Stream<Path> runs = Files.list(root)) {
                next = runs.map(p -> RUN.matcher(p.getFileName().toString()))
                        .filter(Matcher::matches).mapToInt(m -> Integer.parseInt(m.group(1)) + 1).max().orElse(0);
            }
            Path dir = root.resolve(String.format("%05d-%s", next, name));
            Files.createDirectory(dir);
            return new RunDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot create a run directory: " + e.getMessage(), e);
        }
    }

    /** An existing run directory. */
    public static RunDirectory open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new io.github.diffusion4j.io.InputException(dir + ": not a run directory");
        }
        return new RunDirectory(dir);
    }

    public Path path() {
        return dir;
    }

    public Path config() {
        return dir.resolve("config.yaml");
    }

    public Path stats() {
        return dir.resolve("stats.jsonl");
    }

    public Path lossPlot() {
        return dir.resolve("loss.png");
    }

    public Path state(long kimg) {
        return dir.resolve(String.format("state-%06d.safetensors", kimg));
    }

    public Path ema(long kimg) {
        return dir.resolve(String.format("ema-%06d.safetensors", kimg));
    }

    public Path samples(long kimg) {
        return dir.resolve(String.format("samples-%06d.png", kimg));
    }

    /** The newest complete training state (files appear only after an atomic rename). */
    public Optional<Path> latestState() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> STATE.matcher(p.getFileName().toString()).matches())
                    .max(Comparator.comparing(p -> p.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code text} to {@code file} through a temporary file and an atomic rename. */
    public static void writeAtomically(Path file, String text) {
        try {
            io.github.diffusion4j.io.AtomicFiles.write(file, (channel, out) -> out.write(text.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Appends a time-stamped line to log.txt. */
    public void log(String line) {
        append(dir.resolve("log.txt"), Instant.now() + " " + line + "\n");
    }

    /** Appends one JSON object as a line of stats.jsonl. */
    public void appendStats(Map<String, Object> row) {
        append(stats(), JSON.writeValueAsString(row) + "\n");
    }

    /** Appends {@code text}, on a new line when a killed writer left the file's last line unterminated. */
    private static void append(Path file, String text) {
        try {
            if (Files.exists(file) && Files.size(file) > 0) {
                try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
                    java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
                    ch.read(last, ch.size() - 1);
                    if (last.get(0) != '\n') {
                        text = "\n" + text;
                    }
                }
            }
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }
}
