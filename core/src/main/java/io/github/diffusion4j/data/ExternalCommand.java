package io.github.diffusion4j.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Runs a tool such as {@code npm} or {@code apt-get}, its output kept in a log file, and turns failure into one line.
 *
 * @param command the program and its arguments
 * @param shown how the command is named in messages (without temporary paths)
 * @param missingHint what to do when the program cannot be started, e.g. "install Node.js (npm), then run: …"
 * @param failedHint what to do when it exits with an error, e.g. "check the network, then run: …"
 */
record ExternalCommand(List<String> command, String shown, String missingHint, String failedHint) {

    /** Runs the command in {@code dir}, its output going to {@code log}, and waits for it to finish. */
    void run(Path dir, Path log) {
        run(dir, log, null, 0);
    }

    /**
     * Runs the command like {@link #run(Path, Path)}, calling {@code tick} (when not null) every
     * {@code tickMillis} while it runs, e.g. to report download progress.
     */
    void run(Path dir, Path log, Runnable tick, long tickMillis) {
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                    .start();
        } catch (IOException e) {
            throw new DataException("cannot run '" + command.get(0) + "' (" + e.getMessage() + "); " + missingHint, e);
        }
        int exit;
        try {
            if (tick == null) {
                exit = p.waitFor();
            } else {
                while (!p.waitFor(tickMillis, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    tick.run();
                }
                exit = p.exitValue();
            }
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new DataException("interrupted while running '" + shown + "'", e);
        }
        if (exit != 0) {
            throw new DataException("'" + shown + "' failed with exit code " + exit + lastError(log) + "; " + failedHint);
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows")
                ? "NUL" : "/dev/null");
    }

    /**
     * The first informative error line of {@code log} (npm's "npm error …" without its prefix and
     * bookkeeping lines, apt's "E: …"), else its last line, as ": line"; "" when the log is empty.
     */
    static String lastError(Path log) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
        String last = null;
        String pick = null;
        for (String line : lines) {
            String t = line.strip();
            if (t.isEmpty()) {
                continue;
            }
            last = t;
            if (pick == null && (t.toLowerCase(Locale.ROOT).contains("error") || t.startsWith("E:"))) {
                String rest = t.startsWith("npm error") ? t.substring("npm error".length()).strip() : t;
                if (!rest.isEmpty() && !rest.matches("^(code|errno|syscall)\\b.*") && !rest.startsWith("A complete log")) {
                    pick = rest;
                }
            }
        }
        if (pick == null) {
            pick = last;
        }
        if (pick == null) {
            return "";
        }
        return ": " + (pick.length() > 200 ? pick.substring(0, 200) + "…" : pick);
    }
}
