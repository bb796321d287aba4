package io.github.diffusion4j.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.assemble.NetworkAssembly;
import io.github.diffusion4j.config.ConfigException;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Exit;
import io.github.diffusion4j.denoise.NoiseLevel;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.nn.DiTBlock;
import io.github.diffusion4j.nn.DiTFinalLayer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TD-LN in place of adaLN-Zero inside DiT and LEGO bricks ({@code model.blockNorm: td}; Liu et al. 2024, Sec. 3.3):
 * parameter counts and FLOPs against their formulas, a zero start, τ reaching the output only through the TD
 * norms (none while p₀ = p₁), the class through its token, and each sample computed on its own.
 */
class TimeDependentDiTTest {
    @BeforeAll
    static void init() {
        Engine.init();
    }

    static final int W = 16, P = 2, C = 3, DEPTH = 2, CLASSES = 5, H = 64;

    static DiT dit() {
        return new DiT(new DiT.Shape(8, C, C, P, W, DEPTH, 2, 4.0, 0.0, CLASSES, BlockNorm.TD), 1);
    }

    /** Attention 4w² + 4w, MLP 2wh + h + w, two TD-LayerNorms of 8w (four time-dependent vectors of 4w each). */
    static long block(long w) {
        long h = 4 * w;
        return 4 * w * w + 4 * w + 2 * w * h + h + w + 16 * w;
    }

    static NoiseLevel level(double... sigma) {
        double[] c = new double[sigma.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = Math.log(sigma[i]) / 4;
        }
        return new NoiseLevel(Tensors.fromDoubles(c, c.length).to(ScalarType.Float), sigma);
    }

    @Test
    void parameterCountsAndFlopsEqualTheFormulas() {
        try (ParameterStore s = new ParameterStore(1)) {
            assertThat(DiTBlock.timeDependent(s, "b", W, 2, 4.0, false).parameterCount()).isEqualTo(block(W));
            assertThat(DiTFinalLayer.timeDependent(s, "f", W, P, C, false).parameterCount())
                    .isEqualTo((long) W * P * P * C + P * P * C + 8L * W);
        }
        try (DiT net = dit()) {
            long patch = (long) C * P * P * W + W, yEmb = (long) (CLASSES + 1) * W, fin = (long) W * P * P * C + P * P * C + 8L * W;
            assertThat(net.parameterCount()).as("no t_embedder, no modulations").isEqualTo(patch + yEmb + DEPTH * block(W) + fin);
            assertThat(net.namedParameters()).containsKey("blocks.0.norm1.weight.param0").doesNotContainKey("t_embedder.mlp.0.weight");
            long t = 16; // (8/2)² patch tokens and the class token in the blocks
            double blocks = DEPTH * (8.0 * (t + 1) * W * W + 4.0 * (t + 1) * (t + 1) * W + 4.0 * (t + 1) * W * H);
            assertThat(net.flopsPerSample()).isEqualTo(2.0 * C * W * P * P * t + blocks + 2.0 * t * W * P * P * C);
        }
        List<Lego.Brick> bricks = List.of(new Lego.Brick(4, 2, 1, 16, 2), new Lego.Brick(16, 4, 2, 24, 3));
        try (Lego net = new Lego(new Lego.Shape(16, C, C, bricks, 4.0, 0.0, CLASSES, BlockNorm.TD), 1)) {
            long b0 = (C + 2) * 4 * 16 + 16 + 6 * 16 + block(16) + (16 * 4 * C + 4 * C + 8 * 16);
            long b1 = (2 * C + 2) * 16 * 24 + 24 + 6 * 24 + 2 * block(24) + (24 * 16 * C + 16 * C + 8 * 24);
            assertThat(net.parameterCount()).as("each brick its own class table at its width").isEqualTo(b0 + b1);
            // brick 0: 16 regions of 4 tokens + the class token; brick 1: one region of 16 + 1
            double f0 = 16 * (2.0 * (C + 2) * 16 * 4 * 4 + (8.0 * 5 * 16 * 16 + 4.0 * 5 * 5 * 16 + 4.0 * 5 * 16 * 64) + 2.0 * 4 * 16 * 4 * C);
            double f1 = 2.0 * (2 * C + 2) * 24 * 16 * 16 + 2 * (8.0 * 17 * 24 * 24 + 4.0 * 17 * 17 * 24 + 4.0 * 17 * 24 * 96)
                    + 2.0 * 16 * 24 * 16 * C;
            assertThat(net.flopsPerSample()).isEqualTo(f0 + f1);
            assertThat(net.flopsPerSample(16, 16, Exit.after(0))).isEqualTo(f0);
        }
    }

