package io.github.diffusion4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Offsets past 2 GiB, using a sparse file so that nothing of that size is written. */
class LargeOffsetTest {

    private static final long BIG = (1L << 31) + 16;

    @TempDir
    Path dir;

    @Test
    @Timeout(10)
    void readsATensorStoredPastTwoGibibytes() throws IOException {
        String header = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + BIG + "],\"data_offsets\":[0," + BIG + "]},"
                + "\"small\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + BIG + "," + (BIG + 8) + "]}}";
        byte[] head = HandBytes.file(header, 0);
        Path path = dir.resolve("sparse.safetensors");
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.write(head);
            file.setLength(head.length + BIG + 8);
            file.seek(head.length + BIG);
            file.write(HandBytes.f32(1.5f, -7f));
        }

        try (SafetensorsFile in = SafetensorsFile.open(path)) {
            assertThat(in.entry("small").begin()).isGreaterThan(Integer.MAX_VALUE);
            assertThat(in.floats("small")).containsExactly(1.5f, -7f);
            assertThat(in.entry("big").byteLength()).isEqualTo(BIG);
            assertThatThrownBy(() -> in.data("big"))
                    .isInstanceOf(IOException.class)
                    .hasMessage("sparse.safetensors: tensor 'big' has 2147483664 bytes, more than the 2147483647"
                            + " a ByteBuffer can hold");
        }
    }
}
