package io.github.diffusion4j.eval.features;

import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.io.DType;
import io.github.diffusion4j.io.SafetensorsFile;
import io.github.diffusion4j.io.TensorEntry;
import io.github.diffusion4j.io.TensorFiles;
import io.github.diffusion4j.net.ParameterStore;
import io.github.diffusion4j.nn.BatchNorm;
import io.github.diffusion4j.nn.Conv2d;
import io.github.diffusion4j.nn.Linear;
import io.github.diffusion4j.nn.Pool;
import io.github.diffusion4j.nn.Resample;
import io.github.diffusion4j.nn.WeightInit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The FID Inception network: Inception-v3 as used by TensorFlow's original FID code
 * ({@code inception-2015-12-05}), in the PyTorch port of pytorch-fid ({@code fid_inception_v3},
 * weights {@code pt_inception-2015-12-05-6726825d.pth}), written functionally.
 *
 * <h2>Architecture</h2>
 * Every convolution is a {@code BasicConv2d}: conv (no bias) → batch norm in evaluation mode
 * (running statistics, eps 0.001) → ReLU. The stem: {@code Conv2d_1a_3x3} (3→32, stride 2),
 * {@code Conv2d_2a_3x3} (32→32), {@code Conv2d_2b_3x3} (32→64, pad 1), 3×3/2 max-pool,
 * {@code Conv2d_3b_1x1} (64→80), {@code Conv2d_4a_3x3} (80→192), 3×3/2 max-pool; then
 * {@code Mixed_5b/5c/5d} (FIDInceptionA: 1×1 | 1×1→5×5 | 1×1→3×3→3×3 | avg-pool→1×1),
 * {@code Mixed_6a} (InceptionB, stride 2), {@code Mixed_6b..6e} (FIDInceptionC with factorised
 * 1×7/7×1 convolutions, c7 = 128, 160, 160, 192), {@code Mixed_7a} (InceptionD, stride 2),
 * {@code Mixed_7b} (FIDInceptionE_1) and {@code Mixed_7c} (FIDInceptionE_2). The FID variants
 * differ from torchvision's blocks only in their pooling branch: 3×3 average pooling with stride 1
 * and padding 1 that ignores the padded zeros ({@code count_include_pad=False}, TensorFlow's
 * behaviour), and in {@code Mixed_7c} a 3×3 max-pool instead. Global average pooling gives the
 * 2048-d {@code pool3} features; {@code fc} (2048→1008) the logits (dropout is the identity in
 * evaluation).
 *
 * <h2>Input</h2>
 * Images in [−1, 1] of any size are resized to 299×299 by bilinear interpolation
 * ({@code align_corners=False}, no antialiasing), as pytorch-fid does. pytorch-fid takes [0, 1]
 * images, resizes, then maps them to [−1, 1] by {@code 2x − 1}; bilinear weights sum to one, so
 * resizing the [−1, 1] image directly is the same computation. One-channel images are repeated to
 * three channels.
 *
 * <h2>Outputs</h2>
 * {@code features}: the 2048-d pool3 activations (FID, KID, precision/recall).
 * {@code logits}: the 1008 outputs of {@code fc} (Inception score uses their softmax).
 * {@code spatial}: the first 7 channels of {@code Mixed_6d.branch1x1}'s output (17×17), flattened
 * in C-order, 2023-d: the PyTorch counterpart of TensorFlow's {@code mixed_6/conv} tensor used for
 * sFID (Nash et al. 2021), where TensorFlow's {@code mixed, mixed_1, …} are
 * {@code Mixed_5b, 5c, 5d, 6a, 6b, 6c, 6d, …} (so {@code mixed_6} = {@code Mixed_6d}).
 *
 * <h2>Weights</h2>
 * Loaded from a user-supplied safetensors file whose names are those of pytorch-fid's
 * {@code fid_inception_v3().state_dict()} (torchvision's names), e.g.
 * {@code Conv2d_1a_3x3.conv.weight}, {@code Mixed_5b.branch1x1.bn.running_var}, {@code fc.bias};
 * {@link #expectedTensors()} lists all 472 with their shapes. {@code *.num_batches_tracked}
 * entries are ignored when present. No weights ship with, or are downloaded by, this library; see
 * {@code docs/feature-networks.md} for the conversion.
 */
public final class InceptionV3 extends BatchedFeatureNetwork {

    /** Batch-norm epsilon of the FID Inception network (TensorFlow's 0.001). */
    public static final double BN_EPS = 0.001;
    /** Input side. */
    public static final int RESOLUTION = 299;
    /** pool3 width. */
    public static final int FEATURE_DIM = 2048;
    /** Logits of the 2015-12-05 graph (1000 ImageNet classes plus 8 unused). */
    public static final int NUM_CLASSES = 1008;
    /** Channels of {@link #SPATIAL_LAYER} kept for the spatial features. */
    public static final int SPATIAL_CHANNELS = 7;
    /** The layer whose output provides the spatial features. */
    public static final String SPATIAL_LAYER = "Mixed_6d.branch1x1";
    /** Spatial feature length: 7 channels × 17 × 17. */
    public static final int SPATIAL_DIM = SPATIAL_CHANNELS * 17 * 17;
    /** Default name of a network loaded by {@link #load(Path)}. */
    public static final String DEFAULT_NAME = "inception-v3-fid";

    private static final int EVAL_BATCH = 16;
    private static final java.util.Set<DType> FLOAT_TYPES = java.util.EnumSet.of(DType.F64, DType.F32, DType.F16, DType.BF16);

    /** One {@code BasicConv2d}: kernel {@code kh×kw}, stride, padding {@code (ph, pw)}. */
    record ConvSpec(String name, int cin, int cout, int kh, int kw, int stride, int ph, int pw) {}

    /** Every BasicConv2d of the network, by name, in torchvision's definition order. */
    private static final Map<String, ConvSpec> CONVS = buildConvs();

    /** A BasicConv2d's layers. */
    private record BasicConv(Conv2d conv, BatchNorm bn) {}

    private static final Resample RESIZE = Resample.bilinearTo(RESOLUTION, RESOLUTION);
    private static final Pool MAX_3X3_S2 = Pool.max(3, 2, 0);
    private static final Pool MAX_3X3_S1 = Pool.max(3, 1, 1);
    private static final Pool TF_AVG_3X3 = Pool.average(3, 1, 1, false);
    private static final Pool GLOBAL_POOL = Pool.globalAverage();

    private final String name;
    private final ParameterStore store;
    private final Map<String, BasicConv> layers;
    private final Linear fc;

    private InceptionV3(String name, ParameterStore store, Map<String, BasicConv> layers, Linear fc) {
        this.name = name;
        this.store = store;
        this.layers = layers;
        this.fc = fc;
    }

    // ------------------------------------------------------------------ architecture listing

    private static Map<String, ConvSpec> buildConvs() {
        Map<String, ConvSpec> m = new LinkedHashMap<>();
        conv(m, "Conv2d_1a_3x3", 3, 32, 3, 3, 2, 0, 0);
        conv(m, "Conv2d_2a_3x3", 32, 32, 3, 3, 1, 0, 0);
        conv(m, "Conv2d_2b_3x3", 32, 64, 3, 3, 1, 1, 1);
        conv(m, "Conv2d_3b_1x1", 64, 80, 1, 1, 1, 0, 0);
        conv(m, "Conv2d_4a_3x3", 80, 192, 3, 3, 1, 0, 0);
        blockA(m, "Mixed_5b", 192, 32);
        blockA(m, "Mixed_5c", 256, 64);
        blockA(m, "Mixed_5d", 288, 64);
        blockB(m, "Mixed_6a", 288);
        blockC(m, "Mixed_6b", 768, 128);
        blockC(m, "Mixed_6c", 768, 160);
        blockC(m, "Mixed_6d", 768, 160);
        blockC(m, "Mixed_6e", 768, 192);
        blockD(m, "Mixed_7a", 768);
        blockE(m, "Mixed_7b", 1280);
        blockE(m, "Mixed_7c", 2048);
        return Collections.unmodifiableMap(m);
    }

    private static void conv(Map<String, ConvSpec> m, String n, int cin, int cout, int kh, int kw, int stride, int ph, int pw) {
        m.put(n, new ConvSpec(n, cin, cout, kh, kw, stride, ph, pw));
    }

    private static void blockA(Map<String, ConvSpec> m, String b, int cin, int poolFeatures) {
        conv(m, b + ".branch1x1", cin, 64, 1, 1, 1, 0, 0);
        conv(m, b + ".branch5x5_1", cin, 48, 1, 1, 1, 0, 0);
        conv(m, b + ".branch5x5_2", 48, 64, 5, 5, 1, 2, 2);
        conv(m, b + ".branch3x3dbl_1", cin, 64, 1, 1, 1, 0, 0);
        conv(m, b + ".branch3x3dbl_2", 64, 96, 3, 3, 1, 1, 1);
        conv(m, b + ".branch3x3dbl_3", 96, 96, 3, 3, 1, 1, 1);
        conv(m, b + ".branch_pool", cin, poolFeatures, 1, 1, 1, 0, 0);
    }

    private static void blockB(Map<String, ConvSpec> m, String b, int cin) {
        conv(m, b + ".branch3x3", cin, 384, 3, 3, 2, 0, 0);
        conv(m, b + ".branch3x3dbl_1", cin, 64, 1, 1, 1, 0, 0);
        conv(m, b + ".branch3x3dbl_2", 64, 96, 3, 3, 1, 1, 1);
        conv(m, b + ".branch3x3dbl_3", 96, 96, 3, 3, 2, 0, 0);
    }

    private static void blockC(Map<String, ConvSpec> m, String b, int cin, int c7) {
        conv(m, b + ".branch1x1", cin, 192, 1, 1, 1, 0, 0);
        conv(m, b + ".branch7x7_1", cin, c7, 1, 1, 1, 0, 0);
        conv(m, b + ".branch7x7_2", c7, c7, 1, 7, 1, 0, 3);
        conv(m, b + ".branch7x7_3", c7, 192, 7, 1, 1, 3, 0);
        conv(m, b + ".branch7x7dbl_1", cin, c7, 1, 1, 1, 0, 0);
        conv(m, b + ".branch7x7dbl_2", c7, c7, 7, 1, 1, 3, 0);
        conv(m, b + ".branch7x7dbl_3", c7, c7, 1, 7, 1, 0, 3);
        conv(m, b + ".branch7x7dbl_4", c7, c7, 7, 1, 1, 3, 0);
        conv(m, b + ".branch7x7dbl_5", c7, 192, 1, 7, 1, 0, 3);
        conv(m, b + ".branch_pool", cin, 192, 1, 1, 1, 0, 0);
    }

    private static void blockD(Map<String, ConvSpec> m, String b, int cin) {
        conv(m, b + ".branch3x3_1", cin, 192, 1, 1, 1, 0, 0);
        conv(m, b + ".branch3x3_2", 192, 320, 3, 3, 2, 0, 0);
        conv(m, b + ".branch7x7x3_1", cin, 192, 1, 1, 1, 0, 0);
        conv(m, b + ".branch7x7x3_2", 192, 192, 1, 7, 1, 0, 3);
        conv(m, b + ".branch7x7x3_3", 192, 192, 7, 1, 1, 3, 0);
        conv(m, b + ".branch7x7x3_4", 192, 192, 3, 3, 2, 0, 0);
    }

    private static void blockE(Map<String, ConvSpec> m, String b, int cin) {
        conv(m, b + ".branch1x1", cin, 320, 1, 1, 1, 0, 0);
        conv(m, b + ".branch3x3_1", cin, 384, 1, 1, 1, 0, 0);
        conv(m, b + ".branch3x3_2a", 384, 384, 1, 3, 1, 0, 1);
        conv(m, b + ".branch3x3_2b", 384, 384, 3, 1, 1, 1, 0);
        conv(m, b + ".branch3x3dbl_1", cin, 448, 1, 1, 1, 0, 0);
        conv(m, b + ".branch3x3dbl_2", 448, 384, 3, 3, 1, 1, 1);
        conv(m, b + ".branch3x3dbl_3a", 384, 384, 1, 3, 1, 0, 1);
        conv(m, b + ".branch3x3dbl_3b", 384, 384, 3, 1, 1, 1, 0);
        conv(m, b + ".branch_pool", cin, 192, 1, 1, 1, 0, 0);
    }

    /**
     * Every tensor a weight file must hold, with its shape, in the order of pytorch-fid's
     * {@code state_dict()} (less the {@code num_batches_tracked} counters): for each of the 94
     * BasicConv2d layers {@code <layer>.conv.weight} [out, in, kh, kw], {@code <layer>.bn.weight},
     * {@code .bn.bias}, {@code .bn.running_mean}, {@code .bn.running_var} [out]; then
     * {@code fc.weight} [1008, 2048] and {@code fc.bias} [1008] — 472 tensors.
     */
    public static Map<String, long[]> expectedTensors() {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (ConvSpec c : CONVS.values()) {
            m.put(c.name + ".conv.weight", new long[] {c.cout, c.cin, c.kh, c.kw});
            for (String s : new String[] {"weight", "bias", "running_mean", "running_var"}) {
                m.put(c.name + ".bn." + s, new long[] {c.cout});
            }
        }
        m.put("fc.weight", new long[] {NUM_CLASSES, FEATURE_DIM});
        m.put("fc.bias", new long[] {NUM_CLASSES});
        return m;
    }

    /** The convolution layers, by name (for tests and converters). */
    static Map<String, ConvSpec> convs() {
        return CONVS;
    }

    // ------------------------------------------------------------------ loading

    /** Loads weights from {@code file} under the name {@value #DEFAULT_NAME}. */
    public static InceptionV3 load(Path file) throws IOException {
        return load(file, DEFAULT_NAME);
    }

    /**
     * Loads weights from a safetensors file holding exactly {@link #expectedTensors()} (any float
     * dtype; {@code *.num_batches_tracked} entries are ignored).
     *
     * @throws IllegalArgumentException naming the file and every missing, unexpected or mis-shaped
     *     tensor; nothing is read when any name or shape is wrong
     */
    public static InceptionV3 load(Path file, String name) throws IOException {
        Map<String, long[]> expected = expectedTensors();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            List<String> problems = new ArrayList<>();
            Map<String, TensorEntry> present = new LinkedHashMap<>();
            for (TensorEntry e : f.tensors()) {
                if (e.name().endsWith(".num_batches_tracked")) {
                    continue;
                }
                present.put(e.name(), e);
            }
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                TensorEntry got = present.get(e.getKey());
                if (got == null) {
                    problems.add("missing tensor " + e.getKey() + " " + Arrays.toString(e.getValue()));
                } else if (!Arrays.equals(got.shape(), e.getValue())) {
                    problems.add("tensor " + e.getKey() + " has shape " + Arrays.toString(got.shape()) + ", expected "
                            + Arrays.toString(e.getValue()));
                } else if (!FLOAT_TYPES.contains(got.dtype())) {
                    problems.add("tensor " + e.getKey() + " has dtype " + got.dtype() + ", expected a float type");
                }
            }
            for (String k : present.keySet()) {
                if (!expected.containsKey(k)) {
                    problems.add("unexpected tensor " + k);
                }
            }
            if (!problems.isEmpty()) {
                int shown = Math.min(problems.size(), 20);
                String more = problems.size() > shown ? "; … and " + (problems.size() - shown) + " more" : "";
                throw new io.github.diffusion4j.io.InputException(file + " does not hold the FID Inception weights ("
                        + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "): "
                        + String.join("; ", problems.subList(0, shown)) + more);
            }
            ParameterStore store = new ParameterStore(0);
            try {
                // Frozen layers registering exactly expectedTensors(), in its order.
                Map<String, BasicConv> layers = new LinkedHashMap<>();
                for (ConvSpec c : CONVS.values()) {
                    Conv2d conv = new Conv2d(store, c.name + ".conv", c.cin, c.cout, c.kh, c.kw, c.stride, c.stride, c.ph,
                            c.pw, false, WeightInit.LOADED);
                    BatchNorm bn = new BatchNorm(store, c.name + ".bn", c.cout, BN_EPS, 0, true);
                    layers.put(c.name, new BasicConv(conv, bn));
                }
                Linear fc = new Linear(store, "fc", FEATURE_DIM, NUM_CLASSES, true, WeightInit.LOADED);
                if (!List.copyOf(store.all().keySet()).equals(List.copyOf(expected.keySet()))) {
                    throw new IllegalStateException("InceptionV3 layers do not register expectedTensors()");
                }
                try (PointerScope scope = new PointerScope()) {
                    Map<String, Tensor> values = new LinkedHashMap<>();
                    for (String k : expected.keySet()) {
                        values.put(k, TensorFiles.read(f, k));
                    }
                    store.load(values);
                }
                return new InceptionV3(name, store, Collections.unmodifiableMap(layers), fc);
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------ forward

    @Override
    Heads forwardEval(Tensor x) {
        if (x.size(1) == 1) {
            x = x.expand(new long[] {x.size(0), 3, x.size(2), x.size(3)}).contiguous();
        }
        if (x.size(2) != RESOLUTION || x.size(3) != RESOLUTION) {
            x = RESIZE.forward(x);
        }
        x = conv(x, "Conv2d_1a_3x3");
        x = conv(x, "Conv2d_2a_3x3");
        x = conv(x, "Conv2d_2b_3x3");
        x = MAX_3X3_S2.forward(x);
        x = conv(x, "Conv2d_3b_1x1");
        x = conv(x, "Conv2d_4a_3x3");
        x = MAX_3X3_S2.forward(x);
        x = blockA(x, "Mixed_5b");
        x = blockA(x, "Mixed_5c");
        x = blockA(x, "Mixed_5d");
        x = blockB(x, "Mixed_6a");
        x = blockC(x, "Mixed_6b");
        x = blockC(x, "Mixed_6c");
        Tensor[] spatial = new Tensor[1];
        x = blockC(x, "Mixed_6d", spatial);
        x = blockC(x, "Mixed_6e");
        x = blockD(x, "Mixed_7a");
        x = blockE(x, "Mixed_7b", false);
        x = blockE(x, "Mixed_7c", true);
        Tensor pool = GLOBAL_POOL.forward(x);
        Tensor logits = fc.forward(pool);
        return new Heads(pool, logits, spatial[0].narrow(1, 0, SPATIAL_CHANNELS).flatten(1, -1));
    }

    /** BasicConv2d: conv (no bias) → batch norm (running statistics, eps 0.001) → ReLU. */
    private Tensor conv(Tensor x, String n) {
        BasicConv c = layers.get(n);
        return torch.relu(c.bn.forward(c.conv.forward(x)));
    }

    /** TensorFlow-style 3×3 average pool, stride 1, padding 1, padded zeros not counted. */
    private static Tensor tfAvgPool(Tensor x) {
        return TF_AVG_3X3.forward(x);
    }

    private Tensor blockA(Tensor x, String b) {
        Tensor b1 = conv(x, b + ".branch1x1");
        Tensor b5 = conv(conv(x, b + ".branch5x5_1"), b + ".branch5x5_2");
        Tensor b3 = conv(conv(conv(x, b + ".branch3x3dbl_1"), b + ".branch3x3dbl_2"), b + ".branch3x3dbl_3");
        Tensor bp = conv(tfAvgPool(x), b + ".branch_pool");
        return cat(b1, b5, b3, bp);
    }

    private Tensor blockB(Tensor x, String b) {
        Tensor b3 = conv(x, b + ".branch3x3");
        Tensor bd = conv(conv(conv(x, b + ".branch3x3dbl_1"), b + ".branch3x3dbl_2"), b + ".branch3x3dbl_3");
        Tensor bp = MAX_3X3_S2.forward(x);
        return cat(b3, bd, bp);
    }

    private Tensor blockC(Tensor x, String b) {
        return blockC(x, b, null);
    }

    private Tensor blockC(Tensor x, String b, Tensor[] branch1x1Out) {
        Tensor b1 = conv(x, b + ".branch1x1");
        if (branch1x1Out != null) {
            branch1x1Out[0] = b1;
        }
        Tensor b7 = conv(conv(conv(x, b + ".branch7x7_1"), b + ".branch7x7_2"), b + ".branch7x7_3");
        Tensor bd = x;
        for (int i = 1; i <= 5; i++) {
            bd = conv(bd, b + ".branch7x7dbl_" + i);
        }
        Tensor bp = conv(tfAvgPool(x), b + ".branch_pool");
        return cat(b1, b7, bd, bp);
    }

    private Tensor blockD(Tensor x, String b) {
        Tensor b3 = conv(conv(x, b + ".branch3x3_1"), b + ".branch3x3_2");
        Tensor b7 = x;
        for (int i = 1; i <= 4; i++) {
            b7 = conv(b7, b + ".branch7x7x3_" + i);
        }
        Tensor bp = MAX_3X3_S2.forward(x);
        return cat(b3, b7, bp);
    }

    /** FIDInceptionE_1 ({@code maxPool == false}: TF average pool) or FIDInceptionE_2 (3×3 max-pool, stride 1, padding 1). */
    private Tensor blockE(Tensor x, String b, boolean maxPool) {
        Tensor b1 = conv(x, b + ".branch1x1");
        Tensor t = conv(x, b + ".branch3x3_1");
        Tensor b3 = cat(conv(t, b + ".branch3x3_2a"), conv(t, b + ".branch3x3_2b"));
        Tensor d = conv(conv(x, b + ".branch3x3dbl_1"), b + ".branch3x3dbl_2");
        Tensor bd = cat(conv(d, b + ".branch3x3dbl_3a"), conv(d, b + ".branch3x3dbl_3b"));
        Tensor pooled = maxPool ? MAX_3X3_S1.forward(x) : tfAvgPool(x);
        Tensor bp = conv(pooled, b + ".branch_pool");
        return cat(b1, b3, bd, bp);
    }

    private static Tensor cat(Tensor... parts) {
        return Tensors.cat(1, parts);
    }

    // ------------------------------------------------------------------ FeatureNetwork

    @Override
    void checkInput(Tensor images) {
        if (images.size(1) != 3 && images.size(1) != 1) {
            throw new IllegalArgumentException(name + " expects images [B, 3, H, W] (or [B, 1, H, W]), got " + shape(images));
        }
        if (images.size(2) < 1 || images.size(3) < 1) {
            throw new IllegalArgumentException(name + " got empty images " + shape(images));
        }
    }

    @Override
    int evalBatchSize() {
        return EVAL_BATCH;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int inputChannels() {
        return 3;
    }

    @Override
    public boolean resizesInput() {
        return true;
    }

    @Override
    public int inputResolution() {
        return RESOLUTION;
    }

    @Override
    public int featureDim() {
        return FEATURE_DIM;
    }

    @Override
    public int numClasses() {
        return NUM_CLASSES;
    }

    @Override
    public int spatialDim() {
        return SPATIAL_DIM;
    }

    @Override
    public void close() {
        store.close();
    }
}
