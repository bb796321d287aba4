package io.github.diffusion4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npz} archive ({@code numpy.savez}, NumPy reference "numpy.lib.format"): a zip
 * file of {@code name.npy} entries. Reads stored and deflated entries (and zip64, which
 * {@code numpy.savez} always uses); writes stored entries, as {@code numpy.savez} does, with a fixed
 * 1980-01-01 timestamp so that equal arrays give equal bytes. Also pytorch-fid's statistics layout,
 * {@code mu} (d,) and {@code sigma} (d, d).
 */
public final class Npz {
    private static final String SUFFIX = ".npy";
    private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

    private Npz() {}

    /**
     * Mean and covariance of feature rows as pytorch-fid stores them ({@code mu.npy}, {@code sigma.npy}).
     *
     * @param mu the mean, length d
     * @param sigma the covariance, d×d
     */
    public record Stats(double[] mu, double[][] sigma) {}

    /** Every {@code .npy} entry of the archive, keyed by name without {@code .npy}, in archive order. */
    public static Map<String, Npy.Array> read(Path file) throws IOException {
        String source = file.getFileName().toString();
        Map<String, Npy.Array> out = new LinkedHashMap<>();
        try (ZipFile zip = open(file)) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (!entry.isDirectory() && entry.getName().endsWith(SUFFIX)) {
                    String name = entry.getName().substring(0, entry.getName().length() - SUFFIX.length());
                    out.put(name, read(zip, entry, source));
                }
            }
        }
        return out;
    }

    /** The entry {@code name.npy} of the archive. */
    public static Npy.Array read(Path file, String name) throws IOException {
        try (ZipFile zip = open(file)) {
            return entry(zip, file.getFileName().toString(), name);
        }
    }

    /** Writes {@code arrays} as stored {@code name.npy} entries, via a temporary file renamed over {@code file}. */
    public static void write(Path file, Map<String, Npy.Array> arrays) throws IOException {
        Map<String, byte[]> encoded = new LinkedHashMap<>();
        for (Map.Entry<String, Npy.Array> e : arrays.entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.contains("/") || name.contains("\\")) {
                throw new IllegalArgumentException("invalid array name '" + name + "'");
            }
            encoded.put(name + SUFFIX, Npy.toBytes(e.getValue()));
        }
        AtomicFiles.write(file, (channel, stream) -> {
            try (ZipOutputStream zip = new ZipOutputStream(stream)) {
                for (Map.Entry<String, byte[]> e : encoded.entrySet()) {
                    byte[] bytes = e.getValue();
                    CRC32 crc = new CRC32();
                    crc.update(bytes);
                    ZipEntry entry = new ZipEntry(e.getKey());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(bytes.length);
                    entry.setCompressedSize(bytes.length);
                    entry.setCrc(crc.getValue());
                    entry.setTimeLocal(FIXED_TIME);
                    zip.putNextEntry(entry);
                    zip.write(bytes);
                    zip.closeEntry();
                }
            }
        });
    }

    /** Writes pytorch-fid statistics: {@code mu} as (d,) and {@code sigma} as (d, d), both {@code <f8}. */
    public static void writeStats(Path file, double[] mu, double[][] sigma) throws IOException {
        if (sigma.length != mu.length) {
            throw new IllegalArgumentException("mu has " + mu.length + " entries but sigma has " + sigma.length + " rows");
        }
        Map<String, Npy.Array> arrays = new LinkedHashMap<>();
        arrays.put("mu", Npy.Array.of(mu.clone()));
        arrays.put("sigma", Npy.Array.of(sigma));
        write(file, arrays);
    }

    /**
     * Reads pytorch-fid statistics: float entries {@code mu} (d,) and {@code sigma} (d, d); any other
     * entries are ignored.
     */
    public static Stats readStats(Path file) throws IOException {
        String source = file.getFileName().toString();
        try (ZipFile zip = open(file)) {
            long[][] muShape = new long[1][];
            Npy.Array mu = entry(zip, source, "mu", (descr, ms) -> {
                requireFloat(source, "mu", descr);
                if (ms.length != 1) {
                    throw new Npy.FormatException(source + ": mu.npy", "shape " + Npy.shapeRepr(ms) + ", expected (d,)");
                }
                if (ms[0] < 1 || ms[0] > MAX_FEATURES) {
                    throw new Npy.FormatException(source + ": mu.npy", "shape " + Npy.shapeRepr(ms) + ": d must be in 1.."
                            + MAX_FEATURES);
                }
                muShape[0] = ms;
            });
            long[] ms = muShape[0];
            Npy.Array sigma = entry(zip, source, "sigma", (descr, ss) -> {
                requireFloat(source, "sigma", descr);
                if (ss.length != 2 || ss[0] != ms[0] || ss[1] != ms[0]) {
                    throw new Npy.FormatException(source + ": sigma.npy", "shape " + Npy.shapeRepr(ss)
                            + ", expected (" + ms[0] + ", " + ms[0] + ") to match mu.npy's " + Npy.shapeRepr(ms));
                }
            });
            requireFinite(source + ": mu.npy", mu);
            requireFinite(source + ": sigma.npy", sigma);
            return new Stats(mu.data(), sigma.toMatrix());
        }
    }

    /**
     * Largest feature dimension d of statistics read (Inception-v3's pool3, the largest feature
     * pytorch-fid offers): sigma holds d² values, so this bounds what a small, highly compressed
     * file can make the reader inflate (32 MiB) and what checking it costs.
     */
    public static final int MAX_FEATURES = 2048;

    /**
     * Largest magnitude of a statistic: squares and d-term sums of larger values overflow double
     * precision in the Fréchet distance (eigendecompositions then fail to converge).
     */
    public static final double MAX_MAGNITUDE = 1e100;

    private static void requireFinite(String where, Npy.Array array) throws Npy.FormatException {
        double[] v = array.data();
        long[] shape = array.shape();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i]) || Math.abs(v[i]) > MAX_MAGNITUDE) {
                String index = shape.length == 2 ? "[" + i / shape[1] + ", " + i % shape[1] + "]" : "[" + i + "]";
                throw new Npy.FormatException(where, "entry " + index + " is " + v[i]
                        + (Double.isFinite(v[i]) ? ", beyond the " + MAX_MAGNITUDE + " that statistics may reach" : "")
                        + "; statistics must be finite");
            }
        }
    }

    private static void requireFloat(String source, String name, String descr) throws Npy.FormatException {
        if (!descr.equals("<f8") && !descr.equals("<f4")) {
            throw new Npy.FormatException(source + ": " + name + SUFFIX,
                    "dtype '" + descr + "' is not a float type (expected <f8 or <f4)");
        }
    }

    private static ZipFile open(Path file) throws IOException {
        if (java.nio.file.Files.exists(file) && !java.nio.file.Files.isRegularFile(file)) {
            throw new Npy.FormatException(file.getFileName().toString(), "not a regular file");
        }
        try {
            return new ZipFile(file.toFile());
        } catch (java.nio.file.FileSystemException | java.io.FileNotFoundException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) { // ZipException, EOFException; IAE: a malformed entry name
            throw new Npy.FormatException(file.getFileName().toString(), "not a zip archive (" + e.getMessage() + ")");
        }
    }

    private static Npy.Array entry(ZipFile zip, String source, String name) throws IOException {
        return entry(zip, source, name, Npy.HeaderCheck.NONE);
    }

    private static Npy.Array entry(ZipFile zip, String source, String name, Npy.HeaderCheck check) throws IOException {
        ZipEntry entry;
        try {
            entry = zip.getEntry(name + SUFFIX);
        } catch (IllegalArgumentException e) {
            throw new Npy.FormatException(source, "not a zip archive (" + e.getMessage() + ")");
        }
        if (entry == null) {
            List<String> names = new ArrayList<>();
            zip.stream().forEach(e -> names.add(e.getName()));
            throw new Npy.FormatException(source, "no entry '" + name + SUFFIX + "' (entries: "
                    + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
        }
        return read(zip, entry, source, check);
    }

    private static Npy.Array read(ZipFile zip, ZipEntry entry, String source) throws IOException {
        return read(zip, entry, source, Npy.HeaderCheck.NONE);
    }

    /**
     * Reads one entry as a stream: the {@code .npy} header is inflated and checked (by
     * {@code check}, and against the entry's declared size) before its data; the CRC-32 and size of
     * what was inflated must match the zip directory, as {@code numpy.load} (Python's zipfile)
     * requires.
     */
    private static Npy.Array read(ZipFile zip, ZipEntry entry, String source, Npy.HeaderCheck check) throws IOException {
        String where = source + ": " + entry.getName();
        long declared = entry.getSize();
        Npy.HeaderCheck sized = (descr, shape) -> {
            check.check(descr, shape);
            long dataBytes = Npy.elementCount(shape) * Npy.itemSize(descr);
            if (declared >= 0 && dataBytes > declared) {
                throw new Npy.FormatException(where, "shape " + Npy.shapeRepr(shape) + " of " + descr + " needs " + dataBytes
                        + " data bytes but the archive declares the entry as " + declared + " bytes");
            }
        };
        CRC32 crc = new CRC32();
        Npy.Array array;
        long inflated;
        try (InputStream raw = zip.getInputStream(entry);
                CountingCheckedStream in = new CountingCheckedStream(new java.io.BufferedInputStream(raw, 1 << 16), crc)) {
            array = Npy.read(in, where, sized);
            inflated = in.count;
        } catch (Npy.FormatException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) { // ZipException, EOFException from the inflater
            throw new Npy.FormatException(where, "corrupt entry (" + e.getMessage() + ")");
        }
        if (declared >= 0 && inflated != declared) {
            throw new Npy.FormatException(where, "corrupt entry (inflates to " + inflated + " bytes, the archive declares " + declared + ")");
        }
        if (entry.getCrc() >= 0 && crc.getValue() != entry.getCrc()) {
            throw new Npy.FormatException(where, String.format("corrupt entry (CRC-32 %08x, the archive declares %08x)",
                    crc.getValue(), entry.getCrc()));
        }
        return array;
    }

    /** A CRC-32-checking stream that also counts the bytes read. */
    private static final class CountingCheckedStream extends java.util.zip.CheckedInputStream {
        long count;

        CountingCheckedStream(InputStream in, CRC32 crc) {
            super(in, crc);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

    }
}
