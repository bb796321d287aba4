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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GroupNorm, LayerNorm, RmsNorm and BatchNorm against hand computations; parameter counts; zero FLOPs. */
class NormsTest {

    @BeforeAll
    static void init() {
        Engine.init();
    }

    /** Normalises {@code x[off + i·stride]}, i < n, to zero mean and unit (biased) variance, in place. */
    static void standardise(double[] x, int off, int n, double eps) {
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += x[off + i];
        }
        mean /= n;
        double var = 0;
        for (int i = 0; i < n; i++) {
            var += (x[off + i] - mean) * (x[off + i] - mean);
        }
        var /= n;
        for (int i = 0; i < n; i++) {
            x[off + i] = (x[off + i] - mean) / Math.sqrt(var + eps);
        }
    }

    @Test
    void groupNormNormalisesEachGroupThenAppliesThePerChannelAffine() {
        try (ParameterStore store = new ParameterStore(1); PointerScope s = new PointerScope()) {
            GroupNorm gn = new GroupNorm(store, "n", 4, 2, 1e-5);
            assertThat(gn.parameterCount()).isEqualTo(8).isEqualTo(store.parameterCount());
            assertThat(gn.outputShape(2, 4, 3, 3)).containsExactly(2, 4, 3, 3);
            assertThat(gn.flops(2, 4, 3, 3)).isZero();
            float[] w = {1, 2, -1, 0.5f};
            float[] b = {0, 1, 0.5f, -3};
            store.load(Map.of("n.weight", Tensors.fromFloats(w, 4), "n.bias", Tensors.fromFloats(b, 4)));
            float[] x = LinearConvTest.ramp(2 * 4 * 9, 3);
            double[] expected = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                expected[i] = x[i];
            }
            for (int n = 0; n < 2; n++) {
                for (int g = 0; g < 2; g++) {
                    standardise(expected, (n * 4 + 2 * g) * 9, 18, 1e-5); // 2 channels × 9 positions per group
                }
            }
            for (int i = 0; i < x.length; i++) {
                int c = (i / 9) % 4;
                expected[i] = expected[i] * w[c] + b[c];
            }
            assertThat(Tensors.toDoubles(gn.forward(Tensors.fromFloats(x, 2, 4, 3, 3)))).containsExactly(expected, within(1e-5));
        }
        assertThat(GroupNorm.groupsFor(64)).isEqualTo(16);
        assertThatThrownBy(() -> new GroupNorm(new ParameterStore(0), "bad", 6, 4, 1e-5)).hasMessageContaining("do not divide");
    }

    @Test
    void layerNormAndRmsNormNormaliseTheLastDimension() {
        try (ParameterStore store = new ParameterStore(1); PointerScope s = new PointerScope()) {
            LayerNorm ln = new LayerNorm(store, "ln", 5, 1e-6, true);
            LayerNorm plain = new LayerNorm(store, "plain", 5, 1e-6, false);
            RmsNorm rms = new RmsNorm(store, "rms", 5, 1e-6, true);
            assertThat(ln.parameterCount()).isEqualTo(10);
            assertThat(plain.parameterCount()).isZero();
            assertThat(rms.parameterCount()).isEqualTo(5);
            assertThat(store.parameterCount()).isEqualTo(15);
            assertThat(ln.outputShape(2, 3, 5)).containsExactly(2, 3, 5);
            assertThat(rms.flops(2, 3, 5)).isZero();
            float[] g = {1, 2, 0.5f, -1, 3};
            store.load(Map.of("ln.weight", Tensors.fromFloats(g, 5), "ln.bias", Tensors.fromFloats(new float[] {0, 0, 1, 0, 0}, 5),
                    "rms.weight", Tensors.fromFloats(g, 5)));
            float[] x = LinearConvTest.ramp(6 * 5, 2);
            Tensor xt = Tensors.fromFloats(x, 2, 3, 5);
            double[] lnOut = Tensors.toDoubles(ln.forward(xt));
            double[] plainOut = Tensors.toDoubles(plain.forward(xt));
            double[] rmsOut = Tensors.toDoubles(rms.forward(xt));
            for (int r = 0; r < 6; r++) {
                double[] row = new double[5];
                double ms = 0;
                for (int i = 0; i < 5; i++) {
                    row[i] = x[r * 5 + i];
                    ms += row[i] * row[i] / 5;
                }
                double[] std = row.clone();
                standardise(std, 0, 5, 1e-6);
                for (int i = 0; i < 5; i++) {
                    assertThat(plainOut[r * 5 + i]).isCloseTo(std[i], within(1e-5));
                    assertThat(lnOut[r * 5 + i]).isCloseTo(std[i] * g[i] + (i == 2 ? 1 : 0), within(1e-5));
                    assertThat(rmsOut[r * 5 + i]).isCloseTo(row[i] / Math.sqrt(ms + 1e-6) * g[i], within(1e-5));
                }
            }
        }
    }

    @Test
    void batchNormUsesRunningStatisticsInEvaluationAndUpdatesThemInTraining() {
        try (ParameterStore store = new ParameterStore(1); PointerScope s = new PointerScope()) {
            BatchNorm bn = new BatchNorm(store, "bn", 2, 1e-3, 0.1, false);
            assertThat(bn.parameterCount()).isEqualTo(4).isEqualTo(store.parameterCount());
            assertThat(store.buffers().keySet()).containsExactly("bn.running_mean", "bn.running_var");
            store.load(Map.of("bn.weight", Tensors.fromFloats(new float[] {2, 1}, 2), "bn.bias",
                    Tensors.fromFloats(new float[] {0, -1}, 2), "bn.running_mean", Tensors.fromFloats(new float[] {1, -2}, 2),
                    "bn.running_var", Tensors.fromFloats(new float[] {4, 0.25f}, 2)));
            float[] x = {0, 1, 2, 3, /* channel 1 */ -2, -1, 0, 1};
            double[] eval = Tensors.toDoubles(bn.forward(Tensors.fromFloats(x, 1, 2, 2, 2)));
            for (int i = 0; i < 8; i++) {
                double expected = i < 4 ? 2 * (x[i] - 1) / Math.sqrt(4 + 1e-3) : (x[i] + 2) / Math.sqrt(0.25 + 1e-3) - 1;
                assertThat(eval[i]).isCloseTo(expected, within(1e-5));
            }
            bn.forward(Tensors.fromFloats(x, 1, 2, 2, 2), true);
            // channel 0: batch mean 1.5, unbiased variance 5/3; new = 0.9·old + 0.1·batch
            assertThat(Tensors.toDoubles(store.get("bn.running_mean"))[0]).isCloseTo(0.9 * 1 + 0.1 * 1.5, within(1e-6));
            assertThat(Tensors.toDoubles(store.get("bn.running_var"))[0]).isCloseTo(0.9 * 4 + 0.1 * 5.0 / 3, within(1e-6));
        }
        try (ParameterStore store = new ParameterStore(1)) {
            BatchNorm frozen = new BatchNorm(store, "f", 3, 1e-5, 0, true);
            assertThat(frozen.parameterCount()).isZero();
            assertThat(store.buffers().keySet()).containsExactly("f.weight", "f.bias", "f.running_mean", "f.running_var");
        }
    }
}
