package io.github.diffusion4j.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.net.ParameterStore;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PatchEmbed and Unpatchify: shapes, parameter count, FLOPs, and an exact round trip through an identity projection. */
class PatchTest {

    @BeforeAll
    static void init() {
        Engine.init();
    }

    @Test
    void patchEmbedThenUnpatchifyWithAnIdentityProjectionIsTheIdentity() {
        int c = 3;
        int p = 2;
        int h = 4;
        int w = 6;
        int dim = p * p * c;
        try (ParameterStore store = new ParameterStore(1); PointerScope s = new PointerScope()) {
            PatchEmbed embed = new PatchEmbed(store, "x_embedder", c, dim, p, WeightInit.KAIMING_UNIFORM);
            assertThat(embed.parameterCount()).isEqualTo((long) c * dim * p * p + dim).isEqualTo(store.parameterCount());
            long tokens = (h / p) * (w / p);
            assertThat(embed.outputShape(2, c, h, w)).containsExactly(2, tokens, dim);
            assertThat(embed.flops(2, c, h, w)).isEqualTo(2.0 * c * dim * p * p * tokens * 2);
            // Identity: output feature (i·p + j)·C + ch reads pixel (ch, i, j) of its patch (DiT's layout).
            float[] wt = new float[dim * c * p * p];
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < p; j++) {
                    for (int ch = 0; ch < c; ch++) {
                        int o = (i * p + j) * c + ch;
                        wt[((o * c + ch) * p + i) * p + j] = 1;
                    }
                }
            }
            store.load(Map.of("x_embedder.proj.weight", Tensors.fromFloats(wt, dim, c, p, p), "x_embedder.proj.bias",
                    Tensors.fromFloats(new float[dim], dim)));
            Unpatchify un = new Unpatchify(c, p, h / p, w / p);
            assertThat(un.outputShape(2, tokens, dim)).containsExactly(2, c, h, w);
            assertThat(un.flops(2, tokens, dim)).isZero();
            Tensor x = Tensors.fromFloats(LinearConvTest.ramp(2 * c * h * w, 1), 2, c, h, w);
            Tensor t = embed.forward(x);
            assertThat(Tensors.shape(t)).containsExactly(2, tokens, dim);
            // token 1 is the patch at rows 0..1, columns 2..3
            assertThat(Tensors.toDoubles(t.select(0, 0).select(0, 1).narrow(0, 0, 1)))
                    .containsExactly(Tensors.toDoubles(x.select(0, 0).select(0, 0).select(0, 0).narrow(0, 2, 1)));
            assertThat(Tensors.toFloats(un.forward(t))).containsExactly(Tensors.toFloats(x));
            assertThatThrownBy(() -> embed.outputShape(1, c, 5, 6)).hasMessageContaining("divisible by 2");
        }
    }
}