    /** Sets every {@code *.param0} of the TD norms to 1 + U(−0.5, 0.5): p₀ ≠ p₁, so τ matters. */
    static void liven(StoredNetwork net) {
        Map<String, Tensor> p = new HashMap<>(net.namedParameters());
        SplittableRandom r = new SplittableRandom(7);
        for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) {
            if (e.getKey().endsWith(".param0")) {
                long n = e.getValue().numel();
                p.put(e.getKey(), Tensors.fromDoubles(r.doubles(n).map(v -> 0.5 + v).toArray(), Tensors.shape(e.getValue()))
                        .to(ScalarType.Float));
            }
        }
        net.loadParameters(p);
    }

    @Test
    void ditStartsAtZeroAndTimeEntersOnlyThroughTheTdNormsTheClassThroughItsToken() {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard(); DiT net = dit()) {
            Tensor x = io.github.diffusion4j.net.UNetTest.images(2, 3, 8, 5);
            Conditioning cond = Conditioning.classes(1, 2);
            assertThat(UNetTest.maxAbs(net.forward(x, level(0.1, 10), cond, Exit.ALL).get(0))).isZero();
            net.reinitialiseZeroLayers(3);
            Tensor low = net.forward(x, level(0.01, 0.01), cond, Exit.ALL).get(0);
            Tensor high = net.forward(x, level(50, 50), cond, Exit.ALL).get(0);
            assertThat(low.sub(high).abs().max().item_double()).as("p0 = p1: τ-independent").isZero();
            Tensor other = net.forward(x, level(0.01, 0.01), Conditioning.classes(3, Conditioning.NULL_CLASS), Exit.ALL).get(0);
            assertThat(low.sub(other).abs().max().item_double()).as("the class token").isGreaterThan(1e-5);
            liven(net);
            Tensor both = net.forward(x, level(0.01, 50), cond, Exit.ALL).get(0);
            Tensor first = net.forward(x.narrow(0, 0, 1), level(0.01), Conditioning.classes(1), Exit.ALL).get(0);
            Tensor firstHigh = net.forward(x.narrow(0, 0, 1), level(50), Conditioning.classes(1), Exit.ALL).get(0);
            assertThat(both.narrow(0, 0, 1).sub(first).abs().max().item_double()).as("each sample on its own (bit-exact per seed through the sampler: BackboneContractTest)").isLessThan(1e-5);
            assertThat(first.sub(firstHigh).abs().max().item_double()).as("p0 ≠ p1: τ reaches the output").isGreaterThan(1e-5);
            assertThatThrownBy(() -> net.forward(x, level(1, 1).cNoise(), cond)).hasMessageContaining("σ");
        }
    }

    @Test
    void legoBricksTakeTheTimeThroughTdNormsOnAnyCanvasAndSkipStillSkips() {
        List<Lego.Brick> bricks = List.of(new Lego.Brick(4, 2, 1, 16, 2), new Lego.Brick(8, 2, 1, 16, 2));
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard();
                Lego net = new Lego(new Lego.Shape(8, C, C, bricks, 4.0, 0.0, CLASSES, BlockNorm.TD), 2)) {
            Tensor x = UNetTest.images(2, 3, 8, 4);
            Conditioning cond = Conditioning.classes(0, 4);
            List<Tensor> heads = net.forward(x, level(0.2, 3), cond, Exit.ALL);
            assertThat(heads).hasSize(2);
            assertThat(UNetTest.maxAbs(heads.get(1))).isZero();
            net.reinitialiseZeroLayers(4);
            liven(net);
            Tensor a = net.forward(x, level(0.2, 3), cond, Exit.ALL).get(1);
            Tensor b = net.forward(x, level(3, 0.2), cond, Exit.ALL).get(1);
            assertThat(a.sub(b).abs().max().item_double()).isGreaterThan(1e-5);
            Tensor one = net.forward(x.narrow(0, 1, 1), level(3), Conditioning.classes(4), Exit.ALL).get(1);
            assertThat(a.narrow(0, 1, 1).sub(one).abs().max().item_double()).as("each sample on its own (bit-exact per seed through the sampler: BackboneContractTest)").isLessThan(1e-5);
            assertThat(net.forward(x, level(0.2, 3), cond, Exit.after(0))).hasSize(1);
            Tensor wide = net.forward(UNetTest.images(1, 3, 16, 4).narrow(2, 0, 8), level(1), Conditioning.classes(2), Exit.ALL).get(1);
            assertThat(Tensors.shape(wide)).containsExactly(1, 3, 8, 16);
        }
    }

    @Test
    void theConfigKeyChoosesTheFormAndRefusesOthers() {
        try (PointerScope scope = new PointerScope()) {
            StoredNetwork dit = (StoredNetwork) NetworkAssembly.build(ConfigLoader.load("emoji32-dit", List.of("model.blockNorm=td", "model.depth=1")));
            assertThat(dit.namedParameters()).containsKey("y_embedder.embedding_table.weight").doesNotContainKey("t_embedder.mlp.0.weight");
            StoredNetwork lego = (StoredNetwork) NetworkAssembly.build(ConfigLoader.load("emoji32-lego-pg", List.of("model.blockNorm=td")));
            assertThat(lego.namedParameters()).containsKey("bricks.2.y_embedder.embedding_table.weight");
            dit.close();
            lego.close();
        }
        assertThatThrownBy(() -> ConfigLoader.load("emoji32-dit", List.of("model.blockNorm=token"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("model.blockNorm").hasMessageContaining("[adaln, td]");
        assertThatThrownBy(() -> ConfigLoader.load("emoji32-lego-pr", List.of("model.blockNorm=tdln"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("model.blockNorm");
    }
}
