package io.github.diffusion4j.cli;

import java.util.ArrayList;
import java.util.List;

/** Parses seed lists as EDM's {@code generate.py} does: {@code 0-63}, {@code 1,5,9}, or a mix. */
final class Seeds {
    private Seeds() {}

    static long[] parse(String text) {
        List<Long> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-', 1);
                if (dash > 0) {
                    long a = Long.parseLong(p.substring(0, dash));
                    long b = Long.parseLong(p.substring(dash + 1));
                    if (b < a || b - a > 10_000_000) {
                        throw new UserException("--seeds: bad range '" + p + "'");
                    }
                    for (long s = a; s <= b; s++) {
                        out.add(s);
                    }
                } else {
                    out.add(Long.parseLong(p));
                }
            } catch (NumberFormatException e) {
                throw new UserException("--seeds: '" + p + "' is not a seed or a range a-b");
            }
        }
        for (long s : out) {
            if (s < 0) {
                throw new UserException("--seeds: seeds must be >= 0, got " + s);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }
}
