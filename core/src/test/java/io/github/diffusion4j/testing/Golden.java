package io.github.diffusion4j.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.io.Npy;
import io.github.diffusion4j.io.Npz;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Golden arrays from the official implementations (test resources {@code /golden/*.npz}, copied
 * from shared/golden; see that folder's README): loading, and comparison with a relative tolerance.
 */
public record Golden(String file, Map<String, Npy.Array> arrays) {
    /** The arrays of test resource {@code /golden/<file>}. */
    public static Golden load(String file) {
        try {
            return new Golden(file, Npz.read(Path.of(Golden.class.getResource("/golden/" + file).toURI())));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read golden fixture " + file, e);
        }
    }

    /** The array {@code name}. */
    public Npy.Array array(String name) {
        Npy.Array a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException(file + " has no array '" + name + "'");
        }
        return a;
    }

    /** The array {@code name} as a float64 tensor of its shape. */
    public Tensor tensor(String name) {
        Npy.Array a = array(name);
        return Tensors.fromDoubles(a.data(), a.shape());
    }

    /** The array {@code name} as ints (timesteps, indices). */
    public int[] ints(String name) {
        return java.util.Arrays.stream(array(name).data()).mapToInt(v -> (int) v).toArray();
    }

    /** Every element of {@code got} within {@code tol}·(1 + |golden|) of array {@code name}. */
    public void assertClose(Tensor got, String name, double tol) {
        double[] a = Tensors.toDoubles(got), b = array(name).data();
        assertThat(a).as(name).hasSize(b.length);
        for (int i = 0; i < a.length; i++) {
            assertThat(Math.abs(a[i] - b[i])).as("%s[%d]: %s vs %s", name, i, a[i], b[i]).isLessThanOrEqualTo(tol * (1 + Math.abs(b[i])));
        }
    }
}
