package io.github.diffusion4j.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.nn.DiTBlock;
import io.github.diffusion4j.nn.DiTFinalLayer;
import io.github.diffusion4j.nn.SinCosPositionEmbedding;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DiT (Peebles and Xie 2023): shapes, adaLN-Zero start, parameter count and FLOPs against their formulas. */
class DiTTest {
    @BeforeAll
    static void init() {
        Engine.init();
    }

    static DiT.Shape shape(int classes) {
        return new DiT.Shape(8, 3, 3, 2, 16, 2, 2, 4.0, 0.0, classes);
    }

    @Test
    void parameterCountsEqualTheFormulaPerBlockTypeAndForTheWholeNetwork() {
        int w = 16, p = 2, c = 3, depth = 2, classes = 5, h = 64;
        try (ParameterStore s = new ParameterStore(1)) {
            DiTBlock b = new DiTBlock(s, "b", w, 2, 4.0, 24);
            assertThat(b.parameterCount()).isEqualTo((3L * w * w + 3 * w) + (w * w + w) + (2L * w * h + h + w) + 6L * w * (24 + 1));
            DiTFinalLayer f = new DiTFinalLayer(s, "f", w, p, c, 24);
            assertThat(f.parameterCount()).isEqualTo((long) w * p * p * c + p * p * c + 2L * w * (24 + 1));
        }
        try (DiT net = new DiT(shape(classes), 1)) {
            long patch = (long) c * p * p * w + w;
            long tEmb = 256L * w + w + (long) w * w + w;
            long yEmb = (long) (classes + 1) * w;
            long block = 4L * w * w + 4 * w + 2L * w * h + h + w + 6L * w * (w + 1);
            long fin = (long) w * p * p * c + p * p * c + 2L * w * (w + 1);
            assertThat(net.parameterCount()).isEqualTo(patch + tEmb + yEmb + depth * block + fin);
        }
    }

    @Test
    void flopsEqualTheFormula() {
        int w = 16, p = 2, c = 3, depth = 2, h = 64;
        long t = 16; // (8/2)^2 tokens
        try (DiT net = new DiT(shape(0), 1)) {
            double patch = 2.0 * c * w * p * p * t;
            double tEmb = 2.0 * (256 * w + w * w);
            double block = 8.0 * t * w * w + 4.0 * t * t * w + 4.0 * t * w * h + 12.0 * w * w;
            double fin = 2.0 * t * w * p * p * c + 4.0 * w * w;
            assertThat(net.flopsPerSample()).isEqualTo(patch + tEmb + depth * block + fin);
        }
    }

    @Test
    void outputHasTheHeadShapeAndIsExactlyZeroAtInitialisationAndNotAfterReinitialising() {
        try (PointerScope scope = new PointerScope(); DiT net = new DiT(shape(4), 3)) {
            Tensor x = UNetTest.images(3, 3, 8, 1);
            Tensor c = UNetTest.cNoise(-1, 0, 1.5);
            Conditioning cond = Conditioning.classes(0, 3, Conditioning.NULL_CLASS);
            List<Tensor> heads = net.forward(x, c, cond);
            assertThat(heads).hasSize(1);
            assertThat(Tensors.shape(heads.get(0))).containsExactly(3, 3, 8, 8);
            assertThat(heads.get(0).scalar_type().intern()).isEqualTo(ScalarType.Float);
            assertThat(UNetTest.maxAbs(heads.get(0))).isZero();

            net.reinitialiseZeroLayers(9);
            Tensor y = net.forward(x, c, cond).get(0);
            assertThat(UNetTest.maxAbs(y)).isGreaterThan(0);
            // Every trainable tensor receives a gradient once the zero layers carry signal.
            y.square().sum().backward();
            for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) {
                if (e.getKey().startsWith("y_embedder")) {
                    continue; // only the rows of the labels used get a gradient; checked below
                }
                assertThat(e.getValue().grad().abs().max().item_double()).as(e.getKey()).isGreaterThan(0);
            }
            Tensor g = net.namedParameters().get("y_embedder.embedding_table.weight").grad();
            assertThat(g.select(0, 4).abs().max().item_double()).as("null row (label NULL_CLASS)").isGreaterThan(0);
            assertThat(g.select(0, 1).abs().max().item_double()).as("unused label row").isZero();
        }
    }

    @Test
    void noiseLevelAndClassChangeTheOutputAndEachSampleIsComputedOnItsOwn() {
        try (PointerScope scope = new PointerScope(); DiT net = new DiT(shape(4), 3)) {
            net.reinitialiseZeroLayers(2);
            Tensor x = UNetTest.images(2, 3, 8, 5);
            Tensor both = net.forward(x, UNetTest.cNoise(0.3, 0.3), Conditioning.classes(1, 2)).get(0);
            Tensor first = net.forward(x.narrow(0, 0, 1), UNetTest.cNoise(0.3), Conditioning.classes(1)).get(0);
            assertThat(both.narrow(0, 0, 1).sub(first).abs().max().item_double()).isLessThan(1e-5);
            Tensor otherNoise = net.forward(x.narrow(0, 0, 1), UNetTest.cNoise(-0.3), Conditioning.classes(1)).get(0);
            Tensor otherClass = net.forward(x.narrow(0, 0, 1), UNetTest.cNoise(0.3), Conditioning.classes(2)).get(0);
            assertThat(first.sub(otherNoise).abs().max().item_double()).isGreaterThan(1e-4);
            assertThat(first.sub(otherClass).abs().max().item_double()).isGreaterThan(1e-4);
        }
    }

    @Test
    void badShapesAndLabelsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new DiT.Shape(10, 3, 3, 4, 16, 1, 2, 4, 0, 0).validate()).hasMessageStartingWith("patch:");
        assertThatThrownBy(() -> new DiT.Shape(8, 3, 3, 2, 18, 1, 2, 4, 0, 0).validate()).hasMessageStartingWith("width:");
        assertThatThrownBy(() -> new DiT.Shape(8, 3, 3, 2, 16, 1, 3, 4, 0, 0).validate()).hasMessageStartingWith("heads:");
        try (PointerScope scope = new PointerScope(); DiT net = new DiT(shape(0), 3)) {
            assertThatThrownBy(() -> net.forward(UNetTest.images(1, 3, 8, 1), UNetTest.cNoise(0), Conditioning.classes(1)))
                    .hasMessageContaining("unconditional");
            assertThatThrownBy(() -> net.forward(UNetTest.images(1, 3, 16, 1), UNetTest.cNoise(0), Conditioning.NONE))
                    .hasMessageContaining("expects input");
        }
    }

    @Test
    void positionEmbeddingEncodesTheColumnInTheFirstHalfAndTheRowInTheSecond() {
        float[] t = SinCosPositionEmbedding.table(8, 2, 3); // rows 2, cols 3, quarter 2: ω = 1, 1/100
        int token = 1 * 3 + 2; // row 1, column 2
        assertThat(t[token * 8]).isEqualTo((float) Math.sin(2.0));
        assertThat(t[token * 8 + 1]).isEqualTo((float) Math.sin(2.0 / 100));
        assertThat(t[token * 8 + 2]).isEqualTo((float) Math.cos(2.0));
        assertThat(t[token * 8 + 4]).isEqualTo((float) Math.sin(1.0));
        assertThat(t[token * 8 + 7]).isEqualTo((float) Math.cos(1.0 / 100));
    }
}
