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
import java.util.zip.ZipException;
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
            Npy.Array mu = entry(zip, source, "mu");
            Npy.Array sigma = entry(zip, source, "sigma");
            requireFloat(source, "mu", mu);
            requireFloat(source, "sigma", sigma);
            long[] ms = mu.shape();
            long[] ss = sigma.shape();
            if (ms.length != 1) {
                throw new Npy.FormatException(source + ": mu.npy", "shape " + Npy.shapeRepr(ms) + ", expected (d,)");
            }
            if (ss.length != 2 || ss[0] != ms[0] || ss[1] != ms[0]) {
                throw new Npy.FormatException(source + ": sigma.npy", "shape " + Npy.shapeRepr(ss)
                        + ", expected (" + ms[0] + ", " + ms[0] + ") to match mu.npy's " + Npy.shapeRepr(ms));
            }
            return new Stats(mu.data(), sigma.toMatrix());
        }
    }

    private static void requireFloat(String source, String name, Npy.Array array) throws Npy.FormatException {
        if (!array.descr().equals("<f8") && !array.descr().equals("<f4")) {
            throw new Npy.FormatException(source + ": " + name + SUFFIX,
                    "dtype '" + array.descr() + "' is not a float type (expected <f8 or <f4)");
        }
    }

    private static ZipFile open(Path file) throws IOException {
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new Npy.FormatException(file.getFileName().toString(), "not a zip archive (" + e.getMessage() + ")");
        }
    }

    private static Npy.Array entry(ZipFile zip, String source, String name) throws IOException {
        ZipEntry entry = zip.getEntry(name + SUFFIX);
        if (entry == null) {
            List<String> names = new ArrayList<>();
            zip.stream().forEach(e -> names.add(e.getName()));
            throw new Npy.FormatException(source, "no entry '" + name + SUFFIX + "' (entries: "
                    + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
        }
        return read(zip, entry, source);
    }

    private static Npy.Array read(ZipFile zip, ZipEntry entry, String source) throws IOException {
        String where = source + ": " + entry.getName();
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            bytes = in.readAllBytes();
        } catch (ZipException e) {
            throw new Npy.FormatException(where, "corrupt entry (" + e.getMessage() + ")");
        }
        return Npy.read(bytes, where);
    }
}
