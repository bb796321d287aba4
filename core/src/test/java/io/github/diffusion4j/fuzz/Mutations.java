package io.github.diffusion4j.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded mutations of a valid input, in the style of AFL's deterministic-free "havoc" stage
 * (Zalewski, american fuzzy lop): bit flips, interesting bytes and integers, truncation, inserted,
 * deleted and duplicated slices, stacked 1–4 deep. The same seed always gives the same bytes.
 */
final class Mutations {
    private static final byte[] INTERESTING = {0, 1, 0x7F, (byte) 0x80, (byte) 0xFF, '-', '9', '"', '\'', ',', ':', '[', '{',
        '\n', '\t', '*', '&', '.'};
    private static final int[] INTERESTING_INTS = {0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7FFF, 0xFFFF, 65536, 1 << 30};

    private Mutations() {}

    static byte[] mutate(byte[] base, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] b = base.clone();
        int rounds = 1 + r.nextInt(4);
        for (int k = 0; k < rounds; k++) {
            if (b.length == 0) {
                b = new byte[] {(byte) r.nextInt(256)};
            }
            int at = r.nextInt(b.length);
            switch (r.nextInt(8)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = INTERESTING[r.nextInt(INTERESTING.length)];
                case 2 -> b[at] = (byte) r.nextInt(256);
                case 3 -> b = Arrays.copyOf(b, at); // truncate
                case 4 -> { // overwrite 4 bytes with an interesting int, either byte order
                    int v = INTERESTING_INTS[r.nextInt(INTERESTING_INTS.length)];
                    boolean little = r.nextBoolean();
                    for (int i = 0; i < 4 && at + i < b.length; i++) {
                        b[at + i] = (byte) (little ? v >>> (8 * i) : v >>> (24 - 8 * i));
                    }
                }
                case 5 -> { // delete a slice
                    int len = 1 + r.nextInt(Math.min(16, b.length - at));
                    byte[] c = new byte[b.length - len];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + len, c, at, b.length - at - len);
                    b = c;
                }
                case 6 -> { // duplicate a slice in place
                    int len = 1 + r.nextInt(Math.min(32, b.length - at));
                    byte[] c = new byte[b.length + len];
                    System.arraycopy(b, 0, c, 0, at + len);
                    System.arraycopy(b, at, c, at + len, b.length - at);
                    b = c;
                }
                default -> { // insert random bytes
                    int len = 1 + r.nextInt(8);
                    byte[] c = new byte[b.length + len];
                    System.arraycopy(b, 0, c, 0, at);
                    for (int i = 0; i < len; i++) {
                        c[at + i] = (byte) r.nextInt(256);
                    }
                    System.arraycopy(b, at, c, at + len, b.length - at);
                    b = c;
                }
            }
        }
        return b;
    }

    /** YAML-aware mutation: a value replaced by a hostile token, or a byte-level mutation. */
    static byte[] mutateYaml(String base, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        if (r.nextBoolean()) {
            return mutate(base.getBytes(StandardCharsets.UTF_8), seed);
        }
        String[] tokens = {".nan", ".inf", "-.inf", "-1", "0", "1e400", "1.5", "99999999999", "2147483647", "*a", "&a 3",
            "[", "{", "~", "null", "'x'", "[-7]", "[1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,"
            + " 2, 2, 2, 2, 2, 2, 2, 2]", "\t3", "!!binary AAAA", "!!java.io.File /", "{a: 1}", "true", "\"\\u0000\""};
        String[] lines = base.split("\n", -1);
        for (int k = 1 + r.nextInt(2); k > 0; k--) {
            int i = r.nextInt(lines.length);
            int colon = lines[i].indexOf(':');
            if (colon >= 0) {
                lines[i] = lines[i].substring(0, colon + 1) + " " + tokens[r.nextInt(tokens.length)];
            } else {
                lines[i] = tokens[r.nextInt(tokens.length)];
            }
            if (r.nextInt(6) == 0) { // a duplicated line: a duplicate key
                lines[r.nextInt(lines.length)] = lines[i];
            }
        }
        return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    }
}
