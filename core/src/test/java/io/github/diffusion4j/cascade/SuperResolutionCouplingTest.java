package io.github.diffusion4j.cascade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.diffusion4j.config.AugmentationConfig;
import io.github.diffusion4j.config.CouplingConfig;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CDM's SR conditioning in training (Ho et al. 2021, Sec. 3.2): area-downsampled x₀, augmentation per (seed, row), upsampling. */
class SuperResolutionCouplingTest {
    @BeforeAll
    static void init() {
        Engine.init();
    }

    static SuperResolutionCoupling coupling(AugmentationConfig a, String up, boolean vp) {
        return new SuperResolutionCoupling(new CouplingConfig.SuperResolution(2, up, a), vp);
    }

    static Tensor x0(long... seeds) {
        return new SeededNoise(seeds).randn(1, 4, 4).to(ScalarType.Float);
    }

    @Test
    void withoutAugmentationTheImageIsTheUpsampledAreaMeanAndNoLevelIsGiven() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Tensors.fromDoubles(new double[] {1, 3, 5, 7, 1, 3, 5, 7, 0, 0, 2, 2, 0, 0, 2, 2}, 1, 1, 4, 4).to(ScalarType.Float);
            Conditioning c = coupling(AugmentationConfig.None.DEFAULT, "nearest", false).condition(x, Conditioning.classes(1), 0, 0);
            assertThat(Tensors.toDoubles(c.image())).containsExactly(2, 2, 6, 6, 2, 2, 6, 6, 0, 0, 2, 2, 0, 0, 2, 2);
            assertThat(c.augmentation()).isNull();
            assertThat(c.classLabels()).containsExactly(1);
            Conditioning b = coupling(AugmentationConfig.None.DEFAULT, "bilinear", false).condition(x, Conditioning.NONE, 0, 0);
            assertThat(Tensors.toDoubles(b.image())[0]).isEqualTo(2.0); // a corner repeats the edge value
            assertThat(Tensors.toDoubles(b.image())[1]).isCloseTo(3.0, within(1e-12)); // 3/4·2 + 1/4·6
        }
    }

    @Test
    void gaussianLevelsAreUniformUpToMaxAndKeyedBySeedAndRow() {
        SuperResolutionCoupling c = coupling(new AugmentationConfig.Gaussian(0.8), "bilinear", false);
        try (PointerScope scope = new PointerScope()) {
            Tensor x = x0(1, 2, 3, 4);
            Conditioning all = c.condition(x, Conditioning.NONE, 9, 10);
            Conditioning tail = c.condition(x.narrow(0, 2, 2), Conditioning.NONE, 9, 12);
            assertThat(Arrays.copyOfRange(all.augmentation(), 2, 4)).containsExactly(tail.augmentation());
            assertThat(Arrays.copyOfRange(Tensors.toDoubles(all.image()), 2 * 16, 4 * 16)).containsExactly(Tensors.toDoubles(tail.image()));
            assertThat(Arrays.stream(all.augmentation()).boxed().toList()).allSatisfy(l -> assertThat(l).isBetween(0.0, 0.8));
            assertThat(c.condition(x, Conditioning.NONE, 8, 10).augmentation()).isNotEqualTo(all.augmentation());
            assertThat(c.trainedRange()).containsExactly(0, 0.8);
        }
    }

    @Test
    void corruptionIsTheForwardProcessInTheStagesUnits() {
        try (PointerScope scope = new PointerScope()) {
            Tensor z = new SeededNoise(1, 2).randn(1, 2, 2);
            double[] levels = {0.5, 2.0};
            double[] n = Tensors.toDoubles(new SeededNoise(7, 8).randn(1, 2, 2));
            double[] zv = Tensors.toDoubles(z);
            double[] edm = Tensors.toDoubles(coupling(new AugmentationConfig.Gaussian(3), "bilinear", false)
                    .corrupt(z, levels, new SeededNoise(7, 8)));
            double[] vp = Tensors.toDoubles(coupling(new AugmentationConfig.Gaussian(3), "bilinear", true)
                    .corrupt(z, levels, new SeededNoise(7, 8)));
            for (int i = 0; i < 8; i++) {
                double s = levels[i / 4];
                double abar = 1 / (1 + s * s);
                assertThat(edm[i]).isCloseTo(zv[i] + s * n[i], within(1e-12));
                assertThat(vp[i]).isCloseTo(Math.sqrt(abar) * zv[i] + Math.sqrt(1 - abar) * n[i], within(1e-12));
            }
            assertThat(coupling(new AugmentationConfig.Gaussian(3), "bilinear", true).corrupt(z, new double[2], new SeededNoise(7, 8)))
                    .isSameAs(z);
        }
    }

    @Test
    void blurTouchesAboutTheConfiguredFractionAndKeepsTheMean() {
        SuperResolutionCoupling c = coupling(new AugmentationConfig.Blur(0.5, List.of(0.4, 0.6)), "nearest", false);
        SuperResolutionCoupling none = coupling(AugmentationConfig.None.DEFAULT, "nearest", false);
        try (PointerScope scope = new PointerScope()) {
            long[] seeds = new long[64];
            Arrays.setAll(seeds, i -> i);
            Tensor x = x0(seeds);
            double[] blurred = Tensors.toDoubles(c.condition(x, Conditioning.NONE, 3, 0).image());
            double[] clean = Tensors.toDoubles(none.condition(x, Conditioning.NONE, 3, 0).image());
            int changed = 0;
            for (int i = 0; i < 64; i++) {
                double[] a = Arrays.copyOfRange(blurred, i * 16, i * 16 + 16);
                double[] b = Arrays.copyOfRange(clean, i * 16, i * 16 + 16);
                changed += Arrays.equals(a, b) ? 0 : 1;
            }
            assertThat(changed).isBetween(20, 44);
            assertThat(c.condition(x, Conditioning.NONE, 3, 0).augmentation()).isNull();
            assertThat(c.trainedRange()).containsExactly(0, 0);
            // a constant image stays constant under the normalised kernel with repeated edges
            Tensor flat = Tensors.fromDoubles(new double[] {0.3, 0.3, 0.3, 0.3}, 1, 1, 2, 2);
            assertThat(Arrays.stream(Tensors.toDoubles(SuperResolutionCoupling.blur(flat, new double[] {0.5}))).boxed().toList())
                    .allSatisfy(v -> assertThat(v).isCloseTo(0.3, within(1e-15)));
        }
    }
}
