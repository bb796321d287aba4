package io.github.diffusion4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Collects tensors and metadata and writes them as one safetensors file
 * (https://github.com/huggingface/safetensors): tensors contiguous in insertion order, the header padded
 * with spaces to a multiple of 8 bytes, the file replaced atomically.
 */
public final class SafetensorsWriter {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final Map<String, String> metadata = new TreeMap<>(); // sorted: the same file bytes whatever map the caller passed
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    private record Tensor(DType dtype, long[] shape, ByteBuffer data) {
    }

    private SafetensorsWriter() {
    }

    /** A writer with no tensors and no metadata. */
    public static SafetensorsWriter create() {
        return new SafetensorsWriter();
    }

    /** Sets a {@code __metadata__} entry, replacing any earlier value for {@code key}. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Adds a tensor whose little-endian bytes are the remaining bytes of {@code data}; they are copied, and
     * {@code data}'s position is left alone.
     *
     * @throws IllegalArgumentException if the name is taken or reserved, a dimension is negative, or the byte
     *     count is not what {@code dtype} and {@code shape} need
     */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, ByteBuffer data) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        long[] dims = shape.clone();
        if (name.equals(SafetensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("tensor name '" + name + "' is reserved for the metadata");
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        String tensor = "tensor '" + name + "' " + dtype + " " + Arrays.toString(dims);
        long needed;
        try {
            needed = dtype.byteSize(dims);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IllegalArgumentException(tensor + ": bad shape", e);
        }
        if (data.remaining() != needed) {
            throw new IllegalArgumentException(tensor + " needs " + needed + " bytes but got " + data.remaining());
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
        tensors.put(name, new Tensor(dtype, dims, copy.asReadOnlyBuffer()));
        return this;
    }

    /** Adds an F32 tensor. */
    public SafetensorsWriter addFloats(String name, long[] shape, float[] values) {
        ByteBuffer data = buffer(values.length, 4);
        data.asFloatBuffer().put(values);
        return add(name, DType.F32, shape, data);
    }

    /** Adds an F64 tensor. */
    public SafetensorsWriter addDoubles(String name, long[] shape, double[] values) {
        ByteBuffer data = buffer(values.length, 8);
        data.asDoubleBuffer().put(values);
        return add(name, DType.F64, shape, data);
    }

    /** Adds an I64 tensor. */
    public SafetensorsWriter addLongs(String name, long[] shape, long[] values) {
        ByteBuffer data = buffer(values.length, 8);
        data.asLongBuffer().put(values);
        return add(name, DType.I64, shape, data);
    }

    /** Adds an I32 tensor. */
    public SafetensorsWriter addInts(String name, long[] shape, int[] values) {
        ByteBuffer data = buffer(values.length, 4);
        data.asIntBuffer().put(values);
        return add(name, DType.I32, shape, data);
    }

    /** Adds a U8 tensor. */
    public SafetensorsWriter addBytes(String name, long[] shape, byte[] values) {
        return add(name, DType.U8, shape, ByteBuffer.wrap(values));
    }

    /** Adds an F16 tensor, each value rounded to nearest, ties to even. */
    public SafetensorsWriter addHalf(String name, long[] shape, float[] values) {
        ByteBuffer data = buffer(values.length, 2);
        for (float value : values) {
            data.putShort(HalfFloats.floatToHalf(value));
        }
        return add(name, DType.F16, shape, data.flip());
    }

    /** Adds a BF16 tensor, each value rounded to nearest, ties to even. */
    public SafetensorsWriter addBFloat16(String name, long[] shape, float[] values) {
        ByteBuffer data = buffer(values.length, 2);
        for (float value : values) {
            data.putShort(HalfFloats.floatToBFloat16(value));
        }
        return add(name, DType.BF16, shape, data.flip());
    }

    /**
     * Writes the file to a temporary file beside {@code target}, then renames it over {@code target}
     * atomically; the temporary file is removed if anything fails.
     */
    public void write(Path target) throws IOException {
        byte[] header = header();
        AtomicFiles.write(target, (channel, out) -> {
            writeFully(channel, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
            writeFully(channel, ByteBuffer.wrap(header));
            for (Tensor tensor : tensors.values()) {
                writeFully(channel, tensor.data().duplicate());
            }
        });
    }

    /** The JSON header, UTF-8, padded with spaces to a multiple of 8 bytes. */
    private byte[] header() {
        ObjectNode root = MAPPER.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            Tensor tensor = entry.getValue();
            ObjectNode node = root.putObject(entry.getKey());
            node.put("dtype", tensor.dtype().name());
            ArrayNode shape = node.putArray("shape");
            Arrays.stream(tensor.shape()).forEach(shape::add);
            long end = offset + tensor.data().remaining();
            node.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = MAPPER.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        byte[] padded = Arrays.copyOf(json, (json.length + 7) & ~7);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }

    private static ByteBuffer buffer(int count, int elementSize) {
        return ByteBuffer.allocate(Math.multiplyExact(count, elementSize)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
