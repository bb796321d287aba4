package io.github.diffusion4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void everyDTypeSurvivesWriterAndReader() throws IOException {
        Path file = dir.resolve("all.safetensors");
        SafetensorsWriter.create()
                .metadata("format", "pt")
                .metadata("note", "ünïcödé ✓")
                .addFloats("f32", new long[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, Float.MAX_VALUE, -0f})
                .addDoubles("f64 scalar", new long[] {}, new double[] {Math.PI})
                .addHalf("f16", new long[] {4}, new float[] {1, -2, 65504, 0x1p-24f})
                .addBFloat16("bf16", new long[] {2, 1}, new float[] {1, -3.140625f})
                .addLongs("i64", new long[] {3}, new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE})
                .addInts("i32", new long[] {1, 2}, new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE})
                .add("i16", DType.I16, new long[] {2}, le(4).putShort((short) -300).putShort((short) 300).flip())
                .add("i8", DType.I8, new long[] {2}, ByteBuffer.wrap(new byte[] {-128, 127}))
                .addBytes("u8", new long[] {4}, new byte[] {0, 1, (byte) 200, (byte) 255})
                .add("bool", DType.BOOL, new long[] {3}, ByteBuffer.wrap(new byte[] {1, 0, 1}))
                .addFloats("empty", new long[] {0, 3}, new float[0])
                .write(file);

        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            assertThat(in.metadata()).containsExactly(Map.entry("format", "pt"), Map.entry("note", "ünïcödé ✓"));
            assertThat(in.tensors()).extracting(TensorEntry::name).containsExactly(
                    "f32", "f64 scalar", "f16", "bf16", "i64", "i32", "i16", "i8", "u8", "bool", "empty");
            assertThat(in.entry("f32").shape()).containsExactly(2, 3);
            assertThat(in.entry("f64 scalar").shape()).isEmpty();
            assertThat(in.entry("f64 scalar").numel()).isEqualTo(1);
            assertThat(in.entry("empty").shape()).containsExactly(0, 3);
            assertThat(in.entry("empty").numel()).isZero();
            assertThat(in.entry("bf16").dtype()).isEqualTo(DType.BF16);

            assertThat(in.floats("f32")).containsExactly(1, -2, 3.5f, Float.MIN_VALUE, Float.MAX_VALUE, -0f);
            assertThat(in.doubles("f64 scalar")).containsExactly(Math.PI);
            assertThat(in.floats("f16")).containsExactly(1, -2, 65504, 0x1p-24f);
            assertThat(in.floats("bf16")).containsExactly(1, -3.140625f);
            assertThat(in.longs("i64")).containsExactly(Long.MIN_VALUE, 0, Long.MAX_VALUE);
            assertThat(in.longs("i32")).containsExactly(Integer.MIN_VALUE, Integer.MAX_VALUE);
            assertThat(in.longs("i16")).containsExactly(-300, 300);
            assertThat(in.longs("i8")).containsExactly(-128, 127);
            assertThat(in.longs("u8")).containsExactly(0, 1, 200, 255);
            assertThat(in.bytes("bool")).containsExactly(1, 0, 1);
            assertThat(in.floats("empty")).isEmpty();
            assertThat(in.data("empty").remaining()).isZero();
        }
    }

    @Test
    void convertsBetweenFloatingTypes() throws IOException {
        Path file = dir.resolve("conv.safetensors");
        SafetensorsWriter.create()
                .addDoubles("f64", new long[] {2}, new double[] {0.1, -1e300})
                .addFloats("f32", new long[] {1}, new float[] {0.1f})
                .addHalf("f16", new long[] {1}, new float[] {0.1f})
                .addBFloat16("bf16", new long[] {1}, new float[] {0.1f})
                .write(file);
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            assertThat(in.floats("f64")).containsExactly(0.1f, Float.NEGATIVE_INFINITY);
            assertThat(in.doubles("f32")).containsExactly((double) 0.1f);
            assertThat(in.doubles("f16")).containsExactly(0.0999755859375);
            assertThat(in.floats("bf16")).containsExactly(0.10009765625f);
        }
    }

    @Test
    void dataIsAReadOnlyLittleEndianViewOfOneTensor() throws IOException {
        Path file = dir.resolve("view.safetensors");
        SafetensorsWriter.create()
                .addInts("a", new long[] {1}, new int[] {7})
                .addInts("b", new long[] {2}, new int[] {0x01020304, -1})
                .write(file);
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            ByteBuffer b = in.data("b");
            assertThat(b.isReadOnly()).isTrue();
            assertThat(b.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            assertThat(b.remaining()).isEqualTo(8);
            assertThat(b.get(0)).isEqualTo((byte) 0x04);
            assertThat(b.getInt(0)).isEqualTo(0x01020304);
            assertThat(in.entry("b")).isEqualTo(new TensorEntry("b", DType.I32, new long[] {2}, 4, 12));
        }
    }

    @Test
    void readerRejectsBadRequests() throws IOException {
        Path file = dir.resolve("x.safetensors");
        SafetensorsWriter.create().addLongs("ids", new long[] {1}, new long[] {5}).write(file);
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            assertThatThrownBy(() -> in.entry("missing"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("x.safetensors: no tensor named 'missing'");
            assertThatThrownBy(() -> in.floats("ids"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tensor 'ids' has dtype I64");
            assertThatThrownBy(() -> in.data("missing")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void writerRejectsBadTensors() {
        SafetensorsWriter writer = SafetensorsWriter.create().addFloats("w", new long[] {2}, new float[] {1, 2});
        assertThatThrownBy(() -> writer.addFloats("w", new long[] {1}, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate tensor name 'w'");
        assertThatThrownBy(() -> writer.addFloats("__metadata__", new long[] {1}, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        assertThatThrownBy(() -> writer.addFloats("v", new long[] {2, 2}, new float[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor 'v' F32 [2, 2] needs 16 bytes but got 12");
        assertThatThrownBy(() -> writer.add("v", DType.F16, new long[] {3}, ByteBuffer.allocate(4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 6 bytes but got 4");
        assertThatThrownBy(() -> writer.addFloats("v", new long[] {-1}, new float[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad shape");
        assertThatThrownBy(() -> writer.addFloats("v", new long[] {1L << 40, 1L << 40}, new float[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad shape");
    }

    @Test
    void writerCopiesItsInputsAndLeavesThemAlone() throws IOException {
        long[] shape = {2};
        float[] values = {1, 2};
        ByteBuffer raw = le(8).putInt(3).putInt(4).flip();
        SafetensorsWriter writer = SafetensorsWriter.create()
                .addFloats("f", shape, values)
                .add("i", DType.I32, new long[] {2}, raw);
        shape[0] = 99;
        values[0] = 99;
        raw.putInt(0, 99);
        assertThat(raw.position()).isZero();
        Path file = dir.resolve("copy.safetensors");
        writer.write(file);
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            assertThat(in.entry("f").shape()).containsExactly(2);
            assertThat(in.floats("f")).containsExactly(1, 2);
            assertThat(in.longs("i")).containsExactly(3, 4);
        }
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Files.writeString(file, "old contents");
        SafetensorsWriter.create().addBytes("b", new long[] {1}, new byte[] {42}).write(file);
        try (SafetensorsFile in = SafetensorsFile.open(file);
                Stream<Path> files = Files.list(dir)) {
            assertThat(in.longs("b")).containsExactly(42);
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void failedWriteRemovesItsTemporaryFile() throws IOException {
        Path target = Files.createDirectory(dir.resolve("taken"));
        Files.writeString(target.resolve("child"), "keeps the directory non-empty");
        SafetensorsWriter writer = SafetensorsWriter.create().addBytes("b", new long[] {1}, new byte[] {1});
        assertThatThrownBy(() -> writer.write(target)).isInstanceOf(IOException.class);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void emptyWriterMakesAValidFile() throws IOException {
        Path file = dir.resolve("empty.safetensors");
        SafetensorsWriter.create().write(file);
        assertThat(Files.readAllBytes(file)).isEqualTo(HandBytes.file("{}      ", 0));
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            assertThat(in.tensors()).isEmpty();
            assertThat(in.metadata()).isEmpty();
        }
    }

    @Test
    void tensorEntryCopiesItsShape() {
        long[] shape = {2, 3};
        TensorEntry entry = new TensorEntry("t", DType.F16, shape, 10, 22);
        shape[0] = 5;
        entry.shape()[1] = 7;
        assertThat(entry.shape()).containsExactly(2, 3);
        assertThat(entry.numel()).isEqualTo(6);
        assertThat(entry.byteLength()).isEqualTo(12);
        assertThat(entry).hasSameHashCodeAs(new TensorEntry("t", DType.F16, new long[] {2, 3}, 10, 22));
        assertThatThrownBy(() -> new TensorEntry("t", DType.F16, shape, 10, 22))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of(DType.values())).allSatisfy(d -> assertThat(DType.parse(d.name())).isEqualTo(d));
        assertThatThrownBy(() -> DType.parse("F8_E4M3")).hasMessage("unknown dtype 'F8_E4M3'");
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
