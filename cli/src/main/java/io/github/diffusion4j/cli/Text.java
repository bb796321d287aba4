package io.github.diffusion4j.cli;

/** Makes untrusted text (tensor names, metadata, messages) safe to print on a terminal. */
final class Text {
    private Text() {}

    /**
     * {@code s} with control characters (C0, DEL, C1 — including ESC, so no ANSI escape sequence
     * survives) written as {@code \n}, {@code \t}, {@code \r} or {@code \\uXXXX}; other text is unchanged.
     */
    static String escape(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029';
            if (!control) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out == null ? s : out.toString();
    }
}
