package io.github.diffusion4j.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ParameterStoreTest {

    @BeforeAll
    static void init() {
        Engine.init();
    }

    @Test
    void valuesDependOnlyOnSeedAndName() {
        try (PointerScope s = new PointerScope(); ParameterStore a = new ParameterStore(3); ParameterStore b = new ParameterStore(3)) {
            a.parameter("first.weight", new ParameterStore.Init.Uniform(1), null, 10);
            Tensor wa = a.parameter("second.weight", new ParameterStore.Init.Normal(2), null, 4, 5);
            Tensor wb = b.parameter("second.weight", new ParameterStore.Init.Normal(2), null, 4, 5);
            assertThat(wa.equal(wb)).as("independent of what else was created first").isTrue();
            assertThat(wa.requires_grad()).isTrue();
            assertThat(wa.is_leaf()).isTrue();
        }
    }

    @Test
    void uniformAndNormalDrawsHaveTheDocumentedLaw() {
        try (PointerScope s = new PointerScope(); ParameterStore st = new ParameterStore(1)) {
            double bound = 1 / Math.sqrt(576);
            float[] u = Tensors.toFloats(st.parameter("u", new ParameterStore.Init.Uniform(bound), null, 100_000));
            double mean = 0;
            double sq = 0;
            for (float v : u) {
                assertThat(Math.abs(v)).isLessThanOrEqualTo((float) bound);
                mean += v;
                sq += v * v;
            }
            mean /= u.length;
            assertThat(mean).isCloseTo(0, org.assertj.core.data.Offset.offset(3 * bound / Math.sqrt(3 * u.length) * 2));
            assertThat(sq / u.length).isCloseTo(bound * bound / 3, org.assertj.core.data.Offset.offset(0.02 * bound * bound));
            float[] g = Tensors.toFloats(st.parameter("g", new ParameterStore.Init.Normal(16), null, 100_000));
            double gs = 0;
            for (float v : g) {
                gs += v * v;
            }
            assertThat(Math.sqrt(gs / g.length)).isCloseTo(16, org.assertj.core.data.Offset.offset(0.2));
        }
    }

    @Test
    void buffersAreNotTrainableAndAreOptionalOnLoad() {
        try (PointerScope s = new PointerScope(); ParameterStore st = new ParameterStore(1)) {
            st.parameter("w", new ParameterStore.Init.Constant(1), null, 2);
            Tensor buf = st.buffer("freqs", new ParameterStore.Init.Normal(1), 3);
            assertThat(buf.requires_grad()).isFalse();
            assertThat(st.parameters()).hasSize(1);
            assertThat(st.parameterCount()).isEqualTo(2);
            assertThat(st.all().keySet()).containsExactly("w", "freqs");
            st.load(Map.of("w", Tensors.fromFloats(new float[] {5, 6}, 2)));
            assertThat(Tensors.toFloats(st.get("w"))).containsExactly(5, 6);
            assertThatThrownBy(() -> st.parameter("w", new ParameterStore.Init.Constant(0), null, 1)).hasMessageContaining("duplicate tensor name w");
        }
    }
}
