package io.github.diffusion4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation test of the {@code --seeds} parser (issue 14): every mutated list either parses
 * into seeds that are all >= 0, at most {@link Seeds#MAX_SEEDS}, and match an independent reading
 * of the list, or is refused with a {@link UserException} on one line naming {@code --seeds}.
 */
class SeedsFuzzTest {
    static final int CASES = Integer.getInteger("d4j.fuzz.cases", 300);
    private static final String[] PIECES = {"0", "7", "-", ",", " ", "63", "9223372036854775807", "9223372036854775806",
        "9223372036854775808", "-1", "00", "1e3", "+5", "", "0x10", "5-", "-5", "1000000-20000000"};

    @Test
    void mutatedSeedListsAreParsedOrRefusedByName() {
        List<String> failures = new ArrayList<>();
        for (long seed = 1; seed <= CASES; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            StringBuilder text = new StringBuilder("0-63,100,7-9");
            for (int k = 1 + r.nextInt(4); k > 0; k--) {
                int at = r.nextInt(text.length() + 1);
                if (r.nextBoolean() && at < text.length()) {
                    text.deleteCharAt(at);
                }
                text.insert(Math.min(at, text.length()), PIECES[r.nextInt(PIECES.length)]);
            }
            String s = text.toString();
            try {
                long[] seeds = Seeds.parse(s);
                long[] expected = reference(s);
                if (expected == null || !java.util.Arrays.equals(seeds, expected)) {
                    failures.add("seed " + seed + ": '" + s + "' parsed to " + seeds.length + " seeds, expected "
                            + (expected == null ? "a refusal" : expected.length));
                }
            } catch (UserException e) {
                if (!e.getMessage().startsWith("--seeds") || e.getMessage().contains("\n") || reference(s) != null) {
                    failures.add("seed " + seed + ": '" + s + "' refused: " + e.getMessage());
                }
            } catch (RuntimeException e) {
                failures.add("seed " + seed + ": '" + s + "' threw " + e);
            }
        }
        assertThat(failures).as("seed lists neither parsed correctly nor refused (the seeds reproduce them)").isEmpty();
    }

    /** An independent reading: comma-separated decimal seeds or a-b ranges, all >= 0, at most MAX_SEEDS in all; else null. */
    static long[] reference(String s) {
        List<Long> out = new ArrayList<>();
        for (String part : s.split(",", -1)) {
            String p = part.trim();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\+?(\\d+)(?:-\\+?(\\d+))?").matcher(p);
            if (!m.matches()) {
                return null;
            }
            try {
                long a = Long.parseLong(m.group(1));
                long b = m.group(2) == null ? a : Long.parseLong(m.group(2));
                if (b < a || b - a >= Seeds.MAX_SEEDS - out.size()) {
                    return null;
                }
                for (long x = a; x <= b && x >= 0; x++) {
                    out.add(x);
                    if (x == Long.MAX_VALUE) {
                        break;
                    }
                }
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }
}
