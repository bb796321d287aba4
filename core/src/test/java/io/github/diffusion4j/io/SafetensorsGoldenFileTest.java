package io.github.diffusion4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files whose every byte is spelled out here, independent of the writer and reader under test. */
class SafetensorsGoldenFileTest {

    @TempDir
    Path dir;

    @Test
    void readsAHandWrittenFile() throws IOException {
        // Tensors listed out of offset order; header padded with spaces.
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"step\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[24,32]},"
                + "\"half\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[32,36]}}   ";
        byte[] data = {
            0x00, 0x00, (byte) 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40,         // weight 1.0, 2.0
            0x00, 0x00, 0x40, 0x40, 0x00, 0x00, (byte) 0x80, 0x40,         //        3.0, 4.0
            0x00, 0x00, 0x00, 0x3F, 0x00, 0x00, 0x00, (byte) 0xBF,         // bias   0.5, -0.5
            (byte) 0xE8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,         // step   1000
            0x00, 0x3C, 0x00, (byte) 0xC0,                                 // half   1.0, -2.0
        };
        byte[] header = json.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer file = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(header.length).put(header).put(data);
        Path path = dir.resolve("golden.safetensors");
        Files.write(path, file.array());

        try (SafetensorsFile in = SafetensorsFile.open(path)) {
            assertThat(in.metadata()).containsExactly(Map.entry("format", "pt"));
            assertThat(in.tensors()).containsExactly(
                    new TensorEntry("weight", DType.F32, new long[] {2, 2}, 0, 16),
                    new TensorEntry("bias", DType.F32, new long[] {2}, 16, 24),
                    new TensorEntry("step", DType.I64, new long[] {}, 24, 32),
                    new TensorEntry("half", DType.F16, new long[] {2}, 32, 36));
            assertThat(in.floats("weight")).containsExactly(1, 2, 3, 4);
            assertThat(in.floats("bias")).containsExactly(0.5f, -0.5f);
            assertThat(in.longs("step")).containsExactly(1000);
            assertThat(in.floats("half")).containsExactly(1, -2);
            assertThat(in.bytes("half")).containsExactly(0x00, 0x3C, 0x00, 0xC0);
        }
    }

    @Test
    void writerProducesExactlyTheExpectedBytes() throws IOException {
        Path path = dir.resolve("tiny.safetensors");
        SafetensorsWriter.create()
                .metadata("format", "pt")
                .addFloats("a", new long[] {2}, new float[] {1, -2})
                .addBytes("bb", new long[] {}, new byte[] {7})
                .write(path);

        String expectedHeader = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"bb\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[8,9]}}       "; // 137 + 7 spaces
        byte[] bytes = Files.readAllBytes(path);
        assertThat(Arrays.copyOfRange(bytes, 0, 8)).containsExactly(144, 0, 0, 0, 0, 0, 0, 0);
        assertThat(new String(bytes, 8, 144, StandardCharsets.UTF_8)).isEqualTo(expectedHeader);
        assertThat(Arrays.copyOfRange(bytes, 152, bytes.length)).containsExactly(
                0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x07);
    }
}
