package io.github.diffusion4j.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds safetensors files byte by byte for tests, without the writer under test. */
final class HandBytes {

    private HandBytes() {
    }

    /** The 8-byte little-endian length of {@code header}, then {@code header} as UTF-8, then {@code data}. */
    static byte[] file(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return withLength(json.length, json, data);
    }

    /** {@code header} followed by {@code dataLength} zero bytes. */
    static byte[] file(String header, int dataLength) {
        return file(header, new byte[dataLength]);
    }

    /** An 8-byte little-endian {@code length} followed by {@code parts}, whatever the length says. */
    static byte[] withLength(long length, byte[]... parts) {
        int size = 8;
        for (byte[] part : parts) {
            size += part.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN).putLong(length);
        for (byte[] part : parts) {
            buffer.put(part);
        }
        return buffer.array();
    }

    /** Little-endian bytes of the given floats. */
    static byte[] f32(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }
}
