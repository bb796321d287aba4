package io.github.diffusion4j.testing;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A SHA-256 over the exact bytes of tensors and numbers, for bit-identity checks of refactors: the
 * digest of a computation recorded with the old code must equal the one of the new code. Float
 * tensors of any dtype are hashed as float32 (exact for float32, bf16 and f16), float64 as float64.
 */
public final class Digest {
    private final MessageDigest sha;

    public Digest() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The machine the recorded digests belong to: libtorch's CPU kernel family and the intra-op thread count. */
    public static String environment() {
        return torch.get_cpu_capability().getString() + "/threads=" + Engine.threads();
    }

    public Digest add(String s) {
        sha.update(s.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        return this;
    }

    public Digest add(double v) {
        sha.update(ByteBuffer.allocate(8).putDouble(v).array());
        return this;
    }

    public Digest add(long v) {
        sha.update(ByteBuffer.allocate(8).putLong(v).array());
        return this;
    }

    /** The shape, the dtype and every element of {@code t}. */
    public Digest add(Tensor t) {
        for (long d : Tensors.shape(t)) {
            add(d);
        }
        add(Tensors.scalarType(t).toString());
        if (Tensors.scalarType(t) == torch.ScalarType.Double) {
            double[] v = Tensors.toDoubles(t);
            ByteBuffer b = ByteBuffer.allocate(8 * v.length);
            for (double x : v) {
                b.putDouble(x);
            }
            sha.update(b.array());
        } else {
            float[] v = Tensors.toFloats(t);
            ByteBuffer b = ByteBuffer.allocate(4 * v.length);
            for (float x : v) {
                b.putFloat(x);
            }
            sha.update(b.array());
        }
        return this;
    }

    public Digest add(double[][] rows) {
        for (double[] r : rows) {
            add(r.length);
            for (double x : r) {
                add(x);
            }
        }
        return this;
    }

    public String hex() {
        return HexFormat.of().formatHex(sha.digest());
    }
}
