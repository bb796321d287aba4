package io.github.diffusion4j.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a safetensors file (https://github.com/huggingface/safetensors): its name, dtype, shape
 * and its byte range {@code [begin, end)} within the data buffer.
 */
public record TensorEntry(String name, DType dtype, long[] shape, long begin, long end) {

    /**
     * @throws IllegalArgumentException if a dimension is negative, the range is not {@code 0 <= begin <= end},
     *     or its length is not what {@code dtype} and {@code shape} need
     */
    public TensorEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        if (begin < 0 || begin > end) {
            throw new IllegalArgumentException("tensor '" + name + "' has bad range [" + begin + ", " + end + "]");
        }
        if (dtype.byteSize(shape) != end - begin) {
            throw new IllegalArgumentException("tensor '" + name + "' range [" + begin + ", " + end
                    + "] does not fit " + dtype + " " + Arrays.toString(shape));
        }
    }

    /** A copy of the shape; empty for a scalar. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements: the product of the shape, 1 for a scalar. */
    public long numel() {
        return byteLength() / dtype.byteSize();
    }

    /** Number of bytes, {@code end - begin}. */
    public long byteLength() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorEntry t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + ": " + dtype + " " + Arrays.toString(shape) + " @ [" + begin + ", " + end + ")";
    }
}
