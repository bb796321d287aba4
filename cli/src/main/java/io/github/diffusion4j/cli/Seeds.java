package io.github.diffusion4j.cli;

import java.util.Arrays;

/** Parses seed lists as EDM's {@code generate.py} does: {@code 0-63}, {@code 1,5,9}, or a mix. */
final class Seeds {
    /** Most seeds one list may name (each seed is an image written to disk). */
    static final int MAX_SEEDS = 10_000_000;

    private Seeds() {}

    static long[] parse(String text) {
        long[] out = new long[16];
        int n = 0;
        String[] parts = text.split(",", -1);
        for (String part : parts) {
            String p = part.trim();
            if (p.isEmpty()) {
                throw new UserException("--seeds: empty entry in '" + Text.escape(text) + "' (expected e.g. 0-63 or 1,5,9)");
            }
            long a;
            long b;
            try {
                int dash = p.indexOf('-', 1);
                a = Long.parseLong(p.substring(0, dash > 0 ? dash : p.length()));
                b = dash > 0 ? Long.parseLong(p.substring(dash + 1)) : a;
            } catch (NumberFormatException e) {
                throw new UserException("--seeds: '" + Text.escape(p) + "' is not a seed or a range a-b of seeds >= 0");
            }
            if (a < 0 || b < 0) {
                throw new UserException("--seeds: seeds must be >= 0, got '" + Text.escape(p) + "'");
            }
            if (b < a) {
                throw new UserException("--seeds: bad range '" + p + "' (the end is below the start)");
            }
            // b - a cannot overflow: both are >= 0
            if (b - a >= MAX_SEEDS - n) {
                throw new UserException("--seeds: '" + Text.escape(text.length() > 60 ? text.substring(0, 60) + "..." : text)
                        + "' names more than " + MAX_SEEDS + " seeds");
            }
            int count = (int) (b - a + 1);
            if (n + count > out.length) {
                out = Arrays.copyOf(out, Math.max(n + count, 2 * out.length));
            }
            for (int i = 0; i < count; i++) {
                out[n++] = a + i; // a + i <= b: no wrap-around even at Long.MAX_VALUE
            }
        }
        return Arrays.copyOf(out, n);
    }
}
