package io.github.diffusion4j.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Exit;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** LEGO brick stacks (Zheng et al. 2024): parameters and FLOPs against their formulas, exits, canvases. */
class LegoTest {
    @BeforeAll
    static void init() {
        Engine.init();
    }

    /** PG on 16 px: 4/2 (width 16) then 16/4 (width 24): mixed widths read the shared c of width 16. */
    static Lego.Shape pg(int classes) {
        return new Lego.Shape(16, 3, 3, List.of(new Lego.Brick(4, 2, 1, 16, 2), new Lego.Brick(16, 4, 2, 24, 3)), 4.0, 0.0, classes);
    }

    static long block(long w, long cond) {
        long h = 4 * w;
        return 4 * w * w + 4 * w + 2 * w * h + h + w + 6 * w * (cond + 1);
    }

    @Test
    void parameterCountAndFlopsEqualTheFormulas() {
        try (Lego net = new Lego(pg(5), 1)) {
            long d = 16, c = 3;
            long emb = 256 * d + d + d * d + d + 6 * d;
            long b0 = (c + 2) * 4 * d + d + block(16, d) + (d * 4 * c + 4 * c + 2 * d * (d + 1));
            long b1 = (2 * c + 2) * 16 * 24 + 24 + 2 * block(24, d) + (24 * 16 * c + 16 * c + 2 * 24 * (d + 1));
            assertThat(net.parameterCount()).isEqualTo(emb + b0 + b1);

            // Brick 0: 16 regions of 4 tokens; brick 1: one region of 16 tokens.
            double f0 = 16 * (2.0 * (c + 2) * 16 * 4 * 4 + (8.0 * 4 * 16 * 16 + 4.0 * 4 * 4 * 16 + 4.0 * 4 * 16 * 64)
                    + 2.0 * 4 * 16 * 4 * c) + 2.0 * d * 6 * 16 + 2.0 * d * 2 * 16;
            double f1 = (2.0 * (2 * c + 2) * 24 * 16 * 16 + 2 * (8.0 * 16 * 24 * 24 + 4.0 * 16 * 16 * 24 + 4.0 * 16 * 24 * 96)
                    + 2.0 * 16 * 24 * 16 * c) + 2 * 2.0 * d * 6 * 24 + 2.0 * d * 2 * 24;
            double e = 2.0 * (256 * d + d * d);
            assertThat(net.brickFlops(0, 16, 16)).isEqualTo(f0);
            assertThat(net.brickFlops(1, 16, 16)).isEqualTo(f1);
            assertThat(net.flopsPerSample()).isEqualTo(e + f0 + f1);
            assertThat(net.flopsPerSample(16, 16, Exit.after(0))).isEqualTo(e + f0);
            assertThat(net.flopsPerSample(32, 16, Exit.ALL)).as("a canvas twice as tall has twice the regions")
                    .isEqualTo(e + 2 * (f0 - 2.0 * d * 8 * 16) + 2.0 * d * 8 * 16 + 2 * (f1 - 2.0 * d * 14 * 24) + 2.0 * d * 14 * 24);
        }
    }

    @Test
    void everyBrickGivesAZeroHeadAtInitialisationAndTheExitEvaluatesOnlyTheBricksUpToIt() {
        try (PointerScope scope = new PointerScope(); Lego net = new Lego(pg(4), 3)) {
            Tensor x = UNetTest.images(2, 3, 16, 1);
            Tensor c = UNetTest.cNoise(-1, 0.5);
            Conditioning cond = Conditioning.classes(1, Conditioning.NULL_CLASS);
            List<Tensor> heads = net.forward(x, c, cond, Exit.ALL);
            assertThat(heads).hasSize(2);
            for (Tensor h : heads) {
                assertThat(Tensors.shape(h)).containsExactly(2, 3, 16, 16);
                assertThat(UNetTest.maxAbs(h)).isZero();
            }
            net.reinitialiseZeroLayers(4);
            List<Tensor> all = net.forward(x, c, cond, Exit.ALL);
            // Brick 1's parameters poisoned: the exit after brick 0 never touches them.
            Map<String, Tensor> poisoned = new LinkedHashMap<>();
            net.namedParameters().forEach((k, v) -> poisoned.put(k, k.startsWith("bricks.1.") ? v.detach().mul(Tensors.scalar(Double.NaN)) : v.detach()));
            net.loadParameters(poisoned);
            List<Tensor> early = net.forward(x, c, cond, Exit.after(0));
            assertThat(early).hasSize(1);
            assertThat(early.get(0).equal(all.get(0))).isTrue();
            assertThat(UNetTest.maxAbs(all.get(1).sub(all.get(0)))).isGreaterThan(0);
            assertThat(net.forward(x, c, cond, Exit.ALL).get(1).isnan().any().item_bool()).as("the full stack reads brick 1").isTrue();
        }
    }

    @Test
    void aNonSquareCanvasRunsWithCoordinatesRenormalisedOverIt() {
        try (PointerScope scope = new PointerScope(); Lego net = new Lego(pg(0), 3)) {
            net.reinitialiseZeroLayers(4);
            long[] seeds = {1, 2};
            Tensor x = new io.github.diffusion4j.engine.SeededNoise(seeds).randn(3, 16, 32).to(org.bytedeco.pytorch.global.torch.ScalarType.Float);
            List<Tensor> heads = net.forward(x, UNetTest.cNoise(0.1, 0.2), Conditioning.NONE, Exit.ALL);
            assertThat(Tensors.shape(heads.get(1))).containsExactly(2, 3, 16, 32);
            float[] coords = Tensors.toFloats(Lego.coordinates(1, 16, 32).contiguous());
            assertThat(coords[0]).isEqualTo(-1f);
            assertThat(coords[15 * 32]).as("last row").isEqualTo(1f);
            assertThat(coords[16 * 32 + 31]).as("last column").isEqualTo(1f);
            assertThat(coords[16 * 32 + 15 * 32]).as("first column of the last row").isEqualTo(-1f);
            assertThat(net.acceptsCanvas(16, 32)).isTrue();
            assertThat(net.acceptsCanvas(16, 24)).as("24 is not a multiple of the 16-px brick").isFalse();
            assertThatThrownBy(() -> net.forward(UNetTest.images(1, 3, 8, 1), UNetTest.cNoise(0), Conditioning.NONE, Exit.ALL))
                    .hasMessageContaining("multiples of [4, 16]");
        }
    }

    @Test
    void badBricksAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new Lego.Shape(16, 3, 3, List.of(new Lego.Brick(8, 3, 1, 16, 2)), 4, 0, 0).validate())
                .hasMessageStartingWith("bricks[0].patch:");
        assertThatThrownBy(() -> new Lego.Shape(16, 3, 3, List.of(new Lego.Brick(4, 2, 1, 16, 2), new Lego.Brick(32, 2, 1, 16, 2)), 4, 0, 0)
                .validate()).hasMessageStartingWith("bricks[1].size:");
        assertThatThrownBy(() -> new Lego.Shape(16, 3, 3, List.of(), 4, 0, 0).validate()).hasMessageStartingWith("bricks:");
    }
}
