package io.github.diffusion4j.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.CounterRng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AugmentTest {

    @Test
    void flipMirrorsEachRowOfEachChannel() {
        float[] img = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}; // 2 channels × 2 rows × 3 columns
        Augment.flipHorizontal(img, 0, 2, 2, 3);
        assertThat(img).containsExactly(3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10);
    }

    @Test
    void noneNeverFlips() {
        for (int i = 0; i < 100; i++) {
            assertThat(Augment.NONE.flips(1, 0, i)).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 42, -7})
    void decisionsAreAPureFunctionOfSeedEpochAndIndexAndAboutHalf(long seed) {
        Augment a = new Augment(true);
        int n = 4000;
        int flips = 0;
        int changed = 0;
        for (int i = 0; i < n; i++) {
            boolean f = a.flips(seed, 3, i);
            assertThat(new Augment(true).flips(seed, 3, i)).isEqualTo(f);
            assertThat(f).isEqualTo(CounterRng.uniform(CounterRng.streamKey(seed, Augment.FLIP_STREAMS + 3), i) < 0.5);
            flips += f ? 1 : 0;
            changed += f != a.flips(seed, 4, i) ? 1 : 0;
        }
        assertThat(flips).isBetween(n / 2 - 150, n / 2 + 150);
        assertThat(changed).isBetween(n / 2 - 150, n / 2 + 150); // epochs are independent
    }
}
