package io.github.diffusion4j.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.net.ParameterStore;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Multi-head self-attention over maps and tokens against an explicit softmax(QKᵀ/√d)V, parameter counts and FLOPs. */
class AttentionTest {

    @BeforeAll
    static void init() {
        Engine.init();
    }

    /** softmax(q kᵀ/√d) v for q, k, v [B, heads, L, d], written with matmul and softmax. */
    static Tensor explicit(Tensor q, Tensor k, Tensor v) {
        double d = q.size(3);
        Tensor scores = q.matmul(k.transpose(2, 3)).mul(Tensors.scalar(1 / Math.sqrt(d)));
        return torch.softmax(scores, -1).matmul(v);
    }

    @Test
    void attentionOverMapsIsSoftmaxOfScaledDotProductsOverThePositions() {
        int c = 8;
        int heads = 2;
        int d = c / heads;
        try (ParameterStore store = new ParameterStore(4); PointerScope s = new PointerScope()) {
            Attention att = Attention.overMaps(store, "blk", c, heads, WeightInit.KAIMING_UNIFORM);
            assertThat(store.trainable().keySet()).containsExactly("blk.qkv.weight", "blk.qkv.bias", "blk.proj.weight", "blk.proj.bias");
            assertThat(att.parameterCount()).isEqualTo(4L * c * c + 4 * c).isEqualTo(store.parameterCount());
            long len = 3 * 4;
            assertThat(att.flops(2, c, 3, 4)).isEqualTo(2 * (2.0 * c * 3 * c * len + 4.0 * len * len * c + 2.0 * c * c * len));
            assertThat(att.outputShape(2, c, 3, 4)).containsExactly(2, c, 3, 4);

            Tensor x = Tensors.fromFloats(LinearConvTest.ramp(2 * c * 12, 1.5), 2, c, 3, 4);
            Tensor got = att.forward(x);
            // By hand: qkv as a matrix product over channels, channels laid out [3, heads, d].
            Tensor w = store.get("blk.qkv.weight").reshape(3 * c, c);
            Tensor flat = x.reshape(2, c, len); // [B, C, L]
            Tensor qkv = w.matmul(flat).add(store.get("blk.qkv.bias").reshape(3 * c, 1)); // [B, 3C, L]
            Tensor r = qkv.reshape(2, 3, heads, d, len).transpose(3, 4); // [B, 3, heads, L, d]
            Tensor a = explicit(r.select(1, 0), r.select(1, 1), r.select(1, 2)); // [B, heads, L, d]
            Tensor merged = a.transpose(2, 3).reshape(2, c, len);
            Tensor expected = store.get("blk.proj.weight").reshape(c, c).matmul(merged)
                    .add(store.get("blk.proj.bias").reshape(c, 1)).reshape(2, c, 3, 4);
            assertThat(Tensors.toDoubles(got)).containsExactly(Tensors.toDoubles(expected), within(1e-5));
        }
    }

    @Test
    void attentionOverTokensUsesTheTimmLayout() {
        int c = 6;
        int heads = 3;
        int d = c / heads;
        long len = 5;
        try (ParameterStore store = new ParameterStore(4); PointerScope s = new PointerScope()) {
            Attention att = Attention.overTokens(store, "attn", c, heads, WeightInit.KAIMING_UNIFORM);
            assertThat(att.parameterCount()).isEqualTo(4L * c * c + 4 * c);
            assertThat(att.flops(2, len, c)).isEqualTo(2 * (2.0 * c * 3 * c * len + 4.0 * len * len * c + 2.0 * c * c * len));
            Tensor x = Tensors.fromFloats(LinearConvTest.ramp(2 * (int) len * c, 1), 2, len, c);
            Tensor qkv = x.matmul(store.get("attn.qkv.weight").t()).add(store.get("attn.qkv.bias")); // [B, L, 3C]
            Tensor r = qkv.reshape(2, len, 3, heads, d);
            Tensor[] qkvs = new Tensor[3];
            for (int i = 0; i < 3; i++) {
                qkvs[i] = r.select(2, i).transpose(1, 2); // [B, heads, L, d]
            }
            Tensor a = explicit(qkvs[0], qkvs[1], qkvs[2]).transpose(1, 2).reshape(2, len, c);
            Tensor expected = a.matmul(store.get("attn.proj.weight").t()).add(store.get("attn.proj.bias"));
            assertThat(Tensors.toDoubles(att.forward(x))).containsExactly(Tensors.toDoubles(expected), within(1e-5));
            assertThatThrownBy(() -> att.forward(Tensors.fromFloats(new float[8], 1, 8))).hasMessageContaining("[B, L, 6]");
        }
    }

    @Test
    void headsFollowAdmsSixtyFourChannelsPerHead() {
        assertThat(Attention.headsFor(64)).isEqualTo(1);
        assertThat(Attention.headsFor(256)).isEqualTo(4);
        assertThat(Attention.headsFor(160)).isEqualTo(2);
        assertThatThrownBy(() -> Attention.overMaps(new ParameterStore(0), "x", 6, 4, WeightInit.ZERO))
                .hasMessageContaining("do not divide");
    }
}
