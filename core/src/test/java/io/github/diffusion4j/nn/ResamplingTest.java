package io.github.diffusion4j.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Resample (area, nearest, bilinear, pixel shuffle) and Pool on known images. */
class ResamplingTest {

    @BeforeAll
    static void init() {
        Engine.init();
    }

    static final float[] IMAGE = {
        1, 2, 3, 4,
        5, 6, 7, 8,
        9, 10, 11, 12,
        13, 14, 15, 16,
    };

    @Test
    void areaDownAveragesBoxesAndNearestUpRepeatsPixels() {
        try (PointerScope s = new PointerScope()) {
            Tensor x = Tensors.fromFloats(IMAGE, 1, 1, 4, 4);
            Resample down = Resample.areaDown(2);
            assertThat(down.outputShape(1, 1, 4, 4)).containsExactly(1, 1, 2, 2);
            assertThat(down.flops(1, 1, 4, 4)).isZero();
            assertThat(Tensors.toDoubles(down.forward(x))).containsExactly(3.5, 5.5, 11.5, 13.5);
            assertThat(Tensors.toDoubles(Resample.areaDown(4).forward(x))).containsExactly(8.5);
            double[] up = Tensors.toDoubles(Resample.nearestUp(2).forward(down.forward(x)));
            assertThat(up).containsExactly(3.5, 3.5, 5.5, 5.5, 3.5, 3.5, 5.5, 5.5, 11.5, 11.5, 13.5, 13.5, 11.5, 11.5, 13.5, 13.5);
            assertThat(Resample.NONE.forward(x).equal(x)).isTrue();
            assertThatThrownBy(() -> down.outputShape(1, 1, 3, 4)).hasMessageContaining("does not divide");
        }
    }

    @Test
    void bilinearUpInterpolatesWithHalfPixelCentres() {
        try (PointerScope s = new PointerScope()) {
            Tensor x = Tensors.fromFloats(new float[] {0, 4}, 1, 1, 1, 2);
            Resample up = Resample.bilinearUp(2);
            assertThat(up.outputShape(1, 1, 1, 2)).containsExactly(1, 1, 2, 4);
            // align_corners=False: output j samples input coordinate (j + 0.5)/2 − 0.5, clamped at the border
            assertThat(Tensors.toDoubles(up.forward(x))).containsExactly(new double[] {0, 1, 3, 4, 0, 1, 3, 4}, within(1e-6));
            Resample to = Resample.bilinearTo(3, 5);
            assertThat(to.outputShape(2, 3, 7, 7)).containsExactly(2, 3, 3, 5);
            assertThat(Tensors.shape(to.forward(torch.ones(2, 3, 7, 7)))).containsExactly(2, 3, 3, 5);
        }
    }

    @Test
    void pixelShuffleMovesChannelsToOffsetsAndUnshuffleInvertsIt() {
        try (PointerScope s = new PointerScope()) {
            Tensor x = Tensors.fromFloats(IMAGE, 1, 4, 2, 2); // 4 channels of 2×2
            Resample shuffle = Resample.pixelShuffle(2);
            Resample unshuffle = Resample.pixelUnshuffle(2);
            assertThat(shuffle.outputShape(1, 4, 2, 2)).containsExactly(1, 1, 4, 4);
            assertThat(unshuffle.outputShape(1, 1, 4, 4)).containsExactly(1, 4, 2, 2);
            double[] y = Tensors.toDoubles(shuffle.forward(x));
            // out[2h + i, 2w + j] = channel (2i + j) at (h, w)
            for (int h = 0; h < 2; h++) {
                for (int w = 0; w < 2; w++) {
                    for (int i = 0; i < 2; i++) {
                        for (int j = 0; j < 2; j++) {
                            assertThat(y[(2 * h + i) * 4 + 2 * w + j]).isEqualTo(IMAGE[(2 * i + j) * 4 + h * 2 + w]);
                        }
                    }
                }
            }
            assertThat(Tensors.toFloats(unshuffle.forward(shuffle.forward(x)))).containsExactly(IMAGE);
            Tensor img = Tensors.fromFloats(IMAGE, 1, 1, 4, 4);
            assertThat(Tensors.toFloats(shuffle.forward(unshuffle.forward(img)))).containsExactly(IMAGE);
        }
    }

    @Test
    void poolingAsTheFeatureNetworksUseIt() {
        try (PointerScope s = new PointerScope()) {
            Tensor x = Tensors.fromFloats(IMAGE, 1, 1, 4, 4);
            Pool max = Pool.max(3, 2, 0);
            assertThat(max.outputShape(1, 1, 4, 4)).containsExactly(1, 1, 1, 1);
            assertThat(Tensors.toDoubles(max.forward(x))).containsExactly(11);
            Tensor ones = torch.ones(1, 1, 4, 4);
            double[] tf = Tensors.toDoubles(Pool.average(3, 1, 1, false).forward(ones));
            double[] torchDefault = Tensors.toDoubles(Pool.average(3, 1, 1, true).forward(ones));
            assertThat(tf).containsOnly(1.0);
            assertThat(torchDefault[0]).isCloseTo(4.0 / 9, within(1e-6));
            Pool global = Pool.globalAverage();
            assertThat(global.outputShape(2, 3, 4, 4)).containsExactly(2, 3);
            assertThat(Tensors.toDoubles(global.forward(x))).containsExactly(8.5);
            assertThat(global.flops(2, 3, 4, 4)).isZero();
        }
    }
}
