package io.github.diffusion4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds .npy and .npz files byte by byte for tests, without the writer under test. */
final class NumpyBytes {
    /**
     * numpy.save of a (2, 3) float64 array: magic, version 1.0, header length 118 (0x76), the dict,
     * 58 spaces and a newline (10 + 118 = 128 bytes), then the data.
     */
    static final String HEADER_2X3_F8 = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }" + " ".repeat(58) + "\n";
    /** numpy.save of a (5,) float32 array: the dict, 60 spaces and a newline, also 118 bytes. */
    static final String HEADER_5_F4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }" + " ".repeat(60) + "\n";

    private NumpyBytes() {}

    /** \x93NUMPY, version 1.0, the 2-byte little-endian header length, the header (latin-1), then {@code data}. */
    static byte[] v1(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(10 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
                .putShort((short) h.length).put(h).put(data).array();
    }

    /** Version {@code major}.0 with a 4-byte header length (major 2: latin-1, major 3: UTF-8). */
    static byte[] v2or3(int major, String header, byte[] data) {
        byte[] h = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(12 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) major).put((byte) 0)
                .putInt(h.length).put(h).put(data).array();
    }

    static byte[] f8(double... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }

    static byte[] f4(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static byte[] i8(long... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    static byte[] i4(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    /** A zip of the given (name, bytes) pairs, every entry STORED (as numpy.savez) or DEFLATED (as savez_compressed). */
    static byte[] zip(boolean deflated, Object... nameBytesPairs) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (int i = 0; i < nameBytesPairs.length; i += 2) {
                byte[] bytes = (byte[]) nameBytesPairs[i + 1];
                ZipEntry entry = new ZipEntry((String) nameBytesPairs[i]);
                if (deflated) {
                    entry.setMethod(ZipEntry.DEFLATED);
                } else {
                    CRC32 crc = new CRC32();
                    crc.update(bytes);
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(bytes.length);
                    entry.setCompressedSize(bytes.length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }
}
