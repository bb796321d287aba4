package io.github.diffusion4j.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file (https://github.com/huggingface/safetensors) opened for reading: the header is read and
 * fully validated by {@link #open}, and each tensor's bytes are memory-mapped on request.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Largest header accepted, as in the reference implementation. */
    static final long MAX_HEADER_LENGTH = 100_000_000L;

    private static final Set<DType> FLOATING = EnumSet.of(DType.F64, DType.F32, DType.F16, DType.BF16);
    private static final Set<DType> INTEGRAL = EnumSet.of(DType.I64, DType.I32, DType.I16, DType.I8, DType.U8);

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final SafetensorsHeader header;
    private final Map<String, TensorEntry> byName = new LinkedHashMap<>();

    private SafetensorsFile(Path path, FileChannel channel) throws IOException {
        this.path = path;
        this.channel = channel;
        long size = channel.size();
        if (size < 8) {
            throw fail("file is " + size + " bytes, shorter than the 8-byte header length");
        }
        long headerLength = read(0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength == 0) {
            throw fail("header length is 0");
        }
        if (Long.compareUnsigned(headerLength, MAX_HEADER_LENGTH) > 0) {
            throw fail("header length " + Long.toUnsignedString(headerLength) + " exceeds the "
                    + MAX_HEADER_LENGTH + "-byte limit");
        }
        if (headerLength > size - 8) {
            throw fail("header length " + headerLength + " runs past the end of the file (" + size + " bytes)");
        }
        this.dataStart = 8 + headerLength;
        this.header = new SafetensorsHeader(path, decodeUtf8(read(8, (int) headerLength)), size - dataStart);
        header.tensors.forEach(t -> byName.put(t.name(), t));
    }

    /**
     * Opens and validates {@code path}; only the header is read.
     *
     * @throws SafetensorsFormatException if the file is not valid safetensors
     */
    public static SafetensorsFile open(Path path) throws IOException {
        if (java.nio.file.Files.exists(path) && !java.nio.file.Files.isRegularFile(path)) {
            // a directory, FIFO or device: opening a FIFO would block until a writer appears
            throw new SafetensorsFormatException(path, "not a regular file");
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new SafetensorsFile(path, channel);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The file this was opened from. */
    public Path path() {
        return path;
    }

    @Override
    public String toString() {
        return path.getFileName().toString();
    }

    /** The {@code __metadata__} strings, empty if there are none. */
    public Map<String, String> metadata() {
        return header.metadata;
    }

    /** All tensors, in the order of their bytes in the file. */
    public List<TensorEntry> tensors() {
        return header.tensors;
    }

    /** @throws IllegalArgumentException if there is no tensor called {@code name} */
    public TensorEntry entry(String name) {
        TensorEntry entry = byName.get(name);
        if (entry == null) {
            throw new InputException(path.getFileName() + ": no tensor named '" + name + "'");
        }
        return entry;
    }

    /**
     * A read-only little-endian buffer mapped over exactly the bytes of tensor {@code name}.
     *
     * @throws IOException if the tensor is larger than a buffer can hold ({@link Integer#MAX_VALUE} bytes)
     */
    public ByteBuffer data(String name) throws IOException {
        TensorEntry entry = entry(name);
        if (entry.byteLength() > Integer.MAX_VALUE) {
            throw new IOException(path.getFileName() + ": tensor '" + name + "' has " + entry.byteLength()
                    + " bytes, more than the " + Integer.MAX_VALUE + " a ByteBuffer can hold");
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + entry.begin(), entry.byteLength())
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The values of an F32, F16, BF16 or F64 tensor as floats (F64 rounded). */
    public float[] floats(String name) throws IOException {
        DType dtype = dtypeOf(name, FLOATING, "floating-point");
        ByteBuffer data = data(name);
        float[] values = new float[data.remaining() / dtype.byteSize()];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (dtype) {
                case F64 -> (float) data.getDouble();
                case F16 -> HalfFloats.halfToFloat(data.getShort());
                case BF16 -> HalfFloats.bfloat16ToFloat(data.getShort());
                default -> data.getFloat();
            };
        }
        return values;
    }

    /** The values of an F64, F32, F16 or BF16 tensor as doubles. */
    public double[] doubles(String name) throws IOException {
        DType dtype = dtypeOf(name, FLOATING, "floating-point");
        ByteBuffer data = data(name);
        double[] values = new double[data.remaining() / dtype.byteSize()];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (dtype) {
                case F32 -> data.getFloat();
                case F16 -> HalfFloats.halfToFloat(data.getShort());
                case BF16 -> HalfFloats.bfloat16ToFloat(data.getShort());
                default -> data.getDouble();
            };
        }
        return values;
    }

    /** The values of an I64, I32, I16, I8 or U8 tensor as longs (U8 unsigned). */
    public long[] longs(String name) throws IOException {
        DType dtype = dtypeOf(name, INTEGRAL, "integer");
        ByteBuffer data = data(name);
        long[] values = new long[data.remaining() / dtype.byteSize()];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (dtype) {
                case I32 -> data.getInt();
                case I16 -> data.getShort();
                case I8 -> data.get();
                case U8 -> Byte.toUnsignedLong(data.get());
                default -> data.getLong();
            };
        }
        return values;
    }

    /** A copy of the raw little-endian bytes of tensor {@code name}, whatever its dtype. */
    public byte[] bytes(String name) throws IOException {
        ByteBuffer data = data(name);
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return bytes;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private DType dtypeOf(String name, Set<DType> allowed, String kind) {
        DType dtype = entry(name).dtype();
        if (!allowed.contains(dtype)) {
            throw new InputException(path.getFileName() + ": tensor '" + name + "' has dtype " + dtype
                    + ", not one of the " + kind + " dtypes " + allowed);
        }
        return dtype;
    }

    private ByteBuffer read(long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new EOFException(path.getFileName() + ": file shrank while being read");
            }
        }
        return buffer.flip();
    }

    private String decodeUtf8(ByteBuffer bytes) throws SafetensorsFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            throw fail("header is not valid UTF-8 (bad byte at header offset " + bytes.position() + ")");
        }
    }

    private SafetensorsFormatException fail(String problem) {
        return new SafetensorsFormatException(path, problem);
    }
}
