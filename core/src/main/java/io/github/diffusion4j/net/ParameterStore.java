package io.github.diffusion4j.net;

import io.github.diffusion4j.engine.CounterRng;
import io.github.diffusion4j.engine.Tensors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The named tensors of a functional network: an insertion-ordered map of float32 leaf tensors
 * (trainable parameters with {@code requires_grad}, plus fixed buffers without), each drawn from a
 * seeded {@link CounterRng} stream.
 *
 * <p><b>Determinism.</b> The values of tensor {@code name} are a pure function of
 * {@code (seed, name, init)}: stream key {@code CounterRng.streamKey(seed, fnv1a64(name))}, element
 * {@code i} from counter {@code i}. Two stores built with the same seed are bit-identical, and adding
 * or renaming one tensor never changes another.
 *
 * <p><b>Native memory.</b> The store owns its tensors: they are created in a private
 * {@link PointerScope} and retained, so they survive whatever scope the caller had open, and they
 * are freed by {@link #close()}. Do not close the tensors handed out by the accessors.
 */
public final class ParameterStore implements AutoCloseable {

    /** How a tensor's initial values are drawn. */
    public sealed interface Init {
        /** U(−bound, bound). */
        record Uniform(double bound) implements Init {}

        /** N(0, std²). */
        record Normal(double std) implements Init {}

        /** Every element equal to {@code value}. */
        record Constant(double value) implements Init {}
    }

    private record Entry(Tensor tensor, long[] shape, Init init, Init reinit, boolean trainable) {}

    private final long seed;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private boolean closed;

    /** An empty store whose random draws come from {@code seed}. */
    public ParameterStore(long seed) {
        this.seed = seed;
    }

    /** The seed of the initial draws. */
    public long seed() {
        return seed;
    }

    /**
     * Adds a trainable float32 parameter.
     *
     * @param init   its initial values
     * @param reinit the scheme {@link #reinitialiseZeroInit} uses instead (for zero-initialised
     *               layers); {@code null} when the parameter is not zero-initialised
     */
    public Tensor parameter(String name, Init init, Init reinit, long... shape) {
        return add(name, init, reinit, true, shape);
    }

    /** Adds a fixed (non-trainable) float32 buffer, saved with the state but not optimised. */
    public Tensor buffer(String name, Init init, long... shape) {
        return add(name, init, null, false, shape);
    }

    private Tensor add(String name, Init init, Init reinit, boolean trainable, long[] shape) {
        checkOpen();
        if (entries.containsKey(name)) {
            throw new IllegalStateException("duplicate tensor name " + name);
        }
        float[] values = draw(seed, name, init, numel(shape));
        Tensor t;
        try (PointerScope ignored = new PointerScope()) {
            t = Tensors.fromFloats(values, shape);
            if (trainable) {
                t.requires_grad_(true);
            }
            t.retainReference(); // owned by the store, freed in close()
        }
        entries.put(name, new Entry(t, shape.clone(), init, reinit, trainable));
        return t;
    }

    /** The values of {@code init} for tensor {@code name} under {@code seed}. */
    static float[] draw(long seed, String name, Init init, int n) {
        float[] out = new float[n];
        long key = CounterRng.streamKey(seed, fnv1a64(name));
        if (init instanceof Init.Uniform u) {
            for (int i = 0; i < n; i++) {
                out[i] = (float) ((2 * CounterRng.uniform(key, i) - 1) * u.bound());
            }
        } else if (init instanceof Init.Normal g) {
            double[] z = new double[n];
            CounterRng.fillGaussian(key, z, 0, n);
            for (int i = 0; i < n; i++) {
                out[i] = (float) (z[i] * g.std());
            }
        } else if (init instanceof Init.Constant c) {
            Arrays.fill(out, (float) c.value());
        }
        return out;
    }

    /** FNV-1a, 64 bit, over the UTF-8 bytes of {@code s}: a stable stream id per tensor name. */
    static long fnv1a64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    private static int numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("bad shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return Math.toIntExact(n);
    }

    /** The tensor called {@code name}. */
    public Tensor get(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no tensor named " + name);
        }
        return e.tensor;
    }

    /** Trainable parameters by name, in creation order. */
    public Map<String, Tensor> trainable() {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        entries.forEach((k, e) -> {
            if (e.trainable) {
                m.put(k, e.tensor);
            }
        });
        return Collections.unmodifiableMap(m);
    }

    /** Fixed buffers by name, in creation order. */
    public Map<String, Tensor> buffers() {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        entries.forEach((k, e) -> {
            if (!e.trainable) {
                m.put(k, e.tensor);
            }
        });
        return Collections.unmodifiableMap(m);
    }

    /** Every tensor (parameters and buffers) by name, in creation order. */
    public Map<String, Tensor> all() {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        entries.forEach((k, e) -> m.put(k, e.tensor));
        return Collections.unmodifiableMap(m);
    }

    /** The trainable parameters in creation order (for an optimiser). */
    public List<Tensor> parameters() {
        return List.copyOf(trainable().values());
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (Entry e : entries.values()) {
            if (e.trainable) {
                n += numel(e.shape);
            }
        }
        return n;
    }

    /** Shape of tensor {@code name}. */
    public long[] shape(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no tensor named " + name);
        }
        return e.shape.clone();
    }

    /**
     * Copies {@code values} into the store. Every trainable parameter must be present; buffers may
     * be (and are then overwritten) or may be left out (and keep their constructed values). Nothing
     * is copied unless every name and shape checks out.
     *
     * @throws IllegalArgumentException naming every missing, unexpected or mis-shaped tensor
     */
    public void load(Map<String, Tensor> values) {
        checkOpen();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (e.getValue().trainable && !values.containsKey(e.getKey())) {
                problems.add("missing tensor " + e.getKey() + " " + Arrays.toString(e.getValue().shape));
            }
        }
        for (String k : new TreeSet<>(values.keySet())) {
            Entry e = entries.get(k);
            if (e == null) {
                problems.add("unexpected tensor " + k);
                continue;
            }
            Tensor v = values.get(k);
            long[] got = Tensors.shape(v);
            if (!Arrays.equals(got, e.shape)) {
                problems.add("tensor " + k + " has shape " + Arrays.toString(got) + ", expected " + Arrays.toString(e.shape));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot load parameters: " + String.join("; ", problems));
        }
        try (PointerScope ignored = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> v : values.entrySet()) {
                entries.get(v.getKey()).tensor.copy_(v.getValue());
            }
        }
    }

    /**
     * Redraws every zero-initialised parameter (those created with a non-null {@code reinit}) from
     * its {@code reinit} scheme under {@code newSeed}. Used by tests that need every path of the
     * network to carry signal, and by ablations of zero initialisation.
     */
    public void reinitialiseZeroInit(long newSeed) {
        checkOpen();
        try (PointerScope ignored = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                Entry en = e.getValue();
                if (en.reinit != null) {
                    float[] values = draw(newSeed, e.getKey(), en.reinit, numel(en.shape));
                    en.tensor.copy_(Tensors.fromFloats(values, en.shape));
                }
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("parameter store is closed");
        }
    }

    /** Frees every tensor; the store is unusable afterwards. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            for (Entry e : entries.values()) {
                e.tensor.releaseReference();
            }
        }
    }
}
