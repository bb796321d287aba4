package io.github.diffusion4j.io;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * NumPy's {@code .npy} format (NEP 1, "A simple file format for NumPy arrays", format versions 1.0,
 * 2.0 and 3.0): reads {@code <f8}, {@code <f4}, {@code <i8}, {@code <i4} and {@code |u1} arrays of any
 * shape into doubles; writes {@code <f8} and {@code <f4} in version 1.0 (2.0 if the header outgrows
 * 65535 bytes), byte for byte as {@code numpy.save} does (NumPy 1.24 to 2.x: header dict, 21 − len
 * spare spaces for the growth axis, then spaces and {@code \n} up to a multiple of 64 bytes).
 *
 * <p>Arrays stored with {@code fortran_order: True} are read and transposed into C order, so
 * {@link Array#data()} is always C order (the last index varies fastest).
 */
public final class Npy {
    /** The six magic bytes that start every {@code .npy} file. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ARRAY_ALIGN = 64;
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final List<String> READABLE = List.of("<f8", "<f4", "<i8", "<i4", "|u1");
    private static final List<String> WRITABLE = List.of("<f8", "<f4");

    private Npy() {}

    /**
     * An n-dimensional array: its NumPy dtype string, its shape (empty for a 0-d scalar) and its
     * elements in C order, as doubles whatever the dtype ({@code <i8} values beyond 2⁵³ are rounded).
     * The shape is copied; the data array is not.
     */
    public record Array(String descr, long[] shape, double[] data) {
        /** Checks that the dtype is one this class reads and that the data length matches the shape. */
        public Array {
            Objects.requireNonNull(descr, "descr");
            Objects.requireNonNull(data, "data");
            if (!READABLE.contains(descr)) {
                throw new IllegalArgumentException("unsupported dtype '" + descr + "' (supported: " + String.join(", ", READABLE) + ")");
            }
            shape = shape.clone();
            long size = elementCount(shape);
            if (size < 0) {
                throw new IllegalArgumentException("invalid shape " + shapeRepr(shape));
            }
            if (size != data.length) {
                throw new IllegalArgumentException("shape " + shapeRepr(shape) + " has " + size + " elements but data has " + data.length);
            }
        }

        /** A 1-D {@code <f8} array. */
        public static Array of(double... values) {
            return new Array("<f8", new long[] {values.length}, values);
        }

        /** A 2-D {@code <f8} array holding a copy of the rectangular matrix {@code rows}. */
        public static Array of(double[][] rows) {
            int n = rows.length;
            int m = n == 0 ? 0 : rows[0].length;
            double[] flat = new double[Math.multiplyExact(n, m)];
            for (int i = 0; i < n; i++) {
                if (rows[i].length != m) {
                    throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " entries, row 0 has " + m);
                }
                System.arraycopy(rows[i], 0, flat, i * m, m);
            }
            return new Array("<f8", new long[] {n, m}, flat);
        }

        /** The shape (a copy). */
        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** The number of dimensions. */
        public int ndim() {
            return shape.length;
        }

        /** The elements of a 2-D array as rows. */
        public double[][] toMatrix() {
            if (shape.length != 2) {
                throw new IllegalStateException("array of shape " + shapeRepr(shape) + " is not 2-D");
            }
            int n = Math.toIntExact(shape[0]);
            int m = Math.toIntExact(shape[1]);
            double[][] out = new double[n][m];
            for (int i = 0; i < n; i++) {
                System.arraycopy(data, i * m, out[i], 0, m);
            }
            return out;
        }

        /** The same values under another dtype (for writing: {@code <f8} or {@code <f4}). */
        public Array withDescr(String newDescr) {
            return new Array(newDescr, shape, data);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Array other && descr.equals(other.descr) && Arrays.equals(shape, other.shape)
                    && Arrays.equals(data, other.data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(descr, Arrays.hashCode(shape), Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return "Npy.Array[descr=" + descr + ", shape=" + shapeRepr(shape) + "]";
        }
    }

    /** A file that is not a readable {@code .npy} / {@code .npz}; the one-line message starts with the file's name. */
    public static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;

        /**
         * @param source the file's name (or {@code archive.npz: entry.npy})
         * @param problem what is wrong
         */
        public FormatException(String source, String problem) {
            super(source + ": " + problem.replace('\n', ' '));
        }
    }

    /** Largest header read (NumPy's own reader refuses more than 10000 bytes by default). */
    static final int MAX_HEADER_LENGTH = 1 << 20;

    /** Checks an array's dtype and shape from its header, before any data is read. */
    @FunctionalInterface
    public interface HeaderCheck {
        /** No check beyond the format's own. */
        HeaderCheck NONE = (descr, shape) -> {};

        /**
         * @param descr a dtype this class reads
         * @param shape the declared shape
         * @throws FormatException if the array is not wanted
         */
        void check(String descr, long[] shape) throws FormatException;
    }

    /** Reads a {@code .npy} file. */
    public static Array read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return read(in, file.getFileName().toString(), HeaderCheck.NONE);
        }
    }

    /** Parses the bytes of a {@code .npy} file; {@code source} names it in error messages. */
    public static Array read(byte[] bytes, String source) throws FormatException {
        try {
            return read(new ByteArrayInputStream(bytes), source, HeaderCheck.NONE);
        } catch (FormatException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("reading a byte array failed", e);
        }
    }

    /**
     * Reads one {@code .npy} array from {@code in}, up to its end: the header first, then
     * {@code check} on the declared dtype and shape, and only then the data, so that a header
     * declaring a huge array costs nothing. The data is read as it arrives (no allocation from the
     * declared size alone); bytes after the data are an error.
     */
    public static Array read(InputStream in, String source, HeaderCheck check) throws IOException {
        byte[] start = in.readNBytes(MAGIC.length + 2);
        if (start.length < MAGIC.length + 2 || !Arrays.equals(Arrays.copyOf(start, MAGIC.length), MAGIC)) {
            throw new FormatException(source, "not an .npy file (it does not start with \\x93NUMPY)");
        }
        int major = start[6] & 0xFF;
        int minor = start[7] & 0xFF;
        if (minor != 0 || major < 1 || major > 3) {
            throw new FormatException(source, "unsupported .npy format version " + major + "." + minor + " (supported: 1.0, 2.0, 3.0)");
        }
        int fieldLength = major == 1 ? 2 : 4;
        byte[] field = in.readNBytes(fieldLength);
        if (field.length < fieldLength) {
            throw new FormatException(source, "truncated: the file ends inside the header length field");
        }
        ByteBuffer lengthBuf = ByteBuffer.wrap(field).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? lengthBuf.getShort() & 0xFFFF : lengthBuf.getInt() & 0xFFFFFFFFL;
        if (headerLength > MAX_HEADER_LENGTH) {
            throw new FormatException(source, "header length " + headerLength + " exceeds the " + MAX_HEADER_LENGTH + "-byte limit");
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw new FormatException(source, "header length " + headerLength + " runs past the end of the file ("
                    + (MAGIC.length + 2 + fieldLength + headerBytes.length) + " bytes)");
        }
        Charset charset = major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        String header = new String(headerBytes, charset);
        Map<String, Object> dict = new HeaderParser(header, source).dict();
        if (!dict.keySet().equals(Set.of("descr", "fortran_order", "shape"))) {
            throw new FormatException(source, "header keys are " + dict.keySet() + ", expected descr, fortran_order and shape");
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new FormatException(source, "descr is not a simple dtype string: " + dict.get("descr"));
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new FormatException(source, "fortran_order is not True or False");
        }
        if (!(dict.get("shape") instanceof long[] shape)) {
            throw new FormatException(source, "shape is not a tuple of integers");
        }
        if (!READABLE.contains(descr)) {
            throw new FormatException(source, "unsupported dtype '" + descr + "' (supported: " + String.join(", ", READABLE) + ")");
        }
        long count = elementCount(shape);
        int itemSize = itemSize(descr);
        if (count < 0 || count > (Integer.MAX_VALUE - 8) / itemSize) {
            throw new FormatException(source, "shape " + shapeRepr(shape) + " is invalid or too large to hold in one Java array");
        }
        check.check(descr, shape.clone());
        int expected = (int) count * itemSize;
        byte[] bytes = in.readNBytes(expected);
        if (bytes.length < expected) {
            throw new FormatException(source, "truncated: shape " + shapeRepr(shape) + " of " + descr + " needs " + expected
                    + " data bytes, found " + bytes.length);
        }
        if (in.read() >= 0) {
            throw new FormatException(source, "trailing bytes: shape " + shapeRepr(shape) + " of " + descr + " needs " + expected
                    + " data bytes, found more");
        }
        double[] data = decode(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), descr, (int) count);
        if (fortran && shape.length > 1) {
            data = fortranToC(data, shape);
        }
        return new Array(descr, shape, data);
    }

    /** Writes {@code array} ({@code <f8} or {@code <f4}) to a temporary file beside {@code file}, then renames it. */
    public static void write(Path file, Array array) throws IOException {
        AtomicFiles.write(file, (channel, out) -> out.write(toBytes(array)));
    }

    /** The complete {@code .npy} bytes of {@code array}, as {@code numpy.save} writes them. */
    public static byte[] toBytes(Array array) {
        String descr = array.descr();
        if (!WRITABLE.contains(descr)) {
            throw new IllegalArgumentException("cannot write dtype '" + descr + "' (writable: " + String.join(", ", WRITABLE) + ")");
        }
        byte[] header = header(descr, array.shape);
        double[] data = array.data();
        ByteBuffer out = ByteBuffer.allocate(Math.addExact(header.length, Math.multiplyExact(data.length, itemSize(descr))))
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(header);
        if (descr.equals("<f8")) {
            out.asDoubleBuffer().put(data);
        } else {
            for (double v : data) {
                out.putFloat((float) v);
            }
        }
        return out.array();
    }

    /**
     * Magic, version, header length and header as {@code numpy.lib.format} writes them: the dict with
     * sorted keys, spare spaces for the first axis to grow to 21 digits, then spaces and a newline
     * so that the data starts at a multiple of 64 bytes.
     */
    static byte[] header(String descr, long[] shape) {
        StringBuilder dict = new StringBuilder()
                .append("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': ")
                .append(shapeRepr(shape)).append(", }");
        if (shape.length > 0) {
            dict.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length())));
        }
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        int hlen = text.length + 1;
        int major = 1;
        int prefix = MAGIC.length + 2 + 2;
        int pad = ARRAY_ALIGN - (prefix + hlen) % ARRAY_ALIGN;
        if (hlen + pad > 0xFFFF) {
            major = 2;
            prefix = MAGIC.length + 2 + 4;
            pad = ARRAY_ALIGN - (prefix + hlen) % ARRAY_ALIGN;
        }
        ByteBuffer out = ByteBuffer.allocate(prefix + hlen + pad).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            out.putShort((short) (hlen + pad));
        } else {
            out.putInt(hlen + pad);
        }
        out.put(text);
        for (int i = 0; i < pad; i++) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        return out.array();
    }

    /** Python's repr of a shape tuple: {@code ()}, {@code (5,)}, {@code (2, 3)}. */
    static String shapeRepr(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return s.append(')').toString();
    }

    /** The product of the dimensions, or −1 if one is negative or the product overflows. */
    static long elementCount(long[] shape) {
        long n = 1;
        for (long dim : shape) {
            if (dim < 0) {
                return -1;
            }
            try {
                n = Math.multiplyExact(n, dim);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return n;
    }

    static int itemSize(String descr) {
        return switch (descr) {
            case "<f8", "<i8" -> 8;
            case "<f4", "<i4" -> 4;
            case "|u1" -> 1;
            default -> throw new IllegalArgumentException("unsupported dtype '" + descr + "'");
        };
    }

    private static double[] decode(ByteBuffer buf, String descr, int count) {
        double[] out = new double[count];
        switch (descr) {
            case "<f8" -> buf.asDoubleBuffer().get(out);
            case "<f4" -> {
                for (int i = 0; i < count; i++) {
                    out[i] = buf.getFloat();
                }
            }
            case "<i8" -> {
                for (int i = 0; i < count; i++) {
                    out[i] = buf.getLong();
                }
            }
            case "<i4" -> {
                for (int i = 0; i < count; i++) {
                    out[i] = buf.getInt();
                }
            }
            case "|u1" -> {
                for (int i = 0; i < count; i++) {
                    out[i] = buf.get() & 0xFF;
                }
            }
            default -> throw new IllegalArgumentException("unsupported dtype '" + descr + "'");
        }
        return out;
    }

    /** Reorders elements stored with the first index fastest into C order (last index fastest). */
    static double[] fortranToC(double[] f, long[] shape) {
        int nd = shape.length;
        int[] dims = new int[nd];
        for (int i = 0; i < nd; i++) {
            dims[i] = (int) shape[i];
        }
        int[] cStrides = new int[nd];
        int stride = 1;
        for (int i = nd - 1; i >= 0; i--) {
            cStrides[i] = stride;
            stride *= dims[i];
        }
        double[] c = new double[f.length];
        int[] index = new int[nd];
        int cOffset = 0;
        for (double v : f) {
            c[cOffset] = v;
            for (int axis = 0; axis < nd; axis++) { // advance the Fortran-order counter: first axis fastest
                index[axis]++;
                cOffset += cStrides[axis];
                if (index[axis] < dims[axis]) {
                    break;
                }
                cOffset -= cStrides[axis] * dims[axis];
                index[axis] = 0;
            }
        }
        return c;
    }

    /** A parser for the Python-literal dict of a {@code .npy} header: strings, True/False, tuples of ints. */
    private static final class HeaderParser {
        private final String text;
        private final String source;
        private int pos;

        HeaderParser(String text, String source) {
            this.text = text;
            this.source = source;
        }

        Map<String, Object> dict() throws FormatException {
            Map<String, Object> out = new LinkedHashMap<>();
            expect('{');
            while (true) {
                skipSpace();
                if (peek() == '}') {
                    pos++;
                    break;
                }
                String key = string();
                expect(':');
                Object value = value();
                if (out.put(key, value) != null) {
                    throw malformed("duplicate key '" + key + "'");
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw malformed("expected ',' or '}'");
                }
            }
            skipSpace();
            if (pos != text.length()) {
                throw malformed("unexpected text after the dict");
            }
            return out;
        }

        private Object value() throws FormatException {
            skipSpace();
            char c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(') {
                return tuple();
            }
            if (c == '[') {
                throw new FormatException(source, "unsupported dtype: structured arrays (a descr list) are not supported");
            }
            if (text.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            throw malformed("expected a string, a tuple, True or False");
        }

        private long[] tuple() throws FormatException {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (true) {
                skipSpace();
                if (peek() == ')') {
                    pos++;
                    break;
                }
                int start = pos;
                while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                    pos++;
                }
                if (start == pos) {
                    throw malformed("expected a non-negative integer in the shape");
                }
                try {
                    dims.add(Long.parseLong(text.substring(start, pos)));
                } catch (NumberFormatException e) {
                    throw malformed("shape entry too large");
                }
                if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) {
                    pos++; // Python 2 long literal
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != ')') {
                    throw malformed("expected ',' or ')' in the shape");
                }
            }
            long[] out = new long[dims.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = dims.get(i);
            }
            return out;
        }

        private String string() throws FormatException {
            skipSpace();
            char quote = peek();
            if (quote != '\'' && quote != '"') {
                throw malformed("expected a quoted string");
            }
            int end = text.indexOf(quote, pos + 1);
            if (end < 0) {
                throw malformed("unterminated string");
            }
            String s = text.substring(pos + 1, end);
            pos = end + 1;
            return s;
        }

        private void expect(char c) throws FormatException {
            skipSpace();
            if (peek() != c) {
                throw malformed("expected '" + c + "'");
            }
            pos++;
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private FormatException malformed(String what) {
            String shown = text.strip();
            if (shown.length() > 120) {
                shown = shown.substring(0, 120) + "...";
            }
            return new FormatException(source, "malformed header: " + what + " at character " + pos + " of " + shown);
        }
    }
}
