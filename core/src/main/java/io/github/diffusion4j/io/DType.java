package io.github.diffusion4j.io;

/** Element type of a tensor, named as in the safetensors header (https://github.com/huggingface/safetensors). */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /**
     * Returns the dtype whose header name is {@code name}, e.g. {@code "F32"}.
     *
     * @throws IllegalArgumentException naming {@code name} if no dtype has it
     */
    public static DType parse(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + name + "'");
    }

    /**
     * Returns the byte size of a tensor of this dtype with the given shape (an empty shape is a scalar).
     *
     * @throws IllegalArgumentException if a dimension is negative
     * @throws ArithmeticException if the byte size does not fit in a {@code long}
     */
    public long byteSize(long[] shape) {
        long bytes = byteSize;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension " + dim);
            }
            bytes = Math.multiplyExact(bytes, dim);
        }
        return bytes;
    }
}
