package io.github.diffusion4j.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Moves data between Java arrays and tensors, and small tensor helpers used across the library. */
public final class Tensors {
    private Tensors() {}

    /** A float64 CPU tensor holding a copy of {@code values} with the given shape. */
    public static Tensor fromDoubles(double[] values, long... shape) {
        try (DoublePointer p = new DoublePointer(values)) {
            Tensor view = torch.from_blob(p, shape, new TensorOptions(ScalarType.Double));
            Tensor copy = view.clone();
            view.close();
            return copy;
        }
    }

    /** A float32 CPU tensor holding a copy of {@code values} with the given shape. */
    public static Tensor fromFloats(float[] values, long... shape) {
        try (FloatPointer p = new FloatPointer(values)) {
            Tensor view = torch.from_blob(p, shape, new TensorOptions(ScalarType.Float));
            Tensor copy = view.clone();
            view.close();
            return copy;
        }
    }

    /** The elements of {@code t} (any float dtype, any device) as a Java array, in C order. */
    public static double[] toDoubles(Tensor t) {
        Tensor c = t.to(ScalarType.Double).cpu().contiguous();
        double[] out = new double[Math.toIntExact(c.numel())];
        DoubleBuffer buf = c.createBuffer();
        buf.get(out);
        c.close();
        return out;
    }

    /** The elements of {@code t} as float32, in C order. */
    public static float[] toFloats(Tensor t) {
        Tensor c = t.to(ScalarType.Float).cpu().contiguous();
        float[] out = new float[Math.toIntExact(c.numel())];
        FloatBuffer buf = c.createBuffer();
        buf.get(out);
        c.close();
        return out;
    }

    /** A float64 tensor of shape {@code [batch]} filled with {@code value}. */
    public static Tensor full(long batch, double value) {
        return torch.full(new long[] {batch}, new Scalar(value), new TensorOptions(ScalarType.Double));
    }

    /** {@code sigma} (shape {@code [B]}) reshaped to {@code [B, 1, 1, ...]} to broadcast against {@code like}. */
    public static Tensor broadcastable(Tensor sigma, Tensor like) {
        long[] shape = new long[(int) like.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = sigma.size(0);
        return sigma.reshape(shape);
    }

    /**
     * The scalar type of {@code t} as one of the {@link ScalarType} constants. JavaCPP returns a
     * fresh enum instance (ordinal 0) from {@code scalar_type()}, so {@code ==} and {@code switch}
     * on it are wrong; this maps it back through its value.
     */
    public static ScalarType scalarType(Tensor t) {
        return t.scalar_type().intern();
    }

    /** A libtorch scalar. */
    public static Scalar scalar(double v) {
        return new Scalar(v);
    }

    /** An int64 CPU tensor of shape {@code [values.length]} holding a copy of {@code values}. */
    public static Tensor fromLongs(long[] values) {
        try (LongPointer p = new LongPointer(values)) {
            Tensor view = torch.from_blob(p, new long[] {values.length}, new TensorOptions(ScalarType.Long));
            Tensor copy = view.clone();
            view.close();
            return copy;
        }
    }

    /** The elements of {@code t} (any integer or float dtype, any device) as int64, in C order. */
    public static long[] toLongs(Tensor t) {
        Tensor c = t.to(ScalarType.Long).cpu().contiguous();
        long[] out = new long[Math.toIntExact(c.numel())];
        LongBuffer buf = c.createBuffer();
        buf.get(out);
        c.close();
        return out;
    }

    /** Concatenation of {@code parts} along {@code dim}. */
    public static Tensor cat(long dim, Tensor... parts) {
        return torch.cat(new TensorVector(parts), dim);
    }

    /** The sizes of {@code t}, one per dimension. */
    public static long[] shape(Tensor t) {
        long[] s = new long[(int) t.dim()];
        for (int i = 0; i < s.length; i++) {
            s[i] = t.size(i);
        }
        return s;
    }
}
