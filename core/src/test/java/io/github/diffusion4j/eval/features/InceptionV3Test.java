package io.github.diffusion4j.eval.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.io.TensorFiles;
import io.github.diffusion4j.nn.Pool;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FID Inception network on random weights written under pytorch-fid's tensor names: the
 * listing a converter must match, loading and its errors, and one small forward pass.
 */
class InceptionV3Test {

    @TempDir
    static Path dir;

    /** A weight file with every expected tensor, random (He-normal convolutions, identity batch norms). */
    static Path random;

    @BeforeAll
    static void writeRandomWeights() throws IOException {
        random = dir.resolve("random-inception.safetensors");
        writeWeights(random, ScalarType.Float, Map.of(), true);
    }

    /**
     * Writes {@link InceptionV3#expectedTensors()} to {@code file} in {@code dtype}, with
     * {@code replace} overriding entries (a null value drops the tensor); random values when
     * {@code randomValues}, else zeros (fast, for files that must fail to load).
     */
    static void writeWeights(Path file, ScalarType dtype, Map<String, long[]> replace, boolean randomValues)
            throws IOException {
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(1234);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            TensorOptions opts = new TensorOptions(dtype);
            for (Map.Entry<String, long[]> e : InceptionV3.expectedTensors().entrySet()) {
                String k = e.getKey();
                long[] shape = replace.containsKey(k) ? replace.get(k) : e.getValue();
                if (shape == null) {
                    continue;
                }
                Tensor t;
                if (!randomValues) {
                    t = torch.zeros(shape, opts);
                } else if (k.endsWith("running_var") || k.endsWith("bn.weight")) {
                    t = torch.ones(shape, opts);
                } else if (k.endsWith("running_mean") || k.endsWith("bn.bias") || k.equals("fc.bias")) {
                    t = torch.zeros(shape, opts);
                } else {
                    long fanIn = 1;
                    for (int i = 1; i < shape.length; i++) {
                        fanIn *= shape[i];
                    }
                    t = torch.randn(shape).mul(new Scalar(Math.sqrt(2.0 / fanIn))).to(dtype);
                }
                tensors.put(k, t);
            }
            for (Map.Entry<String, long[]> e : replace.entrySet()) {
                if (!tensors.containsKey(e.getKey()) && e.getValue() != null) {
                    tensors.put(e.getKey(), torch.zeros(e.getValue(), opts));
                }
            }
            TensorFiles.write(file, tensors, Map.of("note", "random weights for tests"));
        }
    }

    @Test
    void listsTheTensorsOfPytorchFidsStateDict() {
        Map<String, long[]> t = InceptionV3.expectedTensors();
        // 94 BasicConv2d layers × (conv.weight + 4 batch-norm tensors) + fc.weight + fc.bias.
        assertThat(InceptionV3.convs()).hasSize(94);
        assertThat(t).hasSize(472);
        assertThat(t.keySet()).startsWith("Conv2d_1a_3x3.conv.weight", "Conv2d_1a_3x3.bn.weight",
                "Conv2d_1a_3x3.bn.bias", "Conv2d_1a_3x3.bn.running_mean", "Conv2d_1a_3x3.bn.running_var",
                "Conv2d_2a_3x3.conv.weight");
        assertThat(t.keySet()).endsWith("Mixed_7c.branch_pool.bn.running_var", "fc.weight", "fc.bias");
        assertThat(t.keySet()).noneMatch(k -> k.startsWith("AuxLogits") || k.endsWith("num_batches_tracked"));
        assertThat(t.get("Conv2d_1a_3x3.conv.weight")).containsExactly(32, 3, 3, 3);
        assertThat(t.get("Conv2d_4a_3x3.conv.weight")).containsExactly(192, 80, 3, 3);
        assertThat(t.get("Mixed_5b.branch1x1.conv.weight")).containsExactly(64, 192, 1, 1);
        assertThat(t.get("Mixed_5b.branch5x5_2.conv.weight")).containsExactly(64, 48, 5, 5);
        assertThat(t.get("Mixed_5b.branch_pool.conv.weight")).containsExactly(32, 192, 1, 1);
        assertThat(t.get("Mixed_5d.branch_pool.conv.weight")).containsExactly(64, 288, 1, 1);
        assertThat(t.get("Mixed_6a.branch3x3.conv.weight")).containsExactly(384, 288, 3, 3);
        assertThat(t.get("Mixed_6b.branch7x7_2.conv.weight")).containsExactly(128, 128, 1, 7);
        assertThat(t.get("Mixed_6c.branch7x7dbl_2.conv.weight")).containsExactly(160, 160, 7, 1);
        assertThat(t.get("Mixed_6e.branch7x7dbl_5.conv.weight")).containsExactly(192, 192, 1, 7);
        assertThat(t.get("Mixed_7a.branch3x3_2.conv.weight")).containsExactly(320, 192, 3, 3);
        assertThat(t.get("Mixed_7a.branch7x7x3_4.conv.weight")).containsExactly(192, 192, 3, 3);
        assertThat(t.get("Mixed_7b.branch3x3_2a.conv.weight")).containsExactly(384, 384, 1, 3);
        assertThat(t.get("Mixed_7b.branch3x3dbl_1.conv.weight")).containsExactly(448, 1280, 1, 1);
        assertThat(t.get("Mixed_7c.branch3x3dbl_3b.conv.weight")).containsExactly(384, 384, 3, 1);
        assertThat(t.get("Mixed_7c.branch_pool.conv.weight")).containsExactly(192, 2048, 1, 1);
        assertThat(t.get("Mixed_7c.branch_pool.bn.running_mean")).containsExactly(192);
        assertThat(t.get("fc.weight")).containsExactly(1008, 2048);
        assertThat(t.get("fc.bias")).containsExactly(1008);

        // Trainable parameters: torchvision's inception_v3 (27,161,264 with AuxLogits and 1000
        // classes) less AuxLogits (3,326,696) plus 8 more classes (8 × 2049) = 23,850,960.
        long params = 0;
        long buffers = 0;
        for (Map.Entry<String, long[]> e : t.entrySet()) {
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            if (e.getKey().endsWith("running_mean") || e.getKey().endsWith("running_var")) {
                buffers += n;
            } else {
                params += n;
            }
        }
        assertThat(params).isEqualTo(23_850_960L);
        assertThat(buffers).isEqualTo(2L * 17_216); // two statistics per batch-norm channel
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path f = dir.resolve("missing.safetensors");
        Map<String, long[]> replace = new LinkedHashMap<>();
        replace.put("Mixed_6c.branch7x7dbl_3.bn.running_var", null);
        writeWeights(f, ScalarType.Half, replace, false);
        assertThatThrownBy(() -> InceptionV3.load(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("missing tensor Mixed_6c.branch7x7dbl_3.bn.running_var [160]")
                .hasMessageContaining("1 problem)");
    }

    @Test
    void misShapedAndUnexpectedTensorsAreNamed() throws IOException {
        Path f = dir.resolve("misshaped.safetensors");
        Map<String, long[]> replace = new LinkedHashMap<>();
        replace.put("Mixed_5b.branch5x5_2.conv.weight", new long[] {64, 48, 3, 3});
        replace.put("AuxLogits.fc.weight", new long[] {1008, 768});
        replace.put("Mixed_5b.branch1x1.bn.num_batches_tracked", new long[] {}); // ignored, as in a state_dict
        writeWeights(f, ScalarType.Half, replace, false);
        assertThatThrownBy(() -> InceptionV3.load(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor Mixed_5b.branch5x5_2.conv.weight has shape [64, 48, 3, 3], expected [64, 48, 5, 5]")
                .hasMessageContaining("unexpected tensor AuxLogits.fc.weight")
                .hasMessageContaining("2 problems)")
                .hasMessageNotContaining("num_batches_tracked");
    }

    @Test
    void forwardGivesPool3LogitsAndSpatialFeaturesDeterministically() throws IOException {
        long t0 = System.nanoTime();
        try (InceptionV3 net = InceptionV3.load(random); PointerScope scope = new PointerScope()) {
            assertThat(net.name()).isEqualTo("inception-v3-fid");
            assertThat(new int[] {net.inputChannels(), net.inputResolution(), net.featureDim(), net.numClasses(),
                    net.spatialDim()}).containsExactly(3, 299, 2048, 1008, 2023);
            float[] px = new float[2 * 3 * 32 * 32];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) Math.sin(0.37 * i);
            }
            Tensor images = Tensors.fromFloats(px, 2, 3, 32, 32);
            FeatureNetwork.Outputs a = net.run(images);
            FeatureNetwork.Outputs b = net.run(images);
            assertThat(a.size()).isEqualTo(2);
            assertThat(a.features()[0]).hasSize(2048);
            assertThat(a.logits()[1]).hasSize(1008);
            assertThat(a.spatial()[1]).hasSize(2023);
            assertThat(a.features()).isDeepEqualTo(b.features());
            assertThat(a.logits()).isDeepEqualTo(b.logits());
            assertThat(a.spatial()).isDeepEqualTo(b.spatial());
            for (double v : a.features()[0]) {
                assertThat(v).isFinite().isGreaterThanOrEqualTo(0); // means of ReLU outputs
            }
            assertThat(a.features()[0]).isNotEqualTo(a.features()[1]);
        }
        System.out.printf("InceptionV3 load + 2 forward passes of 2 images: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @Test
    void tensorflowAveragePoolIgnoresPadding() {
        try (PointerScope scope = new PointerScope()) {
            Tensor ones = torch.ones(1, 1, 4, 4);
            double[] tf = Tensors.toDoubles(Pool.average(3, 1, 1, false).forward(ones));
            double[] torchDefault = Tensors.toDoubles(Pool.average(3, 1, 1, true).forward(ones));
            assertThat(tf).containsOnly(1.0);
            assertThat(torchDefault[0]).isCloseTo(4.0 / 9, org.assertj.core.data.Offset.offset(1e-6));
        }
    }
}
