package io.github.diffusion4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.diffusion4j.io.Npy;
import io.github.diffusion4j.io.Npz;
import io.github.diffusion4j.io.SafetensorsWriter;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: each malformed input found by hand ends with exit code 2 and one line naming the file,
 * key or option — no stack trace, no exit 1, no hang — and valid inputs next to them still work.
 * Every file input is generated here.
 */
class MalformedInputTest {
    @TempDir
    static Path shared;
    static Path checkpoint;

    @BeforeAll
    static void trainTinyRun() throws Exception {
        Path data = TinyRuns.imageFolder(shared);
        Cli.Result r = Cli.run(TinyRuns.trainArgs(data, shared.resolve("runs"), 2));
        assertThat(r.code()).as(r.err()).isZero();
        try (Stream<Path> s = Files.walk(shared.resolve("runs"))) {
            checkpoint = s.filter(p -> p.getFileName().toString().matches("ema-\\d+\\.safetensors")).findFirst().orElseThrow();
        }
    }

    /** Exit 2 and exactly one line on stderr, containing each of {@code named}; no stack trace. */
    static Cli.Result assertUserError(Cli.Result r, String... named) {
        assertThat(r.code()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as("stderr lines").hasSize(1);
        assertThat(lines.get(0)).startsWith("d4j: ").doesNotContain("Exception").doesNotContain("\tat ");
        for (String n : named) {
            assertThat(lines.get(0)).contains(n);
        }
        return r;
    }

    static Cli.Result train(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--config", "mnist-unet", "--out", out.toString()));
        a.addAll(Arrays.asList(extra));
        return Cli.run(a.toArray(String[]::new));
    }

    static void assertNoRunDirectory(Path out) throws Exception {
        if (Files.isDirectory(out)) {
            try (Stream<Path> s = Files.list(out)) {
                assertThat(s.toList()).as("run directories left behind").isEmpty();
            }
        }
    }

    // 1, 12: seeds

    @Test
    void seedRangesAreBoundedAndDoNotWrapAround() {
        assertThat(Seeds.parse("9223372036854775807-9223372036854775807")).containsExactly(Long.MAX_VALUE);
        assertThat(Seeds.parse("9223372036854775806-9223372036854775807")).containsExactly(Long.MAX_VALUE - 1, Long.MAX_VALUE);
        assertUserError(Cli.run("sample", "--checkpoint", "none", "--seeds", "0-9223372036854775807"), "--seeds", "more than");
        assertUserError(Cli.run("sample", "--checkpoint", "none", "--seeds", ","), "--seeds", "empty");
        assertUserError(Cli.run("sample", "--checkpoint", "none", "--seeds", "1,,2"), "--seeds");
        assertUserError(Cli.run("sample", "--checkpoint", "none", "--guidance", "NaN"), "--guidance");
        assertUserError(Cli.run("sample", "--checkpoint", "none", "--guidance", "Infinity"), "--guidance");
    }

    @Test
    void theLargestSeedSamples(@TempDir Path dir) {
        Cli.Result r = Cli.run("sample", "--checkpoint", checkpoint.toString(), "--seeds", "9223372036854775807",
                "--steps", "2", "--out-dir", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(dir.resolve("seed-9223372036854775807.png")).exists();
    }

    // 2, 3: statistics

    static Path stats(Path dir, String name, double[] mu, double[][] sigma) throws Exception {
        Path f = dir.resolve(name);
        Npz.writeStats(f, mu, sigma);
        return f;
    }

    @Test
    void nonFiniteOrNonCovarianceStatisticsAreNamed(@TempDir Path dir) throws Exception {
        double[][] eye = {{1, 0}, {0, 1}};
        Path good = stats(dir, "good.npz", new double[] {0, 0}, eye);
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e308}) {
            Path s = stats(dir, "sigma.npz", new double[] {0, 0}, new double[][] {{1, 0}, {0, bad}});
            assertUserError(Cli.run("eval", "fd", good.toString(), s.toString()), "sigma.npz", "sigma.npy", "[1, 1]");
            Path m = stats(dir, "mu.npz", new double[] {bad, 0}, eye);
            assertUserError(Cli.run("eval", "fd", m.toString(), good.toString()), "mu.npz", "mu.npy", "[0]");
        }
        Path negative = stats(dir, "negative.npz", new double[] {0, 0}, new double[][] {{1, 0}, {0, -4}});
        assertUserError(Cli.run("eval", "fd", good.toString(), negative.toString()), "negative.npz", "variance [1, 1]");
        Path schwarz = stats(dir, "schwarz.npz", new double[] {0, 0}, new double[][] {{1, 2}, {2, 1}});
        assertUserError(Cli.run("eval", "fd", good.toString(), schwarz.toString()), "schwarz.npz", "[0, 1]");
        // within the Cauchy-Schwarz bounds, but eigenvalue 1 - 2*0.9 < 0 of the all-0.9 correlation pattern
        double r = -0.9;
        Path notPsd = stats(dir, "notpsd.npz", new double[] {0, 0, 0}, new double[][] {{1, r, r}, {r, 1, r}, {r, r, 1}});
        Path good3 = stats(dir, "good3.npz", new double[] {0, 0, 0}, new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
        assertUserError(Cli.run("eval", "fd", good3.toString(), notPsd.toString()), "notpsd.npz", "positive semi-definite");
        Path singular = stats(dir, "singular.npz", new double[] {0, 0}, new double[][] {{1, 1}, {1, 1}}); // PSD, rank 1
        Cli.Result ok1 = Cli.run("eval", "fd", good.toString(), singular.toString());
        assertThat(ok1.code()).as(ok1.err()).isZero();
        Path shifted = stats(dir, "shifted.npz", new double[] {3, 4}, eye);
        Cli.Result ok = Cli.run("eval", "fd", good.toString(), shifted.toString(), "--json");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("\"fd\":25.0"); // |mu1 - mu2|² = 25, equal covariances
    }

    /** An .npz entry holding just the header of a (rows, cols) {@code <f8} array and {@code dataBytes} zero bytes. */
    static void putNpy(ZipOutputStream zip, String name, long[] shape, int dataBytes) throws Exception {
        StringBuilder sh = new StringBuilder("(");
        for (long d : shape) {
            sh.append(d).append(", ");
        }
        String header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + sh.append(")") + ", }";
        header = header + " ".repeat(63 - (10 + header.length()) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length())
                .put(header.getBytes(StandardCharsets.ISO_8859_1));
        zip.putNextEntry(new ZipEntry(name));
        zip.write(b.array());
        zip.closeEntry();
    }

    @Test
    void hugeDeclaredShapesAreRefusedBeforeInflating(@TempDir Path dir) throws Exception {
        Path good = stats(dir, "good.npz", new double[] {0, 0, 0}, new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
        Path mismatch = dir.resolve("mismatch.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(mismatch))) {
            putNpy(zip, "mu.npy", new long[] {3}, 24);
            putNpy(zip, "sigma.npy", new long[] {20000, 20000}, 1 << 20);
        }
        assertUserError(Cli.run("eval", "fd", good.toString(), mismatch.toString()), "mismatch.npz", "sigma.npy", "(20000, 20000)");
        Path wide = dir.resolve("wide.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(wide))) {
            putNpy(zip, "mu.npy", new long[] {20000}, 160000);
            putNpy(zip, "sigma.npy", new long[] {20000, 20000}, 1 << 20);
        }
        assertUserError(Cli.run("eval", "fd", wide.toString(), good.toString()), "wide.npz", "mu.npy", "2048");
    }

    @Test
    void anEntryWithABadCrcIsRefused(@TempDir Path dir) throws Exception {
        Path good = stats(dir, "good.npz", new double[] {1, 2}, new double[][] {{1, 0}, {0, 1}});
        byte[] bytes = Files.readAllBytes(good);
        byte[] one = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(1.0).array();
        int at = indexOf(bytes, one); // first data value of mu.npy, stored uncompressed
        bytes[at + 7] ^= 0x01;
        Path bad = dir.resolve("badcrc.npz");
        Files.write(bad, bytes);
        assertUserError(Cli.run("eval", "fd", bad.toString(), good.toString()), "badcrc.npz", "mu.npy", "CRC");
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    // 4, 9, 8: config values

    @Test
    void sizesThatOverflowAreRefusedNamingTheKey(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("runs");
        assertUserError(train(out, "--dry-run", "--set", "model.baseChannels=1000000"), "model.baseChannels");
        assertUserError(train(out, "--dry-run", "--set", "model.classes=2147483647"), "model.classes");
        assertUserError(train(out, "--dry-run", "--set", "training.batch=2147483647"), "training.batch");
        assertUserError(train(out, "--dry-run", "--set", "training.batch=99999999999"), "training.batch");
        // a dataset that, resized, no longer fits one array
        Path idx = idxPair(dir, 200, 8);
        assertUserError(train(out, "--steps", "1", "--set", "data.dataset=" + idx, "--set", "data.resolution=4096",
                "--set", "training.batch=1", "--set", "model.attentionResolutions=[]"), "data.resolution");
        assertNoRunDirectory(out);
    }

    @Test
    void mnistAtResolution256IsRefusedNamingTheKey(@TempDir Path dir) throws Exception {
        assumeTrue(io.github.diffusion4j.data.DataCache.isComplete(io.github.diffusion4j.data.DataCache.defaultDir(), "mnist"),
                "MNIST is not in the cache");
        Path out = dir.resolve("runs");
        assertUserError(train(out, "--steps", "1", "--set", "data.resolution=256", "--set", "model.attentionResolutions=[]"),
                "data.resolution");
        assertNoRunDirectory(out);
    }

    @Test
    void valuesThatWouldFailLaterAreRefusedNamingTheKey(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("runs");
        String mult33 = "model.channelMult=[" + String.join(", ", java.util.Collections.nCopies(33, "1")) + "]";
        String[][] cases = {
            {"sampling.sigmaMax=.nan", "sampling.sigmaMax"}, {"training.lr=.inf", "training.lr"},
            {"sampling.guidance=.nan", "sampling.guidance"}, {"diffusion.pMean=.nan", "diffusion.pMean"},
            {"training.gradClip=.inf", "training.gradClip"}, {"model.attentionResolutions=[-7]", "model.attentionResolutions"},
            {mult33, "model.channelMult"}, {"training.batch=1.5", "training.batch"}, {".=1", "--set"},
            {"data.resolution=3000000000", "data.resolution"},
        };
        for (String[] c : cases) {
            assertUserError(train(out, "--dry-run", "--set", c[0]), c[1]);
        }
        Path data = TinyRuns.imageFolder(dir);
        List<String> args = new ArrayList<>(Arrays.asList(TinyRuns.trainArgs(data, out, 1)));
        args.addAll(List.of("--set", "model.attentionResolutions=[5]"));
        assertUserError(Cli.run(args.toArray(String[]::new)), "model.attentionResolutions", "5");
        assertNoRunDirectory(out);
        Cli.Result ok = train(out, "--dry-run", "--set", "training.batch=32");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("batch: 32");
    }

    // 10: config files and the error handler

    @Test
    void configFilesAreReadStrictlyWithOneLineErrors(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("runs");
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, "name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertUserError(Cli.run("train", "--config", latin1.toString(), "--dry-run"), "latin1.yaml", "UTF-8");
        Path dup = dir.resolve("dup.yaml");
        Files.writeString(dup, "training:\n  batch: 8\n  batch: 16\n");
        assertUserError(Cli.run("train", "--config", dup.toString(), "--dry-run"), "dup.yaml", "batch");
        Path alias = dir.resolve("alias.yaml");
        Files.writeString(alias, "name: *nope\n");
        assertUserError(Cli.run("train", "--config", alias.toString(), "--dry-run"), "alias.yaml", "*nope");
        Path defined = dir.resolve("defined.yaml");
        Files.writeString(defined, "name: &n run\ndata:\n  dataset: *n\n");
        assertUserError(Cli.run("train", "--config", defined.toString(), "--dry-run"), "defined.yaml", "*n");
        Path tab = dir.resolve("tab.yaml");
        Files.writeString(tab, "training:\n\tbatch: 8\n");
        assertUserError(Cli.run("train", "--config", tab.toString(), "--dry-run"), "tab.yaml", "line 2");
        Path file = dir.resolve("not-a-dir");
        Files.writeString(file, "x");
        Path data = TinyRuns.imageFolder(dir);
        List<String> a = new ArrayList<>(Arrays.asList(TinyRuns.trainArgs(data, file, 1)));
        assertUserError(Cli.run(a.toArray(String[]::new)), "not-a-dir", "cannot create a run directory");
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    // 5, 7: image folders

    @Test
    void directoryLinkLoopsAreRefused(@TempDir Path dir) throws Exception {
        Path data = TinyRuns.imageFolder(dir);
        Path out = dir.resolve("runs");
        Files.createSymbolicLink(data.resolve("a").resolve("up"), Path.of(".."));
        List<String> a = new ArrayList<>(Arrays.asList(TinyRuns.trainArgs(data, out, 1)));
        assertUserError(Cli.run(a.toArray(String[]::new)), "up", "loop");
        Files.createSymbolicLink(data.resolve("b").resolve("up2"), Path.of(".."));
        assertUserError(Cli.run(a.toArray(String[]::new)), "loop");
        assertNoRunDirectory(out);
    }

    /** A PNG whose IHDR declares {@code w × h} RGBA16 pixels, with one tiny IDAT. */
    static byte[] pngDeclaring(int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(out);
        d.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 16).put((byte) 6).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        chunk(d, "IHDR", ihdr.array());
        java.util.zip.Deflater def = new java.util.zip.Deflater();
        def.setInput(new byte[64]);
        def.finish();
        byte[] buf = new byte[128];
        int n = def.deflate(buf);
        chunk(d, "IDAT", Arrays.copyOf(buf, n));
        chunk(d, "IEND", new byte[0]);
        return out.toByteArray();
    }

    static void chunk(DataOutputStream d, String type, byte[] body) throws Exception {
        d.writeInt(body.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.write(t);
        d.write(body);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(body);
        d.writeInt((int) crc.getValue());
    }

    @Test
    void hugeDeclaredImagesAreRefusedBeforeDecoding(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("runs");
        for (int side : new int[] {20000, 30000}) {
            Path data = TinyRuns.imageFolder(dir.resolve("s" + side));
            Files.write(data.resolve("a").resolve("huge.png"), pngDeclaring(side, side));
            List<String> a = new ArrayList<>(Arrays.asList(TinyRuns.trainArgs(data, out, 1)));
            assertUserError(Cli.run(a.toArray(String[]::new)), "huge.png", side + "x" + side);
        }
        assertNoRunDirectory(out);
    }

    // 6: IDX

    static Path idxPair(Path dir, int count, int side) throws Exception {
        Path images = dir.resolve("data-images-idx3-ubyte");
        Path labels = dir.resolve("data-labels-idx1-ubyte");
        Files.write(images, ByteBuffer.allocate(16 + count * side * side).putInt(0x803).putInt(count).putInt(side).putInt(side).array());
        Files.write(labels, ByteBuffer.allocate(8 + count).putInt(0x801).putInt(count).array());
        return images;
    }

    @Test
    void anEmptyIdxDatasetIsRefused(@TempDir Path dir) throws Exception {
        Path images = idxPair(dir, 0, 28);
        Path out = dir.resolve("runs");
        assertUserError(train(out, "--steps", "1", "--set", "data.dataset=" + images), "data-images-idx3-ubyte", "no images");
        assertNoRunDirectory(out);
    }

    // 11: checkpoints

    /** {@code checkpoint} with its JSON header edited by {@code edit} (the data bytes unchanged). */
    static Path editedHeader(Path dir, String name, java.util.function.UnaryOperator<String> edit) throws Exception {
        byte[] all = Files.readAllBytes(checkpoint);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
        String edited = edit.apply(header);
        assertThat(edited).isNotEqualTo(header);
        byte[] h = edited.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + all.length - 8 - (int) n).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) {
            b.put((byte) ' ');
        }
        b.put(all, 8 + (int) n, all.length - 8 - (int) n);
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    @Test
    void checkpointsWithWrongDtypesOrBadConfigsAreNamed(@TempDir Path dir) throws Exception {
        Path i32 = editedHeader(dir, "i32.safetensors", h -> h.replaceFirst("\"F32\"", "\"I32\""));
        assertUserError(Cli.run("sample", "--checkpoint", i32.toString(), "--seeds", "0", "--steps", "2",
                "--out-dir", dir.resolve("s").toString()), "i32.safetensors", "I32", "F32");
        Path big = editedHeader(dir, "big.safetensors", h -> h.replaceFirst("baseChannels: 8", "baseChannels: 1000000"));
        assertUserError(Cli.run("sample", "--checkpoint", big.toString(), "--seeds", "0", "--out-dir", dir.resolve("s").toString()),
                "big.safetensors", "model.baseChannels");
    }

    // 12: info

    @Test
    void infoEscapesControlCharactersAndRefusesFifos(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ansi.safetensors");
        SafetensorsWriter.create().metadata("note", "\u001b]0;pwned\u0007")
                .addFloats("\u001b[31mred\nline", new long[] {1}, new float[1]).write(f);
        Cli.Result r = Cli.run("info", f.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("\u001b").doesNotContain("\u0007").contains("\\u001b[31mred\\nline");
        assertThat(r.out().lines().count()).isEqualTo(4);
        Path fifo = dir.resolve("fifo.safetensors");
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "mkfifo is not available");
            return;
        }
        assumeTrue(p.waitFor() == 0 && Files.exists(fifo), "mkfifo failed");
        assertUserError(Cli.run("info", fifo.toString()), "fifo.safetensors", "not a regular file");
        assertUserError(Cli.run("eval", "fd", fifo.toString(), fifo.toString()), "fifo.safetensors", "not a regular file");
    }

    @Test
    void libraryBugsExitWith1AndUserErrorsWith2() {
        assertThat(Errors.isUserError(new IllegalArgumentException("internal check"))).isFalse();
        assertThat(Errors.isUserError(new ArithmeticException("integer overflow"))).isFalse();
        assertThat(Errors.isUserError(new io.github.diffusion4j.config.ConfigException("config key 'x': bad"))).isTrue();
        assertThat(Errors.isUserError(new io.github.diffusion4j.data.DataException("x"))).isTrue();
        assertThat(Errors.isUserError(new Npy.FormatException("x.npy", "bad"))).isTrue();
        assertThat(Errors.isUserError(new UserException("x"))).isTrue();
        assertThat(Errors.message(new java.io.UncheckedIOException("runs: cannot create a run directory: runs",
                new java.nio.file.FileAlreadyExistsException("runs")))).isEqualTo("runs: cannot create a run directory: runs");
    }

}
