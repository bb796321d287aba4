package io.github.diffusion4j.io;

import io.github.diffusion4j.engine.Scopes;
import io.github.diffusion4j.engine.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Moves libtorch tensors in and out of safetensors files (checkpoints hold tensors and metadata, no code). */
public final class TensorFiles {
    private TensorFiles() {}

    /** The safetensors dtype of a libtorch scalar type. */
    public static DType dtypeOf(ScalarType type) {
        return switch (type.intern()) {
            case Double -> DType.F64;
            case Float -> DType.F32;
            case Half -> DType.F16;
            case BFloat16 -> DType.BF16;
            case Long -> DType.I64;
            case Int -> DType.I32;
            case Short -> DType.I16;
            case Char -> DType.I8;
            case Byte -> DType.U8;
            case Bool -> DType.BOOL;
            default -> throw new IllegalArgumentException("no safetensors dtype for " + type);
        };
    }

    /** The libtorch scalar type of a safetensors dtype. */
    public static ScalarType scalarTypeOf(DType dtype) {
        return switch (dtype) {
            case F64 -> ScalarType.Double;
            case F32 -> ScalarType.Float;
            case F16 -> ScalarType.Half;
            case BF16 -> ScalarType.BFloat16;
            case I64 -> ScalarType.Long;
            case I32 -> ScalarType.Int;
            case I16 -> ScalarType.Short;
            case I8 -> ScalarType.Char;
            case U8 -> ScalarType.Byte;
            case BOOL -> ScalarType.Bool;
        };
    }

    /** Adds {@code tensor} (any device, any layout) to {@code writer} as little-endian C-order bytes. */
    public static SafetensorsWriter add(SafetensorsWriter writer, String name, Tensor tensor) {
        Tensor c = tensor.detach().cpu().contiguous();
        try {
            long n = c.nbytes();
            ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(n)).order(ByteOrder.LITTLE_ENDIAN);
            if (n > 0) {
                BytePointer p = new BytePointer(c.data_ptr()).capacity(n);
                bytes.put(p.asByteBuffer());
                bytes.flip();
            }
            return writer.add(name, dtypeOf(Tensors.scalarType(c)), c.shape(), bytes);
        } finally {
            c.close();
        }
    }

    /** Writes every tensor of {@code tensors} plus {@code metadata} to a file (temporary file, then rename). */
    public static void write(java.nio.file.Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        SafetensorsWriter w = SafetensorsWriter.create();
        metadata.forEach(w::metadata);
        tensors.forEach((name, t) -> add(w, name, t));
        w.write(file);
    }

    /** A CPU tensor holding a copy of tensor {@code name} of {@code file}. */
    public static Tensor read(SafetensorsFile file, String name) throws IOException {
        TensorEntry e = file.entry(name);
        ScalarType type = scalarTypeOf(e.dtype());
        if (e.byteLength() == 0) {
            return torch.zeros(e.shape(), new TensorOptions(type));
        }
        ByteBuffer data = file.data(name);
        ByteBuffer direct = data.isDirect() ? data : ByteBuffer.allocateDirect(data.remaining()).put(data.duplicate()).flip();
        return Scopes.keep(() -> {
            BytePointer p = new BytePointer(direct);
            Tensor view = torch.from_blob(p, e.shape(), new TensorOptions(type));
            return view.clone();
        });
    }

    /** Every tensor of {@code file}, by name, in data order. */
    public static Map<String, Tensor> readAll(SafetensorsFile file) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorEntry e : file.tensors()) {
            out.put(e.name(), read(file, e.name()));
        }
        return out;
    }
}
