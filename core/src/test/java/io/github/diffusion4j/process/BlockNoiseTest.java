package io.github.diffusion4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.testing.Golden;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Block noise (Teng et al. 2024, Sec. 3.3): the official {@code blurring.block_noise} on a fixed
 * white noise (shared/golden/relay.npz {@code bn_*}), unit per-pixel variance and the box-filter
 * autocorrelation ρ(Δy, Δx) = (p − |Δy|)⁺(p − |Δx|)⁺/p² over many seeds, and the noise source order.
 */
class BlockNoiseTest {
    @BeforeAll
    static void init() {
        Engine.init();
    }

    @Test
    void matchesTheOfficialBlockNoise() {
        Golden g = Golden.load("relay.npz");
        try (PointerScope scope = new PointerScope()) {
            g.assertClose(BlockNoise.box(g.tensor("bn_white"), 2), "bn_p2", 1e-12);
            g.assertClose(BlockNoise.box(g.tensor("bn_white"), 4), "bn_p4", 1e-12);
            Tensor w = g.tensor("bn_white");
            assertThat(BlockNoise.box(w, 1)).isSameAs(w);
        }
    }

    /**
     * Over n independent samples (images from distinct seeds; within an image only anchors 8 apart,
     * whose p×p windows, p ≤ 4, at lags ≤ p never overlap, so their products are independent), the
     * mean of e(a)e(a + Δ) has standard error √((1 + ρ²)/n) for unit-variance Gaussians; each
     * estimate must lie within 5 standard errors of ρ (a false alarm once in ~10⁶ per estimate).
     */
    @Test
    void unitVarianceAndBoxFilterAutocorrelationOverManySeeds() {
        int images = 2000, size = 32, spacing = 8;
        long[] seeds = new long[images];
        for (int i = 0; i < images; i++) {
            seeds[i] = 1_000 + i;
        }
        for (int p : new int[] {2, 4}) {
            double[] e;
            try (PointerScope scope = new PointerScope()) {
                e = Tensors.toDoubles(BlockNoise.box(new SeededNoise(seeds).randn(1, size, size), p));
            }
            int anchors = (size / spacing) * (size / spacing);
            long n = (long) images * anchors;
            for (int dy = 0; dy <= p; dy++) {
                for (int dx = -p; dx <= p; dx++) {
                    double sum = 0;
                    for (int img = 0; img < images; img++) {
                        for (int ay = 0; ay < size; ay += spacing) {
                            for (int ax = 0; ax < size; ax += spacing) {
                                int by = (ay + dy) % size, bx = Math.floorMod(ax + dx, size);
                                sum += e[img * size * size + ay * size + ax] * e[img * size * size + by * size + bx];
                            }
                        }
                    }
                    double got = sum / n;
                    double rho = Math.max(p - dy, 0) * (double) Math.max(p - Math.abs(dx), 0) / (p * p);
                    double se = Math.sqrt((1 + rho * rho) / n);
                    assertThat(Math.abs(got - rho)).as("p=%d lag (%d,%d): %s vs %s (se %s)", p, dy, dx, got, rho, se)
                            .isLessThan(5 * se);
                }
            }
        }
    }

    @Test
    void sourceDrawsEpsilonThenTheWhiteNoiseOfTheBlock() {
        try (PointerScope scope = new PointerScope()) {
            SeededNoise a = new SeededNoise(3, 4), b = new SeededNoise(3, 4);
            double[] got = Tensors.toDoubles(new BlockNoise(a, 4, 0.15).randn(2, 8, 8));
            Tensor eps = b.randn(2, 8, 8);
            double[] want = Tensors.toDoubles(eps.add(BlockNoise.box(b.randn(2, 8, 8), 4).mul(new Scalar(0.15))));
            assertThat(got).containsExactly(want);
            // weight 0: the base stream itself, one draw per call
            SeededNoise c = new SeededNoise(3, 4), d = new SeededNoise(3, 4);
            assertThat(Tensors.toDoubles(new BlockNoise(c, 4, 0.0).randn(2, 8, 8))).containsExactly(Tensors.toDoubles(d.randn(2, 8, 8)));
            assertThat(Tensors.toDoubles(c.randn(2, 8, 8))).containsExactly(Tensors.toDoubles(d.randn(2, 8, 8)));
        }
    }
}
