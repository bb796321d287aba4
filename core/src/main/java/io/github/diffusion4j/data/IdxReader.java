package io.github.diffusion4j.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Reads a pair of uint8 IDX files (images and labels, plain or gzip-compressed) into an {@link ImageDataset}. */
public final class IdxReader {

    /** Magic number of a uint8 IDX file with 3 dimensions (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of a uint8 IDX file with 1 dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int BUFFER = 1 << 20;
    private static final List<String> DIGITS =
            IntStream.range(0, 10).mapToObj(Integer::toString).collect(Collectors.toUnmodifiableList());

    private IdxReader() {}

    /** All items, with classes "0".."9". */
    public static ImageDataset read(Path images, Path labels) {
        return read(images, labels, 0, DIGITS);
    }

    /** The first {@code limit} items ({@code limit <= 0}: all), with classes "0".."9". */
    public static ImageDataset read(Path images, Path labels, int limit) {
        return read(images, labels, limit, DIGITS);
    }

    /**
     * The first {@code limit} items ({@code limit <= 0}: all); every label must lie in
     * {@code 0..classNames.size()-1}.
     */
    public static ImageDataset read(Path images, Path labels, int limit, List<String> classNames) {
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException("an IDX pair needs at least one class name");
        }
        try (Source img = Source.open(images); Source lab = Source.open(labels)) {
            int imageCount = img.header(IMAGES_MAGIC, 3, "images");
            int rows = img.dim("rows");
            int cols = img.dim("columns");
            int labelCount = lab.header(LABELS_MAGIC, 1, "labels");
            if (imageCount != labelCount) {
                throw new DataException(images + " holds " + imageCount + " images but " + labels + " holds "
                        + labelCount + " labels");
            }
            if (imageCount == 0) {
                throw new DataException(images + " holds no images (its IDX header counts 0 items)");
            }
            int n = limit > 0 ? Math.min(limit, imageCount) : imageCount;
            long pixelBytes = (long) n * rows * cols;
            if (pixelBytes > Integer.MAX_VALUE - 16) {
                throw new DataException(images + " is too large: " + pixelBytes
                        + " bytes of pixels do not fit in one array (use a limit)");
            }
            byte[] pixels = img.body((int) pixelBytes, "pixel data");
            byte[] labelBytes = lab.body(n, "label data");
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                int v = labelBytes[i] & 0xFF;
                if (v >= classNames.size()) {
                    throw new DataException(labels + ": label " + v + " of item " + i + " is out of range 0.."
                            + (classNames.size() - 1));
                }
                out[i] = v;
            }
            return new ImageDataset(pixels, out, 1, rows, cols, classNames);
        }
    }

    /** One open IDX file: gzip detected from its first two bytes, header read big-endian. */
    private static final class Source implements AutoCloseable {
        private final Path file;
        private final InputStream in;
        private final long plainSize; // -1 when gzip-compressed
        private int headerBytes;

        private Source(Path file, InputStream in, long plainSize) {
            this.file = file;
            this.in = in;
            this.plainSize = plainSize;
        }

        static Source open(Path file) {
            try {
                InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
                raw.mark(2);
                int b0 = raw.read();
                int b1 = raw.read();
                raw.reset();
                if (b0 == 0x1F && b1 == 0x8B) {
                    InputStream gz = new TruncationAsEnd(new GZIPInputStream(raw, BUFFER));
                    return new Source(file, new BufferedInputStream(gz, BUFFER), -1);
                }
                return new Source(file, raw, Files.size(file));
            } catch (NoSuchFileException e) {
                throw new DataException(file + " does not exist");
            } catch (ZipException e) {
                throw new DataException(file + " is not a valid gzip file: " + e.getMessage());
            } catch (IOException e) {
                throw new DataException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        /** Reads magic and the item count; checks both against what an IDX {@code kind} file must hold. */
        int header(int expectedMagic, int dims, String kind) {
            int magic = readInt(4 * (dims + 1));
            if (magic != expectedMagic) {
                String detail = (magic >>> 16) == 0 && (magic >>> 8 & 0xFF) != 0x08
                        ? String.format(" (element type 0x%02X; only unsigned bytes, 0x08, are supported)",
                                magic >>> 8 & 0xFF)
                        : "";
                throw new DataException(String.format("%s is not an IDX %s file: magic 0x%08X, expected 0x%08X%s",
                        file, kind, magic, expectedMagic, detail));
            }
            return dim("count");
        }

        int dim(String what) {
            int v = readInt(0);
            if (v < 0 || (v == 0 && !what.equals("count"))) {
                throw new DataException(file + " has an invalid " + what + " in its IDX header: " + (v & 0xFFFFFFFFL));
            }
            return v;
        }

        private int readInt(int headerSize) {
            if (headerSize > 0) {
                headerBytes = headerSize;
            }
            byte[] b = readUpTo(4);
            if (b.length < 4) {
                throw new DataException(file + " is truncated: expected a " + headerBytes + "-byte IDX header");
            }
            return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        }

        /** The next {@code n} bytes, or a truncation error naming what was expected. */
        byte[] body(int n, String what) {
            if (plainSize >= 0 && plainSize - headerBytes < n) {
                throw truncated(n, Math.max(0, plainSize - headerBytes), what);
            }
            byte[] data = readUpTo(n);
            if (data.length < n) {
                throw truncated(n, data.length, what);
            }
            return data;
        }

        private DataException truncated(long expected, long found, String what) {
            return new DataException(file + " is truncated: expected " + expected + " bytes of " + what + ", found "
                    + found);
        }

        private byte[] readUpTo(int n) {
            try {
                return in.readNBytes(n); // grows its buffer as data arrives, so a lying header cannot force a huge allocation
            } catch (ZipException e) {
                throw new DataException(file + " is not a valid gzip file: " + e.getMessage());
            } catch (IOException e) {
                throw new DataException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException ignored) {
                // read-only; nothing to flush
            }
        }
    }

    /** Turns the {@code EOFException} of a cut-off gzip stream into a normal end of data, so lengths can be reported. */
    private static final class TruncationAsEnd extends FilterInputStream {
        TruncationAsEnd(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (EOFException e) {
                return -1;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (EOFException e) {
                return -1;
            }
        }
    }
}
