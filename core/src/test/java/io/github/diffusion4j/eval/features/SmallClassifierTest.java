package io.github.diffusion4j.eval.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.data.ImageDataset;
import io.github.diffusion4j.engine.CounterRng;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.io.TensorFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small classifier's shapes, evaluation semantics, augmentation and training determinism, on synthetic data. */
class SmallClassifierTest {

    @TempDir
    Path dir;

    private static final SmallClassifier.Architecture TINY =
            new SmallClassifier.Architecture(1, 8, 2, new int[] {4, 8}, new int[] {1, 1}, 0, 2);

    /**
     * 2-class 8×8 images: class 0 has a bright horizontal bar, class 1 a vertical one, at a random
     * place, on a noisy background.
     */
    static ImageDataset bars(int n, long seed) {
        byte[] px = new byte[n * 64];
        int[] labels = new int[n];
        long key = CounterRng.streamKey(seed, 7);
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            int at = 1 + (int) (CounterRng.uniform(key, 3L * i) * 6);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean bar = labels[i] == 0 ? y == at : x == at;
                    double noise = CounterRng.uniform(key, 3L * i + 1 + 100_000L * (y * 8 + x)) * 60;
                    px[i * 64 + y * 8 + x] = (byte) (bar ? 255 - (int) noise : (int) noise);
                }
            }
        }
        return new ImageDataset(px, labels, 1, 8, 8, List.of("horizontal", "vertical"));
    }

    @Test
    void emojiArchitectureHasTheDocumentedShape() {
        try (SmallClassifier net = new SmallClassifier("x", SmallClassifier.EMOJI_V1, 1, true); PointerScope scope = new PointerScope()) {
            assertThat(new int[] {net.inputChannels(), net.inputResolution(), net.featureDim(), net.numClasses(),
                    net.spatialDim()}).containsExactly(3, 32, 256, 10, 8 * 16 * 16);
            assertThat(net.store().parameterCount()).isEqualTo(1_166_506);
        }
    }

    @Test
    void aResizingNetworkTakesAnyResolutionTheDocumentedWay() {
        try (SmallClassifier net = new SmallClassifier("x", TINY, 3, true);
                SmallClassifier strict = new SmallClassifier("y", TINY, 3); PointerScope scope = new PointerScope()) {
            // 16 px images whose 2x2 area means are the 8 px images: the same outputs
            float[] small = new float[2 * 64];
            float[] big = new float[2 * 256];
            for (int i = 0; i < small.length; i++) {
                small[i] = (float) Math.sin(i * 0.37);
            }
            float[] offsets = {-0.25f, 0.25f, 0.125f, -0.125f}; // mean 0
            for (int b = 0; b < 2; b++) {
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        big[b * 256 + y * 16 + x] = small[b * 64 + (y / 2) * 8 + x / 2] + offsets[(y % 2) * 2 + x % 2];
                    }
                }
            }
            FeatureNetwork.Outputs a = net.run(Tensors.fromFloats(small, 2, 1, 8, 8));
            FeatureNetwork.Outputs c = net.run(Tensors.fromFloats(big, 2, 1, 16, 16));
            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < a.features()[i].length; k++) {
                    assertThat(c.features()[i][k]).isCloseTo(a.features()[i][k], Offset.offset(1e-5));
                }
            }
            // 4 px images are enlarged bilinearly (align_corners=False): a constant image stays constant
            float[] flat = new float[16];
            java.util.Arrays.fill(flat, 0.3f);
            float[] flat8 = new float[64];
            java.util.Arrays.fill(flat8, 0.3f);
            FeatureNetwork.Outputs up = net.run(Tensors.fromFloats(flat, 1, 1, 4, 4));
            FeatureNetwork.Outputs same = net.run(Tensors.fromFloats(flat8, 1, 1, 8, 8));
            assertThat(up.logits()[0][0]).isCloseTo(same.logits()[0][0], Offset.offset(1e-5));
            assertThatThrownBy(() -> strict.run(Tensors.fromFloats(big, 2, 1, 16, 16)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expects images [B, 1, 8, 8]");
        }
    }

    @Test
    void v1ArchitectureHasTheDocumentedShape() {
        try (SmallClassifier net = new SmallClassifier("x", SmallClassifier.V1, 1); PointerScope scope = new PointerScope()) {
            assertThat(new int[] {net.inputChannels(), net.inputResolution(), net.featureDim(), net.numClasses(),
                    net.spatialDim()}).containsExactly(1, 28, 96, 10, 8 * 14 * 14);
            assertThat(net.architecture().stages()).isEqualTo("24x1-48x2-96x2");
            assertThat(net.store().parameterCount()).isEqualTo(157_330);
            FeatureNetwork.Outputs o = net.run(Tensors.fromFloats(new float[3 * 784], 3, 1, 28, 28));
            assertThat(o.size()).isEqualTo(3);
            assertThat(o.features()[2]).hasSize(96);
            assertThat(o.logits()[2]).hasSize(10);
            assertThat(o.spatial()[2]).hasSize(1568);
            assertThatThrownBy(() -> net.run(Tensors.fromFloats(new float[784 * 4], 1, 1, 56, 56)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expects images [B, 1, 28, 28], got [1, 1, 56, 56]");
        }
    }

    @Test
    void evaluationIsPerImageAndDeterministic() {
        ImageDataset d = bars(40, 3);
        try (SmallClassifier net = new SmallClassifier("tiny", TINY, 5); PointerScope scope = new PointerScope()) {
            int[] all = new int[40];
            for (int i = 0; i < 40; i++) {
                all[i] = i;
            }
            FeatureNetwork.Outputs a = net.run(d.batch(all));
            FeatureNetwork.Outputs b = net.run(d.batch(all));
            FeatureNetwork.Outputs one = net.run(d.batch(new int[] {17}));
            assertThat(a.features()).isDeepEqualTo(b.features());
            assertThat(a.logits()).isDeepEqualTo(b.logits());
            // Evaluation uses running statistics, so an image's outputs do not depend on its batch.
            for (int k = 0; k < one.features()[0].length; k++) {
                assertThat(one.features()[0][k]).isCloseTo(a.features()[17][k], Offset.offset(1e-5));
            }
            assertThat(one.spatial()[0]).hasSize(2 * 8 * 8);
            for (int k = 0; k < one.spatial()[0].length; k++) {
                assertThat(one.spatial()[0][k]).isCloseTo(a.spatial()[17][k], Offset.offset(1e-5));
            }
        }
    }

    @Test
    void trainingLearnsAndIsReproducible() throws IOException {
        ImageDataset train = bars(512, 1);
        ImageDataset test = bars(200, 2);
        ClassifierTraining.Recipe recipe = new ClassifierTraining.Recipe(3, 32, 1e-2, 1e-4, 5, 0.0, 1, false, 99);
        double acc1;
        Map<String, float[]> w1 = new java.util.LinkedHashMap<>();
        try (SmallClassifier net = new SmallClassifier("tiny", TINY, recipe.seed())) {
            acc1 = ClassifierTraining.train(net, train, test, recipe, s -> {}).testAccuracy();
            net.store().all().forEach((k, v) -> w1.put(k, Tensors.toFloats(v)));
            Path f = dir.resolve("tiny.safetensors");
            ClassifierTraining.Result r = new ClassifierTraining.Result(acc1, 1, recipe.steps(train.size()));
            TensorFiles.write(f, net.store().all(), ClassifierTraining.metadata("tiny", "bars", TINY, recipe, r));
            try (SmallClassifier back = FeatureNetworks.loadClassifier("tiny", f)) {
                assertThat(back.architecture()).isEqualTo(TINY);
                assertThat(ClassifierTraining.accuracy(back, test)).isEqualTo(acc1);
            }
        }
        assertThat(acc1).isGreaterThan(0.9);
        try (SmallClassifier net = new SmallClassifier("tiny", TINY, recipe.seed())) {
            double acc2 = ClassifierTraining.train(net, train, test, recipe, s -> {}).testAccuracy();
            assertThat(acc2).isEqualTo(acc1);
            net.store().all().forEach((k, v) -> assertThat(Tensors.toFloats(v)).as(k).isEqualTo(w1.get(k)));
        }
    }

    @Test
    void loadingNamesMissingAndMisShapedTensors() throws IOException {
        try (SmallClassifier net = new SmallClassifier("tiny", TINY, 1); PointerScope scope = new PointerScope()) {
            Map<String, Tensor> values = new java.util.LinkedHashMap<>(net.store().all());
            values.remove("s1.c0.bn.running_var");
            assertThatThrownBy(() -> net.load(values)).hasMessageContaining("missing tensor s1.c0.bn.running_var [8]");
            values.put("s1.c0.bn.running_var", Tensors.fromFloats(new float[8], 8));
            values.put("fc.weight", Tensors.fromFloats(new float[6], 2, 3));
            assertThatThrownBy(() -> net.load(values)).hasMessageContaining("tensor fc.weight has shape [2, 3], expected [2, 8]");
        }
    }

    @Test
    void shiftMovesPixelsAndFillsWithBackground() {
        float[] src = new float[16];
        for (int i = 0; i < 16; i++) {
            src[i] = i;
        }
        float[] dst = new float[16];
        ClassifierTraining.shift(src, dst, 0, 1, 4, 4, 1, -2); // down 1, left 2
        assertThat(dst).containsExactly(
                -1, -1, -1, -1,
                2, 3, -1, -1,
                6, 7, -1, -1,
                10, 11, -1, -1);
    }

    @Test
    void learningRateWarmsUpThenDecaysToZero() {
        ClassifierTraining.Recipe r = ClassifierTraining.Recipe.v1("mnist");
        long total = r.steps(60000);
        assertThat(r.lrAt(0, total)).isEqualTo(r.lr() / r.warmupSteps());
        assertThat(r.lrAt(r.warmupSteps() - 1, total)).isEqualTo(r.lr());
        assertThat(r.lrAt(r.warmupSteps(), total)).isEqualTo(r.lr());
        assertThat(r.lrAt(total, total)).isCloseTo(0, Offset.offset(1e-12));
        assertThatThrownBy(() -> ClassifierTraining.Recipe.v1("cifar10")).hasMessageContaining("no recipe for dataset 'cifar10'");
    }
}
