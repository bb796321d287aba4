package io.github.diffusion4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @TempDir
    Path dir;

    private static final double[] SIX = {1.5, -2.0, 0.25, 1e300, -0.0, 3.0};

    @Test
    void readsTheExactBytesNumpySaveWrites() throws IOException {
        byte[] f8 = NumpyBytes.v1(NumpyBytes.HEADER_2X3_F8, NumpyBytes.f8(SIX));
        assertThat(f8.length - 8 * 6).isEqualTo(128);
        Npy.Array a = Npy.read(f8, "a.npy");
        assertThat(a.descr()).isEqualTo("<f8");
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a.data()).containsExactly(SIX);
        assertThat(a.toMatrix()[1]).containsExactly(1e300, -0.0, 3.0);

        byte[] f4 = NumpyBytes.v1(NumpyBytes.HEADER_5_F4, NumpyBytes.f4(0f, 1f, 2f, -0.5f, 3.25f));
        Npy.Array b = Npy.read(f4, "b.npy");
        assertThat(b.descr()).isEqualTo("<f4");
        assertThat(b.shape()).containsExactly(5);
        assertThat(b.data()).containsExactly(0, 1, 2, -0.5, 3.25);
    }

    @Test
    void writesTheExactBytesNumpySaveWrites() {
        assertThat(Npy.toBytes(new Npy.Array("<f8", new long[] {2, 3}, SIX)))
                .isEqualTo(NumpyBytes.v1(NumpyBytes.HEADER_2X3_F8, NumpyBytes.f8(SIX)));
        assertThat(Npy.toBytes(new Npy.Array("<f4", new long[] {5}, new double[] {0, 1, 2, -0.5, 3.25})))
                .isEqualTo(NumpyBytes.v1(NumpyBytes.HEADER_5_F4, NumpyBytes.f4(0f, 1f, 2f, -0.5f, 3.25f)));
    }

    @Test
    void headersAreAlignedTo64BytesForScalarsAndWideShapes() throws IOException {
        for (long[] shape : new long[][] {{}, {0}, {7}, {123456789, 2}, {2, 3, 4, 5, 6, 7, 8, 9, 10}}) {
            byte[] header = Npy.header("<f8", shape);
            assertThat(header.length % 64).as(Npy.shapeRepr(shape)).isZero();
            assertThat(header[header.length - 1]).isEqualTo((byte) '\n');
            assertThat((header[8] & 0xFF) | (header[9] & 0xFF) << 8).isEqualTo(header.length - 10);
        }
        Npy.Array scalar = new Npy.Array("<f8", new long[] {}, new double[] {3.0});
        // numpy.save(f, np.float64(3.0)): no growth-axis spaces for a 0-d array, still 128 header bytes
        assertThat(Npy.toBytes(scalar)).isEqualTo(NumpyBytes.v1(
                "{'descr': '<f8', 'fortran_order': False, 'shape': (), }" + " ".repeat(62) + "\n", NumpyBytes.f8(3.0)));
        Path file = dir.resolve("scalar.npy");
        Npy.write(file, scalar);
        assertThat(Npy.read(file)).isEqualTo(scalar);
    }

    @Test
    void roundTripsThroughAFileAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("m.npy");
        Npy.Array m = Npy.Array.of(new double[][] {{1, 2, 3}, {4, 5, 6}});
        Files.writeString(file, "old content");
        Npy.write(file, m);
        assertThat(Npy.read(file)).isEqualTo(m);
        Npy.write(file, m.withDescr("<f4"));
        assertThat(Npy.read(file)).isEqualTo(m.withDescr("<f4"));
        Npy.Array rounded = new Npy.Array("<f4", new long[] {1}, new double[] {0.1});
        Npy.write(file, rounded);
        assertThat(Npy.read(file).data()).containsExactly((double) 0.1f);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void readsIntegerAndByteArrays() throws IOException {
        String i8 = "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }";
        assertThat(Npy.read(NumpyBytes.v1(i8, NumpyBytes.i8(-1, 0, 1L << 40)), "i8.npy").data())
                .containsExactly(-1, 0, 1L << 40);
        String i4 = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
        assertThat(Npy.read(NumpyBytes.v1(i4, NumpyBytes.i4(-7, Integer.MAX_VALUE)), "i4.npy").data())
                .containsExactly(-7, Integer.MAX_VALUE);
        String u1 = "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 3), }";
        Npy.Array bytes = Npy.read(NumpyBytes.v1(u1, new byte[] {0, (byte) 200, (byte) 255}), "u1.npy");
        assertThat(bytes.shape()).containsExactly(1, 3);
        assertThat(bytes.data()).containsExactly(0, 200, 255);
        assertThatThrownBy(() -> Npy.toBytes(bytes)).hasMessageContaining("cannot write dtype '|u1'");
    }

    @Test
    void readsVersion2And3HeadersAndPython2LongShapes() throws IOException {
        String header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 1L), }\n";
        assertThat(Npy.read(NumpyBytes.v2or3(2, header, NumpyBytes.f8(1, 2)), "v2.npy").shape()).containsExactly(2, 1);
        Npy.Array v3 = Npy.read(NumpyBytes.v2or3(3, "{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f8\"}", NumpyBytes.f8(1, 2)), "v3.npy");
        assertThat(v3.data()).containsExactly(1, 2);
    }

    @Test
    void transposesFortranOrderIntoCOrder() throws IOException {
        // A = [[1, 2, 3], [4, 5, 6]] stored column by column.
        String header = "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }";
        Npy.Array a = Npy.read(NumpyBytes.v1(header, NumpyBytes.f8(1, 4, 2, 5, 3, 6)), "f.npy");
        assertThat(a.data()).containsExactly(1, 2, 3, 4, 5, 6);
        // 2×3×2: element (i, j, k) = 100i + 10j + k; Fortran order has i fastest, then j, then k.
        double[] fortran = new double[12];
        int n = 0;
        for (int k = 0; k < 2; k++) {
            for (int j = 0; j < 3; j++) {
                for (int i = 0; i < 2; i++) {
                    fortran[n++] = 100 * i + 10 * j + k;
                }
            }
        }
        String header3 = "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 2), }";
        assertThat(Npy.read(NumpyBytes.v1(header3, NumpyBytes.f8(fortran)), "f3.npy").data())
                .containsExactly(0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121);
    }

    @Test
    void errorsNameTheFileAndTheProblemOnOneLine() {
        byte[] data = NumpyBytes.f8(1, 2);
        assertProblem(new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0}, "not an .npy file");
        assertProblem(NumpyBytes.v1("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", new byte[16]),
                "unsupported dtype '<c16'");
        assertProblem(NumpyBytes.v1("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", data),
                "unsupported dtype '>f8'");
        assertProblem(NumpyBytes.v1("{'descr': '<f8', 'fortran_order': False, 'shape': (2, }", data),
                "malformed header");
        assertProblem(NumpyBytes.v1("{'descr': '<f8', 'shape': (2,), }", data), "header keys");
        assertProblem(NumpyBytes.v1("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }", data),
                "structured arrays");
        assertProblem(NumpyBytes.v1("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", data),
                "truncated: shape (3,) of <f8 needs 24 data bytes, found 16");
        assertProblem(NumpyBytes.v1("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", data),
                "trailing bytes");
        byte[] v4 = NumpyBytes.v2or3(3, "{}", new byte[0]);
        v4[6] = 4;
        assertProblem(v4, "unsupported .npy format version 4.0");
        byte[] longHeader = NumpyBytes.v1("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", data);
        longHeader[8] = (byte) 0xFF;
        assertProblem(longHeader, "runs past the end of the file");
    }

    private static void assertProblem(byte[] bytes, String problem) {
        assertThatThrownBy(() -> Npy.read(bytes, "bad.npy"))
                .isInstanceOf(Npy.FormatException.class)
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("bad.npy: ")
                .hasMessageContaining(problem)
                .hasMessageNotContaining("\n");
    }
}
