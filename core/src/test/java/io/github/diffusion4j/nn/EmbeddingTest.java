package io.github.diffusion4j.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.net.ParameterStore;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Noise embeddings (positional, Fourier) against EDM's formulas; the class table and its null row. */
class EmbeddingTest {

    @BeforeAll
    static void init() {
        Engine.init();
    }

    @Test
    void positionalEmbeddingIsCosAndSinAtGeometricFrequencies() {
        try (PointerScope s = new PointerScope()) {
            NoiseEmbedding e = NoiseEmbedding.positional(8);
            assertThat(e.parameterCount()).isZero();
            assertThat(e.outputShape(3)).containsExactly(3, 8);
            assertThat(e.flops(3)).isZero();
            double[] c = {-1.5, 0, 2.25};
            double[] got = Tensors.toDoubles(e.forward(Tensors.fromDoubles(c, 3)));
            for (int b = 0; b < 3; b++) {
                for (int j = 0; j < 4; j++) {
                    double f = Math.pow(1.0 / 10000, j / 4.0); // EDM PositionalEmbedding, endpoint=False
                    assertThat(got[b * 8 + j]).isCloseTo(Math.cos(c[b] * f), within(1e-6));
                    assertThat(got[b * 8 + 4 + j]).isCloseTo(Math.sin(c[b] * f), within(1e-6));
                }
            }
            assertThatThrownBy(() -> NoiseEmbedding.positional(7)).hasMessageContaining("even");
        }
    }

    @Test
    void fourierEmbeddingUsesTwoPiTimesAFixedGaussianBuffer() {
        try (ParameterStore store = new ParameterStore(2); PointerScope s = new PointerScope()) {
            NoiseEmbedding e = NoiseEmbedding.fourier(store, "map_noise", 6, 16);
            assertThat(store.parameterCount()).isZero();
            assertThat(store.buffers().keySet()).containsExactly("map_noise.freqs");
            double[] w = Tensors.toDoubles(store.get("map_noise.freqs"));
            double[] got = Tensors.toDoubles(e.forward(Tensors.fromDoubles(new double[] {0.3}, 1)));
            for (int j = 0; j < 3; j++) {
                assertThat(got[j]).isCloseTo(Math.cos(0.3 * 2 * Math.PI * w[j]), within(1e-4));
                assertThat(got[3 + j]).isCloseTo(Math.sin(0.3 * 2 * Math.PI * w[j]), within(1e-4));
            }
        }
    }

    @Test
    void classEmbeddingLooksUpRowsAndKeepsANullRowForGuidance() {
        try (ParameterStore store = new ParameterStore(2); PointerScope s = new PointerScope()) {
            ClassEmbedding e = new ClassEmbedding(store, "map_label", 3, 4);
            assertThat(e.nullRow()).isEqualTo(3);
            assertThat(e.parameterCount()).isEqualTo((3 + 1) * 4).isEqualTo(store.parameterCount());
            assertThat(store.shape("map_label.weight")).containsExactly(4, 4);
            assertThat(e.outputShape(2)).containsExactly(2, 4);
            double[] table = Tensors.toDoubles(store.get("map_label.weight"));
            Tensor rows = e.forward(new long[] {2, e.nullRow()}, ScalarType.BFloat16);
            assertThat(Tensors.scalarType(rows)).isEqualTo(ScalarType.BFloat16);
            double[] got = Tensors.toDoubles(e.forward(new long[] {2, e.nullRow()}, ScalarType.Float));
            for (int i = 0; i < 4; i++) {
                assertThat(got[i]).isEqualTo(table[2 * 4 + i]);
                assertThat(got[4 + i]).isEqualTo(table[3 * 4 + i]);
            }
            assertThatThrownBy(() -> e.forward(new long[] {4}, ScalarType.Float)).hasMessageContaining("outside [0, 3]");
        }
    }
}
