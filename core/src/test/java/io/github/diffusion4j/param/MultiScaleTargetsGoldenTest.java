package io.github.diffusion4j.param;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.testing.Golden;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DiMR's multi-scale ε targets (Liu et al. 2024, Sec. 3.2) against the official code: golden arrays
 * {@code ms_*} of {@code dimr.npz} (shared/golden/dimr.npz; qihao067/DiMR {@code fa141ae4},
 * {@code sde.py:313 even_multi_scale_targets} and {@code :297 odd_multi_scale_targets}, float32),
 * k×k sum ÷ k ({@code scale_correction=True}) and the plain mean, even and odd sizes.
 */
class MultiScaleTargetsGoldenTest {
    private static final Golden G = Golden.load("dimr.npz");

    @BeforeAll
    static void init() {
        Engine.init();
    }

    private static Tensor f32(String name) {
        return G.tensor(name).to(ScalarType.Float);
    }

    @Test
    void sumPooledDividedByKAsTheOfficialEvenTargets() {
        try (PointerScope scope = new PointerScope()) {
            Tensor eps = f32("ms_eps");
            G.assertClose(MultiHeadSupervision.down(eps, 2, MultiHeadSupervision.Pooling.SUM), "ms_target_k2", 1e-6);
            G.assertClose(MultiHeadSupervision.down(eps, 4, MultiHeadSupervision.Pooling.SUM), "ms_target_k4", 1e-6);
            G.assertClose(MultiHeadSupervision.down(eps, 2, MultiHeadSupervision.Pooling.MEAN), "ms_mean_target_k2", 1e-6);
            G.assertClose(MultiHeadSupervision.down(eps, 4, MultiHeadSupervision.Pooling.MEAN), "ms_mean_target_k4", 1e-6);
        }
    }

    @Test
    void oddSizesUseTheOfficialWiderPaddedWindow() {
        try (PointerScope scope = new PointerScope()) {
            Tensor eps = f32("ms_odd_eps");
            G.assertClose(MultiHeadSupervision.down(eps, 2, MultiHeadSupervision.Pooling.SUM), "ms_odd_target_9", 1e-6);
            G.assertClose(MultiHeadSupervision.down(eps, 4, MultiHeadSupervision.Pooling.SUM), "ms_odd_target_5", 1e-6);
        }
    }
}
