package io.github.diffusion4j.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.net.ParameterStore;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Linear and Conv2d (strided, rectangular, without bias): shapes, parameter counts, FLOPs, values against loops, initialisation schemes. */
class LinearConvTest {

    @BeforeAll
    static void init() {
        Engine.init();
    }

    static float[] ramp(int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (Math.sin(1.3 * i + 0.2) * scale);
        }
        return v;
    }

    @Test
    void linearIsXWTransposedPlusBias() {
        try (ParameterStore store = new ParameterStore(3); PointerScope s = new PointerScope()) {
            Linear lin = new Linear(store, "fc", 3, 2);
            assertThat(lin.parameterCount()).isEqualTo(3 * 2 + 2).isEqualTo(store.parameterCount());
            assertThat(store.trainable().keySet()).containsExactly("fc.weight", "fc.bias");
            assertThat(lin.outputShape(4, 5, 3)).containsExactly(4, 5, 2);
            assertThat(lin.flops(4, 5, 3)).isEqualTo(2.0 * 3 * 2 * 20);
            float[] w = {1, 2, 3, -1, 0.5f, 0};
            float[] b = {0.25f, -2};
            store.load(Map.of("fc.weight", Tensors.fromFloats(w, 2, 3), "fc.bias", Tensors.fromFloats(b, 2)));
            float[] x = {1, -1, 2, 0, 3, 1};
            double[] y = Tensors.toDoubles(lin.forward(Tensors.fromFloats(x, 2, 3)));
            double[] expected = new double[4];
            for (int r = 0; r < 2; r++) {
                for (int o = 0; o < 2; o++) {
                    double acc = b[o];
                    for (int i = 0; i < 3; i++) {
                        acc += x[r * 3 + i] * w[o * 3 + i];
                    }
                    expected[r * 2 + o] = acc;
                }
            }
            assertThat(y).containsExactly(expected, within(1e-6));
            assertThatThrownBy(() -> lin.outputShape(4, 2)).hasMessageContaining("Linear fc");
        }
    }

    @Test
    void linearWithoutBiasCastsItsWeightToTheInputDtype() {
        try (ParameterStore store = new ParameterStore(3); PointerScope s = new PointerScope()) {
            Linear lin = new Linear(store, "p", 4, 3, false, WeightInit.KAIMING_UNIFORM);
            assertThat(lin.parameterCount()).isEqualTo(12);
            Tensor y = lin.forward(Tensors.fromFloats(ramp(8, 1), 2, 4).to(ScalarType.BFloat16));
            assertThat(Tensors.scalarType(y)).isEqualTo(ScalarType.BFloat16);
            y.sum().backward();
            assertThat(Tensors.scalarType(store.get("p.weight").grad())).isEqualTo(ScalarType.Float);
        }
    }

    @Test
    void stridedRectangularConvolutionMatchesALoop() {
        int cin = 2;
        int cout = 3;
        int kh = 3;
        int kw = 2;
        int sh = 2;
        int sw = 1;
        int ph = 1;
        int pw = 0;
        int h = 5;
        int w = 4;
        try (ParameterStore store = new ParameterStore(9); PointerScope s = new PointerScope()) {
            Conv2d conv = new Conv2d(store, "c", cin, cout, kh, kw, sh, sw, ph, pw, true, WeightInit.KAIMING_UNIFORM);
            assertThat(conv.parameterCount()).isEqualTo(cout * cin * kh * kw + cout).isEqualTo(store.parameterCount());
            long[] out = conv.outputShape(2, cin, h, w);
            int ho = (h + 2 * ph - kh) / sh + 1; // 3
            int wo = (w + 2 * pw - kw) / sw + 1; // 3
            assertThat(out).containsExactly(2, cout, ho, wo);
            assertThat(conv.flops(2, cin, h, w)).isEqualTo(2.0 * cin * cout * kh * kw * ho * wo * 2);

            float[] x = ramp(2 * cin * h * w, 1);
            float[] wt = Tensors.toFloats(store.get("c.weight"));
            float[] bias = Tensors.toFloats(store.get("c.bias"));
            Tensor y = conv.forward(Tensors.fromFloats(x, 2, cin, h, w));
            assertThat(Tensors.shape(y)).containsExactly(out);
            double[] got = Tensors.toDoubles(y);
            int k = 0;
            for (int n = 0; n < 2; n++) {
                for (int o = 0; o < cout; o++) {
                    for (int i = 0; i < ho; i++) {
                        for (int j = 0; j < wo; j++) {
                            double acc = bias[o];
                            for (int c = 0; c < cin; c++) {
                                for (int a = 0; a < kh; a++) {
                                    for (int bb = 0; bb < kw; bb++) {
                                        int yy = i * sh - ph + a;
                                        int xx = j * sw - pw + bb;
                                        if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                            acc += wt[((o * cin + c) * kh + a) * kw + bb] * x[((n * cin + c) * h + yy) * w + xx];
                                        }
                                    }
                                }
                            }
                            assertThat(got[k++]).as("y[%d,%d,%d,%d]", n, o, i, j).isCloseTo(acc, within(1e-5));
                        }
                    }
                }
            }
        }
    }

    @Test
    void initialisationSchemesDrawByFanIn() {
        try (ParameterStore store = new ParameterStore(5); PointerScope s = new PointerScope()) {
            int cin = 16;
            Conv2d uniform = Conv2d.same(store, "u", cin, 32, 3, WeightInit.KAIMING_UNIFORM);
            Conv2d zero = Conv2d.same(store, "z", cin, 32, 3, WeightInit.ZERO);
            Conv2d he = new Conv2d(store, "h", cin, 64, 3, 3, 1, 1, 1, 1, false, WeightInit.HE_NORMAL);
            Conv2d frozen = new Conv2d(store, "f", cin, 8, 1, 1, 1, 1, 0, 0, true, WeightInit.LOADED);
            double bound = 1 / Math.sqrt(cin * 9.0);
            assertThat(store.get("u.weight").abs().max().item_double()).isLessThanOrEqualTo(bound).isGreaterThan(0.9 * bound);
            assertThat(store.get("z.weight").abs().max().item_double()).isZero();
            assertThat(store.get("h.weight").std().item_double()).isCloseTo(Math.sqrt(2.0 / (cin * 9)), within(0.003));
            assertThat(frozen.parameterCount()).isZero();
            assertThat(store.buffers().keySet()).containsExactly("f.weight", "f.bias");
            assertThat(he.parameterCount()).isEqualTo(64L * cin * 9);
            assertThat(uniform.parameterCount()).isEqualTo(zero.parameterCount()).isEqualTo(32L * cin * 9 + 32);
            store.reinitialiseZeroInit(6);
            assertThat(store.get("z.weight").abs().max().item_double()).isLessThanOrEqualTo(bound).isGreaterThan(0.9 * bound);
        }
        assertThatThrownBy(() -> Conv2d.same(new ParameterStore(0), "e", 1, 1, 2, WeightInit.ZERO))
                .hasMessageContaining("odd kernel");
    }
}
