package io.github.diffusion4j.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResampleTest {

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void integerShrinkIsABoxFilter() {
        byte[] src = bytes(
                0, 4, 10, 10,
                8, 12, 10, 10,
                255, 255, 1, 2,
                255, 255, 3, 4);
        assertThat(Resample.resize(src, 1, 4, 4, 2, 2)).containsExactly(bytes(6, 10, 255, 3)); // 2.5 rounds up
    }

    @Test
    void nonIntegerShrinkAveragesByArea() {
        // 3 → 2: outputs cover [0, 1.5) and [1.5, 3): weights (2/3, 1/3) and (1/3, 2/3).
        byte[] out = Resample.resize(bytes(30, 60, 90), 1, 1, 3, 1, 2);
        assertThat(out).containsExactly(bytes(40, 80));
    }

    @Test
    void bilinearEnlargeUsesHalfPixelCentres() {
        // 2 → 4: centres at -0.25, 0.25, 0.75, 1.25 → clamp, 3/4·a+1/4·b, 1/4·a+3/4·b, clamp.
        byte[] out = Resample.resize(bytes(0, 200), 1, 1, 2, 1, 4);
        assertThat(out).containsExactly(bytes(0, 50, 150, 200));
    }

    @Test
    void padCentresTheImage() {
        byte[] out = Resample.pad(bytes(1, 2, 3, 4), 1, 2, 2, 4, 4, (byte) 9);
        assertThat(out).containsExactly(bytes(
                9, 9, 9, 9,
                9, 1, 2, 9,
                9, 3, 4, 9,
                9, 9, 9, 9));
    }

    @Test
    void channelsAreResizedIndependently() {
        byte[] src = bytes(10, 10, 10, 10, 200, 200, 200, 200);
        assertThat(Resample.resize(src, 2, 2, 2, 1, 1)).containsExactly(bytes(10, 200));
    }
}
