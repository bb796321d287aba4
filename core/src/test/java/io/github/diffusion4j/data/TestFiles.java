package io.github.diffusion4j.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/** Hand-built IDX files, tar archives and gzip streams for the data tests. */
final class TestFiles {
    private TestFiles() {}

    /** An IDX images file: magic 0x803, count, rows, cols, then the pixels. */
    static byte[] idxImages(int count, int rows, int cols, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length).putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows)
                .putInt(cols).put(pixels).array();
    }

    /** An IDX labels file: magic 0x801, count, then the labels. */
    static byte[] idxLabels(int... labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length).putInt(IdxReader.LABELS_MAGIC).putInt(labels.length);
        for (int l : labels) {
            b.put((byte) l);
        }
        return b.array();
    }

    /** Pixel bytes where image i, pixel k holds (17·i + k) mod 256. */
    static byte[] pattern(int count, int perImage) {
        byte[] p = new byte[count * perImage];
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < perImage; k++) {
                p[i * perImage + k] = (byte) (17 * i + k);
            }
        }
        return p;
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Path write(Path file, byte[] data) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes an MNIST-style set of four IDX files (n train, m test, 28×28) into {@code dir}. */
    static void mnistLike(Path dir, int n, int m, boolean gz) {
        byte[][] files = {
            idxImages(n, 28, 28, pattern(n, 784)), idxLabels(labels(n)),
            idxImages(m, 28, 28, pattern(m, 784)), idxLabels(labels(m))
        };
        for (int f = 0; f < 4; f++) {
            String name = Datasets.IDX_FILES.get(f);
            write(dir.resolve(gz ? name + ".gz" : name), gz ? gzip(files[f]) : files[f]);
        }
    }

    static int[] labels(int n) {
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = (i * 7 + 5) % 10;
        }
        return l;
    }

    /** Builds an uncompressed tar: regular files, directories ({@code null} content) and raw headers. */
    static final class Tar {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Tar file(String name, byte[] content) {
            return entry(name, '0', content);
        }

        Tar dir(String name) {
            return entry(name, '5', new byte[0]);
        }

        Tar entry(String name, char type, byte[] content) {
            byte[] h = new byte[512];
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
            octal(h, 100, 8, 0644);
            octal(h, 108, 8, 0);
            octal(h, 116, 8, 0);
            octal(h, 124, 12, content.length);
            octal(h, 136, 12, 0);
            h[156] = (byte) type;
            System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
            Arrays.fill(h, 148, 156, (byte) ' ');
            int sum = 0;
            for (byte b : h) {
                sum += b & 0xFF;
            }
            octal(h, 148, 7, sum);
            out.writeBytes(h);
            out.writeBytes(content);
            out.writeBytes(new byte[(512 - content.length % 512) % 512]);
            return this;
        }

        private static void octal(byte[] h, int off, int len, long v) {
            String s = String.format("%0" + (len - 1) + "o", v);
            System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
            h[off + len - 1] = 0;
        }

        byte[] bytes() {
            ByteArrayOutputStream done = new ByteArrayOutputStream();
            done.writeBytes(out.toByteArray());
            done.writeBytes(new byte[1024]);
            return done.toByteArray();
        }

        byte[] tgz() {
            return gzip(bytes());
        }
    }
}
