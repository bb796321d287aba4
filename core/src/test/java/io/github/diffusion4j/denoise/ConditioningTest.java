package io.github.diffusion4j.denoise;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Guidance's unconditional branch drops only the class (Ho &amp; Salimans 2022): a cascade's image and augmentation stay. */
class ConditioningTest {
    @Test
    void unconditionalKeepsImageAndAugmentation() {
        Engine.init();
        try (PointerScope scope = new PointerScope()) {
            Tensor image = Tensors.fromDoubles(new double[] {1, 2}, 2, 1);
            Conditioning c = Conditioning.classes(3, 4).withImage(image).withAugmentation(0.1, 0.2);
            Conditioning u = c.unconditional();
            assertThat(u.classLabels()).containsExactly(Conditioning.NULL_CLASS, Conditioning.NULL_CLASS);
            assertThat(u.image()).isSameAs(image);
            assertThat(u.augmentation()).containsExactly(0.1, 0.2);
            assertThat(Conditioning.NONE.unconditional()).isEqualTo(Conditioning.NONE);
            assertThat(c).isNotEqualTo(Conditioning.classes(3, 4));
        }
    }
}
