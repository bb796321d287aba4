package io.github.diffusion4j.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The arithmetic precision of training and sampling: {@code fp32}, or bf16 autocast of the backbone
 * (bfloat16, Kalamkar et al. 2019, "A Study of BFLOAT16 for Deep Learning Training"), chosen by the
 * setting {@code auto | fp32 | bf16}. {@code auto} picks bf16 only where the CPU computes bf16
 * natively — the x86 flags {@code avx512_bf16} (AVX512-BF16) or {@code amx_bf16} (AMX) in
 * {@code /proc/cpuinfo} — since elsewhere libtorch emulates it and a bf16 step is slower than fp32
 * (2.4× on the project's AVX2-only machine; 2.07× faster with AMX, issue 8).
 *
 * @param bf16 whether the backbone runs under bf16 autocast
 * @param setting the setting it was resolved from
 * @param reason one line for the log: what was chosen and why
 */
public record Precision(boolean bf16, String setting, String reason) {

    /** The accepted settings. */
    public static final List<String> SETTINGS = List.of("auto", "fp32", "bf16");
    /** The {@code /proc/cpuinfo} flags that mean native bf16 arithmetic. */
    public static final List<String> NATIVE_BF16_FLAGS = List.of("avx512_bf16", "amx_bf16");
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    /**
     * Resolves the config: {@code bf16: true} (the older key) means {@code bf16}; otherwise
     * {@code precision}, with {@code auto} decided by this machine's {@code /proc/cpuinfo}.
     */
    public static Precision of(boolean legacyBf16, String precision) {
        return resolve(legacyBf16 ? "bf16" : precision, cpuinfo());
    }

    /** Resolves {@code setting} against the text of a {@code /proc/cpuinfo} ({@code null} when unreadable). */
    public static Precision resolve(String setting, String cpuinfo) {
        if (!SETTINGS.contains(setting)) {
            throw new IllegalArgumentException("precision must be one of " + SETTINGS + ", got '" + setting + "'");
        }
        Set<String> found = nativeFlags(cpuinfo);
        String cpu = cpuinfo == null ? "/proc/cpuinfo is unreadable"
                : found.isEmpty() ? "the CPU has no native bf16 (no " + String.join(" or ", NATIVE_BF16_FLAGS) + " flag)"
                : "the CPU has native bf16 (" + String.join(", ", found) + ")";
        return switch (setting) {
            case "fp32" -> new Precision(false, setting, "precision: fp32 (as set; " + cpu + ")");
            case "bf16" -> new Precision(true, setting, "precision: bf16 autocast (as set; " + cpu
                    + (found.isEmpty() ? ", so bf16 is emulated and slower than fp32)" : ")"));
            default -> found.isEmpty()
                    ? new Precision(false, setting, "precision: auto -> fp32 (" + cpu + ")")
                    : new Precision(true, setting, "precision: auto -> bf16 autocast (" + cpu + ")");
        };
    }

    /** The native-bf16 flags present on every processor listed in {@code cpuinfo} (empty when none or unreadable). */
    static Set<String> nativeFlags(String cpuinfo) {
        Set<String> common = null;
        if (cpuinfo == null) {
            return new TreeSet<>();
        }
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("flags")) {
                continue;
            }
            Set<String> flags = new TreeSet<>(List.of(line.substring(colon + 1).trim().split("\\s+")));
            flags.retainAll(NATIVE_BF16_FLAGS);
            if (common == null) {
                common = flags;
            } else {
                common.retainAll(flags);
            }
        }
        return common == null ? new TreeSet<>() : common;
    }

    /** This machine's {@code /proc/cpuinfo}, or {@code null} (another OS, or unreadable). */
    static String cpuinfo() {
        try {
            return Files.readString(CPUINFO, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
