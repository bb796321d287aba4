package io.github.diffusion4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;

/** The process's resident memory (Linux {@code /proc/self/status}), for memory-flatness checks and the benchmark. */
public final class ResidentMemory {
    private ResidentMemory() {}

    /** Current resident set size in MiB, if the platform reports it. */
    public static OptionalDouble megabytes() {
        return field("VmRSS:");
    }

    /** Peak resident set size in MiB, if the platform reports it. */
    public static OptionalDouble peakMegabytes() {
        return field("VmHWM:");
    }

    private static OptionalDouble field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    String kb = line.substring(name.length()).trim().split("\\s+")[0];
                    return OptionalDouble.of(Long.parseLong(kb) / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.empty();
    }
}
