package io.github.diffusion4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.engine.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {

    private static ImageDataset twoByThree() {
        byte[] px = new byte[3 * 2 * 2 * 2]; // 3 images, 2 channels, 2×2
        for (int k = 0; k < px.length; k++) {
            px[k] = (byte) (k * 10);
        }
        return new ImageDataset(px, new int[] {1, 0, 1}, 2, 2, 2, List.of("x", "y"));
    }

    @Test
    void batchIsAFloatTensorInBchwOrder() {
        ImageDataset d = twoByThree();
        int[] idx = {2, 0};
        try (Tensor t = d.batch(idx)) {
            assertThat(t.sizes().vec().get()).containsExactly(2, 2, 2, 2);
            assertThat(t.scalar_type().value).isEqualTo(ScalarType.Float.value);
            float[] got = Tensors.toFloats(t);
            assertThat(got).containsExactly(d.images(idx));
            assertThat(got[0]).isEqualTo((float) (160 / 127.5 - 1));
        }
        assertThat(d.labels(idx)).containsExactly(1L, 1L);
    }

    @Test
    void imageIsScaledToMinusOneOne() {
        ImageDataset d = twoByThree();
        float[] img = d.image(1);
        assertThat(img).hasSize(8);
        assertThat(img[0]).isEqualTo((float) (80 / 127.5 - 1));
        assertThat(d.imageSize()).isEqualTo(8);
        assertThat(d.numClasses()).isEqualTo(2);
    }

    @Test
    void unlabelledDatasetsHaveNoClassesAndLabelZero() {
        ImageDataset d = new ImageDataset(new byte[4], null, 1, 1, 1, List.of());
        assertThat(d.size()).isEqualTo(4);
        assertThat(d.numClasses()).isZero();
        assertThat(d.labels(new int[] {0, 3})).containsExactly(0L, 0L);
    }

    @Test
    void rejectsInconsistentInput() {
        assertThatThrownBy(() -> new ImageDataset(new byte[5], null, 1, 2, 2, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageDataset(new byte[8], new int[] {0}, 1, 2, 2, List.of("a")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 labels for 2 images");
        assertThatThrownBy(() -> new ImageDataset(new byte[4], new int[] {3}, 1, 2, 2, List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside 0..1");
        assertThatThrownBy(() -> twoByThree().image(3)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
