package io.github.diffusion4j.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.schedule.KarrasSigmas;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Generator as a SampleSource: batches as tensors, one label rule, and the two start strategies. */
class SampleSourceTest {
    static final long[] SHAPE = {2, 3, 3};

    @BeforeAll
    static void init() {
        Engine.init();
    }

    /** x̂₀ = 0.5·x/(1+σ) plus 0.1·label: depends on x, σ and the class, so labels and noise both show. */
    static final Denoiser LABELLED = (x, sigma, cond) -> {
        Tensor s = Tensors.broadcastable(sigma, x).add(new Scalar(1.0));
        Tensor out = x.mul(new Scalar(0.5)).div(s);
        long[] labels = cond.classLabels();
        if (labels == null) {
            return out;
        }
        double[] shift = Arrays.stream(labels).mapToDouble(l -> 0.1 * l).toArray();
        return out.add(Tensors.broadcastable(Tensors.fromDoubles(shift, shift.length), x));
    };

    @Test
    void theLabelRuleIsSeedModClasses() {
        assertThat(SampleSource.labelOf(0, 10)).isEqualTo(0);
        assertThat(SampleSource.labelOf(37, 10)).isEqualTo(7);
        assertThat(SampleSource.labelOf(-1, 10)).isEqualTo(9);
        assertThat(SampleSource.labelOf(12345, 1)).isEqualTo(0);
        assertThatThrownBy(() -> SampleSource.labelOf(3, 0)).isInstanceOf(IllegalArgumentException.class);
        Generator g = new Generator(LABELLED, AncestralSampler.ddim(), KarrasSigmas.edm().sigmas(4), SHAPE).withClasses(3);
        assertThat(g.classConditional()).isTrue();
        assertThat(new long[] {g.labelOf(0), g.labelOf(1), g.labelOf(5), g.labelOf(6)}).containsExactly(0, 1, 2, 0);
        assertThat(g.withClasses(0).classConditional()).isFalse();
        assertThat(g.withLabels(seed -> 2).labelOf(7)).isEqualTo(2);
    }

    @Test
    void aBatchIsOneFloat64TensorWithTheSeedsAndLabelsAndThePerSeedPixelsAreItsRows() {
        Generator g = new Generator(LABELLED, AncestralSampler.eulerAncestral(), KarrasSigmas.edm().sigmas(5), SHAPE)
                .withClasses(4);
        long[] seeds = {3, 8, 13, 2, 21};
        double[] rows;
        try (PointerScope scope = new PointerScope()) {
            SampleSource.Samples s = g.sample(seeds, StepListener.NONE);
            assertThat(s.images().shape()).containsExactly(5, 2, 3, 3);
            assertThat(Tensors.scalarType(s.images())).isEqualTo(org.bytedeco.pytorch.global.torch.ScalarType.Double);
            assertThat(s.seeds()).containsExactly(seeds);
            assertThat(s.labels()).containsExactly(3, 0, 1, 2, 1);
            rows = Tensors.toDoubles(s.images());
        }
        Map<Long, double[]> perSeed = new HashMap<>();
        List<Integer> batchSizes = new ArrayList<>();
        g.forEachBatch(seeds, 2, StepListener.NONE, b -> batchSizes.add(b.seeds().length));
        assertThat(batchSizes).containsExactly(2, 2, 1);
        g.generate(seeds, 2, StepListener.NONE, perSeed::put);
        int per = 18;
        for (int i = 0; i < seeds.length; i++) {
            assertThat(perSeed.get(seeds[i])).as("seed %d", seeds[i]).isEqualTo(Arrays.copyOfRange(rows, i * per, (i + 1) * per));
        }
        Map<Long, double[]> otherClass = new HashMap<>();
        g.withLabels(seed -> 3).generate(new long[] {8}, 1, StepListener.NONE, otherClass::put);
        assertThat(otherClass.get(8L)).as("seed 8 with label 3 instead of 0").isNotEqualTo(perSeed.get(8L));
        Map<Long, double[]> same = new HashMap<>();
        g.withLabels(seed -> 0).generate(new long[] {8}, 1, StepListener.NONE, same::put);
        assertThat(same.get(8L)).as("an explicit label equal to the rule's gives the same image").isEqualTo(perSeed.get(8L));
    }

    @Test
    void pureNoiseStartsAtSigmaZeroTimesTheSeedsFirstDraw() {
        try (PointerScope scope = new PointerScope()) {
            double[] got = Tensors.toDoubles(Start.PURE_NOISE.latent(new SeededNoise(4, 9), 80, SHAPE));
            double[] n = Tensors.toDoubles(new SeededNoise(4, 9).randn(SHAPE));
            for (int i = 0; i < n.length; i++) {
                assertThat(got[i]).isEqualTo(80 * n[i]);
            }
        }
    }

    @Test
    void fromImageStartsAtTheImagePlusSigmaStartTimesTheSeedsFirstDraw() {
        try (PointerScope scope = new PointerScope()) {
            double[] img = new double[2 * 18];
            for (int i = 0; i < img.length; i++) {
                img[i] = Math.sin(i);
            }
            Tensor image = Tensors.fromDoubles(img, 2, 2, 3, 3);
            double[] got = Tensors.toDoubles(new Start.FromImage(image, 0.7).latent(new SeededNoise(4, 9), 0.7, SHAPE));
            double[] n = Tensors.toDoubles(new SeededNoise(4, 9).randn(SHAPE));
            for (int i = 0; i < n.length; i++) {
                assertThat(got[i]).isEqualTo(img[i] + 0.7 * n[i]);
            }
            assertThatThrownBy(() -> new Start.FromImage(image, 0.7).latent(new SeededNoise(4, 9), 0.8, SHAPE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("begins at");
            assertThatThrownBy(() -> new Start.FromImage(image, 0.7).latent(new SeededNoise(4, 9, 1), 0.7, SHAPE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch has 3");
            assertThatThrownBy(() -> new Start.FromImage(image, 0.7).latent(new SeededNoise(4, 9), 0.7, new long[] {2, 9}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shape");
        }
    }

    /**
     * A relay-style stage: a grid truncated at 0.9, started from an image at its first level; with the
     * ideal denoiser of a point mass at that image, deterministic DDIM lands on the image.
     */
    @Test
    void aGeneratorStartedFromAnImageOnATruncatedGridRunsFromThere() {
        double[] sigmas = KarrasSigmas.edm().truncatedAt(0.9).sigmas(32);
        assertThat(sigmas[0]).isLessThan(0.9);
        try (PointerScope scope = new PointerScope()) {
            double[] img = new double[3 * 18];
            for (int i = 0; i < img.length; i++) {
                img[i] = Math.cos(0.3 * i);
            }
            Tensor image = Tensors.fromDoubles(img, 3, 2, 3, 3);
            Denoiser pointMass = (x, sigma, cond) -> image.clone();
            List<Double> visited = new ArrayList<>();
            Generator g = new Generator(pointMass, AncestralSampler.ddim(), sigmas, SHAPE);
            SampleSource.Samples s = g.sample(new long[] {1, 2, 3}, new Start.FromImage(image, sigmas[0]),
                    (step, steps, sigma, next, x, d) -> visited.add(sigma));
            assertThat(visited.get(0)).isEqualTo(sigmas[0]);
            assertThat(visited).hasSize(sigmas.length - 1);
            assertThat(Tensors.toDoubles(s.images())).containsExactly(img);
            assertThat(s.labels()).isNull();
        }
    }
}
