package io.github.diffusion4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.testing.Golden;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The block DCT (Relay Diffusion, Teng et al. 2024, Sec. 3.2): orthonormal (round trip and Parseval
 * in float64), any H×W that p divides, and the official {@code blurring.dct_2d(x, p, 'ortho')}
 * (RelayDiffusion a97877fc; shared/golden/relay.npz {@code dct_p2}, {@code dct_p4}).
 */
class BlockDctTest {
    static Golden g;

    @BeforeAll
    static void load() {
        Engine.init();
        g = Golden.load("relay.npz");
    }

    static Tensor random(long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return Tensors.fromDoubles(v, shape);
    }

    @Test
    void matrixIsOrthonormal() {
        for (int p : new int[] {1, 2, 3, 4, 8}) {
            double[] m = BlockDct.matrix(p);
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < p; j++) {
                    double dot = 0;
                    for (int k = 0; k < p; k++) {
                        dot += m[i * p + k] * m[j * p + k];
                    }
                    assertThat(Math.abs(dot - (i == j ? 1 : 0))).as("p=%d (%d,%d)", p, i, j).isLessThan(p * 0x1p-52); // p rounded products
                }
            }
        }
    }

    @Test
    void roundTripIsExactAndParsevalHoldsForSquareAndNonSquareImages() {
        long[][] shapes = {{2, 3, 16, 16}, {1, 2, 8, 24}, {3, 1, 12, 4}, {1, 1, 16, 40}};
        int[] patches = {2, 4, 8};
        long seed = 0;
        for (long[] shape : shapes) {
            for (int p : patches) {
                if (shape[2] % p != 0 || shape[3] % p != 0) {
                    continue;
                }
                try (PointerScope scope = new PointerScope()) {
                    BlockDct dct = new BlockDct(p);
                    Tensor x = random(seed++, shape);
                    Tensor u = dct.forward(x);
                    assertThat(u.shape()).containsExactly(shape);
                    double err = dct.inverse(u).sub(x).abs().max().item_double();
                    assertThat(err).as("round trip p=%d %s", p, java.util.Arrays.toString(shape)).isLessThan(1e-12);
                    double ex = x.pow(new org.bytedeco.pytorch.Scalar(2.0)).sum().item_double();
                    double eu = u.pow(new org.bytedeco.pytorch.Scalar(2.0)).sum().item_double();
                    assertThat(Math.abs(ex - eu)).as("Parseval p=%d", p).isLessThan(1e-12 * ex);
                    // the coefficient view and the in-place layout hold the same numbers
                    assertThat(Tensors.toDoubles(dct.coefficients(x).contiguous())).containsExactly(Tensors.toDoubles(u));
                }
            }
        }
    }

    @Test
    void coefficientLayoutIsThePatchsDctInPlace() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x = random(9, 1, 1, 4, 8);
            double[] u = Tensors.toDoubles(new BlockDct(4).forward(x));
            double[] xs = Tensors.toDoubles(x);
            double[] m = BlockDct.matrix(4);
            for (int j = 0; j < 2; j++) { // patch (0, j)
                for (int a = 0; a < 4; a++) {
                    for (int b = 0; b < 4; b++) {
                        double want = 0;
                        for (int y = 0; y < 4; y++) {
                            for (int xx = 0; xx < 4; xx++) {
                                want += m[a * 4 + y] * m[b * 4 + xx] * xs[y * 8 + j * 4 + xx];
                            }
                        }
                        assertThat(u[a * 8 + j * 4 + b]).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-13));
                    }
                }
            }
        }
    }

    @Test
    void matchesTheOfficialDct2d() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x = g.tensor("x");
            g.assertClose(new BlockDct(2).forward(x), "dct_p2", 1e-12);
            g.assertClose(new BlockDct(4).forward(x), "dct_p4", 1e-12);
            g.assertClose(new BlockDct(4).inverse(g.tensor("dct_p4")), "x", 1e-12);
        }
    }

    @Test
    void rejectsImagesThePatchDoesNotDivide() {
        try (PointerScope scope = new PointerScope()) {
            assertThatThrownBy(() -> new BlockDct(4).forward(random(1, 1, 1, 8, 6)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8x6");
        }
    }
}
