package io.github.diffusion4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzTest {

    @TempDir
    Path dir;

    private static final double[] MU = {1.5, -2.0, 0.125};
    private static final double[][] SIGMA = {{2.0, 0.5, 0.0}, {0.5, 1.0, -0.25}, {0.0, -0.25, 3.0}};

    @Test
    void writtenStatsHaveNumpysLayoutByteForByte() throws IOException {
        Path file = dir.resolve("stats.npz");
        Npz.writeStats(file, MU, SIGMA);
        ByteBuffer zip = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);

        int next = checkEntry(zip, 0, "mu.npy", "(3,)", MU);
        double[] flat = new double[9];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(SIGMA[i], 0, flat, 3 * i, 3);
        }
        next = checkEntry(zip, next, "sigma.npy", "(3, 3)", flat);
        assertThat(zip.getInt(next)).as("central directory follows").isEqualTo(0x02014b50);
    }

    /** Checks one STORED local entry at {@code at} and returns the offset just past its data. */
    private static int checkEntry(ByteBuffer zip, int at, String name, String shape, double[] values) {
        assertThat(zip.getInt(at)).as("local file header signature PK\\3\\4").isEqualTo(0x04034b50);
        assertThat(zip.getShort(at + 6) & 0x8).as("no data descriptor").isZero();
        assertThat(zip.getShort(at + 8)).as("method STORED").isZero();
        int size = zip.getInt(at + 18);
        assertThat(zip.getInt(at + 22)).as("uncompressed = compressed size").isEqualTo(size);
        int nameLength = zip.getShort(at + 26);
        int extraLength = zip.getShort(at + 28);
        assertThat(new String(zip.array(), at + 30, nameLength, StandardCharsets.US_ASCII)).isEqualTo(name);
        int npy = at + 30 + nameLength + extraLength;
        byte[] magic = new byte[6];
        zip.get(npy, magic);
        assertThat(magic).containsExactly(0x93, 'N', 'U', 'M', 'P', 'Y');
        assertThat(zip.get(npy + 6)).as("major version").isEqualTo((byte) 1);
        assertThat(zip.get(npy + 7)).as("minor version").isEqualTo((byte) 0);
        int headerLength = zip.getShort(npy + 8) & 0xFFFF;
        assertThat((10 + headerLength) % 64).as("total header length % 64").isZero();
        String header = new String(zip.array(), npy + 10, headerLength, StandardCharsets.ISO_8859_1);
        assertThat(header).startsWith("{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }")
                .contains("'descr': '<f8'").endsWith(" \n");
        int data = npy + 10 + headerLength;
        assertThat(size).as("header length consistent with entry size").isEqualTo(10 + headerLength + 8 * values.length);
        for (int i = 0; i < values.length; i++) {
            assertThat(zip.getDouble(data + 8 * i)).as("little-endian double %d", i).isEqualTo(values[i]);
        }
        return data + 8 * values.length;
    }

    @Test
    void readsHandBuiltArchivesStoredAndDeflated() throws IOException {
        double[] six = {1, 2, 3, 4, 5, 6.5};
        byte[] a = NumpyBytes.v1(NumpyBytes.HEADER_2X3_F8, NumpyBytes.f8(six));
        byte[] b = NumpyBytes.v1(NumpyBytes.HEADER_5_F4, NumpyBytes.f4(1f, 2f, 3f, 4f, 0.5f));
        for (boolean deflated : new boolean[] {false, true}) {
            Path file = dir.resolve(deflated ? "deflated.npz" : "stored.npz");
            Files.write(file, NumpyBytes.zip(deflated, "a.npy", a, "b.npy", b, "notes.txt", new byte[] {1}));
            Map<String, Npy.Array> arrays = Npz.read(file);
            assertThat(arrays.keySet()).containsExactly("a", "b");
            assertThat(arrays.get("a")).isEqualTo(new Npy.Array("<f8", new long[] {2, 3}, six));
            assertThat(arrays.get("b")).isEqualTo(new Npy.Array("<f4", new long[] {5}, new double[] {1, 2, 3, 4, 0.5}));
            assertThat(Npz.read(file, "b").data()).containsExactly(1, 2, 3, 4, 0.5);
        }
    }

    @Test
    void readsHandBuiltPytorchFidStats() throws IOException {
        String muHeader = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }" + " ".repeat(60) + "\n";
        String sigmaHeader = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }" + " ".repeat(58) + "\n";
        Path file = dir.resolve("fid_stats.npz");
        Files.write(file, NumpyBytes.zip(false,
                "mu.npy", NumpyBytes.v1(muHeader, NumpyBytes.f8(0.5, -1)),
                "sigma.npy", NumpyBytes.v1(sigmaHeader, NumpyBytes.f8(2, 0.5, 0.5, 1))));
        Npz.Stats stats = Npz.readStats(file);
        assertThat(stats.mu()).containsExactly(0.5, -1);
        assertThat(stats.sigma()).isDeepEqualTo(new double[][] {{2, 0.5}, {0.5, 1}});
    }

    /**
     * Archives written by NumPy 2.4 itself (zip64 local headers, fixed 1980 timestamps):
     * {@code np.savez(f, mu=np.array([1.5, -2.0]), sigma=np.array([[2.0, 0.5], [0.5, 1.0]]))} and the
     * same with {@code np.savez_compressed}, base64-encoded.
     */
    @Test
    void readsArchivesWrittenByNumpy() throws IOException {
        String savez = "UEsDBC0AAAAAAAAAIQCwmMVB//////////8GABQAbXUubnB5AQAQAJAAAAAAAAAAkAAAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICc8ZjgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCgAAAAAAAPg/AAAAAAAAAMBQSwMELQAAAAAAAAAhAC/hIRX//////////wkAFABzaWdtYS5ucHkBABAAoAAAAAAAAACgAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxmOCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCAyKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAAAAAAAAAEAAAAAAAADgPwAAAAAAAOA/AAAAAAAA8D9QSwECLQMtAAAAAAAAACEAsJjFQZAAAACQAAAABgAAAAAAAAAAAAAAgAEAAAAAbXUubnB5UEsBAi0DLQAAAAAAAAAhAC/hIRWgAAAAoAAAAAkAAAAAAAAAAAAAAIAByAAAAHNpZ21hLm5weVBLBQYAAAAAAgACAGsAAACjAQAAAAA=";
        String compressed = "UEsDBC0AAAAIAAAAIQCwmMVB//////////8GABQAbXUubnB5AQAQAJAAAAAAAAAATQAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBuk2ahrqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RpGOpo6CrUKFAAuBjD4YQ+hGQ4AAFBLAwQtAAAACAAAACEAL+EhFf//////////CQAUAHNpZ21hLm5weQEAEACgAAAAAAAAAFEAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgbpNmoa6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkaRjoKRpo6CrUKZAMuBghwgFAP7FHpD/YAUEsBAi0DLQAAAAgAAAAhALCYxUFNAAAAkAAAAAYAAAAAAAAAAAAAAIABAAAAAG11Lm5weVBLAQItAy0AAAAIAAAAIQAv4SEVUQAAAKAAAAAJAAAAAAAAAAAAAACAAYUAAABzaWdtYS5ucHlQSwUGAAAAAAIAAgBrAAAAEQEAAAAA";
        for (String archive : new String[] {savez, compressed}) {
            Path file = dir.resolve("numpy.npz");
            Files.write(file, Base64.getDecoder().decode(archive));
            Npz.Stats stats = Npz.readStats(file);
            assertThat(stats.mu()).containsExactly(1.5, -2.0);
            assertThat(stats.sigma()).isDeepEqualTo(new double[][] {{2.0, 0.5}, {0.5, 1.0}});
        }
    }

    @Test
    void statsAndArraysRoundTripAndOverwriteAtomically() throws IOException {
        Path file = dir.resolve("s.npz");
        Files.writeString(file, "previous");
        Npz.writeStats(file, MU, SIGMA);
        Npz.Stats stats = Npz.readStats(file);
        assertThat(stats.mu()).containsExactly(MU);
        assertThat(stats.sigma()).isDeepEqualTo(SIGMA);
        byte[] first = Files.readAllBytes(file);
        Npz.writeStats(file, MU, SIGMA);
        assertThat(Files.readAllBytes(file)).as("deterministic bytes").isEqualTo(first);

        Map<String, Npy.Array> arrays = new LinkedHashMap<>();
        arrays.put("z", new Npy.Array("<f4", new long[] {2, 1}, new double[] {1, -1}));
        arrays.put("a", new Npy.Array("<f8", new long[] {}, new double[] {7}));
        Path other = dir.resolve("arrays.npz");
        Npz.write(other, arrays);
        assertThat(Npz.read(other)).containsExactlyEntriesOf(arrays);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("s.npz", "arrays.npz");
        }
    }

    @Test
    void errorsNameTheFileAndTheProblem() throws IOException {
        Path missing = dir.resolve("only_mu.npz");
        Npz.write(missing, Map.of("mu", Npy.Array.of(MU)));
        assertThatThrownBy(() -> Npz.readStats(missing))
                .isInstanceOf(Npy.FormatException.class)
                .hasMessage("only_mu.npz: no entry 'sigma.npy' (entries: mu.npy)");

        Path ints = dir.resolve("ints.npz");
        Files.write(ints, NumpyBytes.zip(false,
                "mu.npy", NumpyBytes.v1("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", NumpyBytes.i8(1)),
                "sigma.npy", NumpyBytes.v1("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", NumpyBytes.f8(1))));
        assertThatThrownBy(() -> Npz.readStats(ints))
                .isInstanceOf(IOException.class)
                .hasMessage("ints.npz: mu.npy: dtype '<i8' is not a float type (expected <f8 or <f4)");

        Path shapes = dir.resolve("shapes.npz");
        Npz.write(shapes, Map.of("mu", Npy.Array.of(1, 2), "sigma", Npy.Array.of(new double[][] {{1, 2, 3}, {4, 5, 6}})));
        assertThatThrownBy(() -> Npz.readStats(shapes))
                .hasMessage("shapes.npz: sigma.npy: shape (2, 3), expected (2, 2) to match mu.npy's (2,)");

        Path malformed = dir.resolve("malformed.npz");
        Files.write(malformed, NumpyBytes.zip(true,
                "mu.npy", NumpyBytes.v1("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,), }", NumpyBytes.f8(1))));
        assertThatThrownBy(() -> Npz.read(malformed, "mu"))
                .isInstanceOf(Npy.FormatException.class)
                .hasMessageStartingWith("malformed.npz: mu.npy: malformed header")
                .hasMessageNotContaining("\n");

        Path notZip = dir.resolve("plain.npz");
        Files.write(notZip, NumpyBytes.v1(NumpyBytes.HEADER_5_F4, NumpyBytes.f4(1, 2, 3, 4, 5)));
        assertThatThrownBy(() -> Npz.read(notZip))
                .isInstanceOf(Npy.FormatException.class)
                .hasMessageStartingWith("plain.npz: not a zip archive");
    }
}
