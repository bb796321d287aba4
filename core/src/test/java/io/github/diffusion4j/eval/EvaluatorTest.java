package io.github.diffusion4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.diffusion4j.data.ImageDataset;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.eval.features.FeatureNetwork;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The evaluation glue: seeded reference subsets, label accuracy, and metrics of a set against itself. */
class EvaluatorTest {
    @BeforeAll
    static void init() {
        Engine.init();
    }

    /** Features = the 4 quadrant means; logits = one-hot of "left half brighter than right" (class 0) or not (class 1). */
    static final class QuadrantNet implements FeatureNetwork {
        public String name() { return "quadrants"; }
        public int inputChannels() { return 1; }
        public int inputResolution() { return 8; }
        public int featureDim() { return 4; }
        public int numClasses() { return 2; }
        public int spatialDim() { return 4; }
        public void close() {}

        public Outputs run(Tensor images) {
            double[] px = Tensors.toDoubles(images);
            int b = (int) images.size(0);
            double[][] f = new double[b][4];
            double[][] l = new double[b][2];
            for (int i = 0; i < b; i++) {
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        f[i][(y / 4) * 2 + x / 4] += px[i * 64 + y * 8 + x] / 16;
                    }
                }
                boolean left = f[i][0] + f[i][2] > f[i][1] + f[i][3];
                l[i][left ? 0 : 1] = 1;
            }
            return new Outputs(f, l, f);
        }
    }

    static ImageDataset data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[n * 64];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(2);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean bright = labels[i] == 0 ? x < 4 : x >= 4;
                    px[i * 64 + y * 8 + x] = (byte) (bright ? 150 + r.nextInt(100) : r.nextInt(100));
                }
            }
        }
        return new ImageDataset(px, labels, 1, 8, 8, List.of("left", "right"));
    }

    @Test
    void aSetAgainstItselfIsPerfect() {
        QuadrantNet net = new QuadrantNet();
        ImageDataset d = data(300, 1);
        Evaluator.Measured a = Evaluator.ofDataset(net, d, 200, 7);
        Evaluator.Measured again = Evaluator.ofDataset(net, d, 200, 7);
        assertThat(again.outputs().features()).isDeepEqualTo(a.outputs().features());
        Map<String, Object> r = Evaluator.compare(a, a, EnumSet.allOf(Evaluator.Metric.class), null);
        assertThat((double) r.get("fd")).isCloseTo(0, within(1e-9));
        assertThat((double) r.get("sfd")).isCloseTo(0, within(1e-9));
        assertThat((double) r.get("precision")).isEqualTo(1.0);
        assertThat((double) r.get("recall")).isEqualTo(1.0);
        assertThat((double) r.get("labelAccuracy")).isEqualTo(1.0);
        assertThat(r).doesNotContainKey("cas");
    }

    @Test
    void differentDataIsFartherThanAnotherDrawOfTheSame() {
        QuadrantNet net = new QuadrantNet();
        Evaluator.Measured real = Evaluator.ofDataset(net, data(400, 1), 300, 0);
        Evaluator.Measured same = Evaluator.ofDataset(net, data(400, 2), 300, 0);
        ImageDataset flipped = data(400, 3);
        Evaluator.Measured shifted = Evaluator.ofDataset(net, flipped.select(onlyLabel(flipped, 0)), 150, 0);
        var fd = EnumSet.of(Evaluator.Metric.FD);
        double near = (double) Evaluator.compare(real, same, fd, null).get("fd");
        double far = (double) Evaluator.compare(real, shifted, fd, null).get("fd");
        assertThat(far).isGreaterThan(10 * near);
    }

    static int[] onlyLabel(ImageDataset d, int label) {
        return java.util.stream.IntStream.range(0, d.size()).filter(i -> d.label(i) == label).toArray();
    }
}
