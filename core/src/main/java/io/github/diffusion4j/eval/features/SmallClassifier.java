package io.github.diffusion4j.eval.features;

import io.github.diffusion4j.net.ParameterStore;
import io.github.diffusion4j.nn.BatchNorm;
import io.github.diffusion4j.nn.Conv2d;
import io.github.diffusion4j.nn.Linear;
import io.github.diffusion4j.nn.Pool;
import io.github.diffusion4j.nn.WeightInit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A small VGG-style convolutional classifier for 28×28 grey-scale images (MNIST, Fashion-MNIST),
 * used as a frozen feature network.
 *
 * <h2>Architecture</h2>
 * Stages of 3×3 convolutions (padding 1, no bias), each followed by batch normalisation (eps 1e-5,
 * momentum 0.1) and ReLU; the first convolution of every stage but the first has stride 2 (it
 * halves the resolution: 28 → 14 → 7). Global average pooling after the last stage gives the
 * {@linkplain #featureDim() features}; one linear layer maps them to the logits. The stages are
 * described by an {@link Architecture}, e.g. {@code 24x1-48x2-96x2} (width × number of
 * convolutions, per stage). The {@linkplain FeatureNetwork.Outputs#spatial() spatial} output is
 * the first {@code spatialChannels} channels of stage {@code spatialStage}'s output, flattened in
 * C-order.
 *
 * <h2>Tensor names</h2>
 * {@code s<i>.c<j>.weight} [out, in, 3, 3]; {@code s<i>.c<j>.bn.weight}, {@code .bn.bias} [out]
 * (trainable); {@code .bn.running_mean}, {@code .bn.running_var} [out] (buffers);
 * {@code fc.weight} [classes, width], {@code fc.bias} [classes].
 *
 * <h2>Initialisation</h2>
 * He-normal convolutions (std √(2/fan_in)), PyTorch's default for the linear layer
 * (U(±1/√fan_in)), BN weight 1, bias 0, running mean 0, running variance 1; drawn from
 * {@link ParameterStore} (a pure function of seed and tensor name).
 */
public final class SmallClassifier extends BatchedFeatureNetwork {

    /** Batch-norm momentum (PyTorch's default). */
    static final double BN_MOMENTUM = 0.1;
    private static final int EVAL_BATCH = 500;
    private static final Pool GLOBAL_POOL = Pool.globalAverage();

    /**
     * The shape of a {@link SmallClassifier}.
     *
     * @param inputChannels image channels
     * @param resolution image side (divisible by 2^(stages − 1))
     * @param numClasses classes
     * @param widths output channels of each stage
     * @param convs convolutions per stage
     * @param spatialStage the stage whose output provides the spatial features
     * @param spatialChannels how many of its channels
     */
    public record Architecture(int inputChannels, int resolution, int numClasses, int[] widths, int[] convs,
            int spatialStage, int spatialChannels) {

        public Architecture {
            widths = widths.clone();
            convs = convs.clone();
            if (widths.length == 0 || widths.length != convs.length) {
                throw new IllegalArgumentException("need one conv count per stage width");
            }
            if (resolution % (1 << (widths.length - 1)) != 0) {
                throw new IllegalArgumentException("resolution " + resolution + " is not divisible by 2^" + (widths.length - 1));
            }
            if (spatialStage < 0 || spatialStage >= widths.length || spatialChannels < 1
                    || spatialChannels > widths[spatialStage]) {
                throw new IllegalArgumentException("bad spatial stage/channels " + spatialStage + "/" + spatialChannels);
            }
        }

        /** The stages as {@code 24x1-48x2-96x2}. */
        public String stages() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                sb.append(i == 0 ? "" : "-").append(widths[i]).append('x').append(convs[i]);
            }
            return sb.toString();
        }

        /** The side of stage {@code s}'s output. */
        int resolutionAt(int s) {
            return resolution >> s;
        }

        int featureDim() {
            return widths[widths.length - 1];
        }

        int spatialDim() {
            int r = resolutionAt(spatialStage);
            return spatialChannels * r * r;
        }

        /** A one-line human description, stored in the weight files' metadata. */
        public String describe() {
            return "SmallClassifier " + inputChannels + "x" + resolution + "x" + resolution + " -> stages " + stages()
                    + " (conv3x3 pad 1 no-bias + BN(eps 1e-5) + ReLU; first conv of stages 2.. has stride 2) -> global avg pool ("
                    + featureDim() + "-d features) -> linear " + numClasses + "; spatial = stage " + spatialStage
                    + " output, first " + spatialChannels + " channels (" + spatialDim() + "-d)";
        }

        /** Parses {@link #stages()} back. */
        static Architecture parse(String stages, int inputChannels, int resolution, int numClasses, int spatialStage,
                int spatialChannels) {
            String[] parts = stages.split("-");
            int[] w = new int[parts.length];
            int[] c = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                String[] wc = parts[i].split("x");
                if (wc.length != 2) {
                    throw new IllegalArgumentException("bad stage '" + parts[i] + "' in " + stages);
                }
                w[i] = Integer.parseInt(wc[0]);
                c[i] = Integer.parseInt(wc[1]);
            }
            return new Architecture(inputChannels, resolution, numClasses, w, c, spatialStage, spatialChannels);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Architecture a && a.inputChannels == inputChannels && a.resolution == resolution
                    && a.numClasses == numClasses && Arrays.equals(a.widths, widths) && Arrays.equals(a.convs, convs)
                    && a.spatialStage == spatialStage && a.spatialChannels == spatialChannels;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(widths) * 31 + Arrays.hashCode(convs) * 17 + resolution;
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** The architecture of the {@code *-v1} networks: 28×28×1, ten classes. */
    public static final Architecture V1 = new Architecture(1, 28, 10, new int[] {24, 48, 96}, new int[] {1, 2, 2}, 1, 8);

    /** The architecture of {@code emoji-v1}: 32×32×3, the ten emoji categories; spatial = stage 1 (16×16), 8 channels. */
    public static final Architecture EMOJI_V1 = new Architecture(3, 32, 10, new int[] {32, 64, 128, 256},
            new int[] {1, 2, 2, 2}, 1, 8);

    /** The metadata value of {@code input_resize} for networks that resize inputs of another size (see {@link #resizesInput()}). */
    public static final String RESIZE_RULE = "area mean by an integer factor when larger, else bilinear (align_corners=False)";

    /** One convolution of a stage with its batch norm. */
    private record Conv(Conv2d conv, BatchNorm bn) {}

    private final String name;
    private final Architecture arch;
    private final ParameterStore store;
    private final List<List<Conv>> stages = new ArrayList<>();
    private Linear fc;

    private final boolean resizeInput;

    /** A network of shape {@code arch} with initial weights drawn from {@code seed}; inputs must have its size. */
    public SmallClassifier(String name, Architecture arch, long seed) {
        this(name, arch, seed, false);
    }

    /**
     * A network of shape {@code arch} with initial weights drawn from {@code seed}.
     *
     * @param resizeInput resize square inputs of another side {@code S} to the network's {@code R}:
     *     the {@code f×f} area mean when {@code S = f·R} (the resolution pyramid's operator), else
     *     bilinear interpolation ({@code align_corners=False}, no antialiasing; e.g. 16 → 32)
     */
    public SmallClassifier(String name, Architecture arch, long seed, boolean resizeInput) {
        this.name = name;
        this.arch = arch;
        this.resizeInput = resizeInput;
        this.store = new ParameterStore(seed);
        try {
            build();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private void build() {
        int cin = arch.inputChannels();
        for (int s = 0; s < arch.widths().length; s++) {
            List<Conv> convs = new ArrayList<>();
            for (int j = 0; j < arch.convs()[s]; j++) {
                int cout = arch.widths()[s];
                String n = "s" + s + ".c" + j;
                int stride = s > 0 && j == 0 ? 2 : 1;
                Conv2d conv = new Conv2d(store, n, cin, cout, 3, 3, stride, stride, 1, 1, false, WeightInit.HE_NORMAL);
                BatchNorm bn = new BatchNorm(store, n + ".bn", cout, BatchNorm.TORCH_EPS, BN_MOMENTUM, false);
                convs.add(new Conv(conv, bn));
                cin = cout;
            }
            stages.add(convs);
        }
        fc = new Linear(store, "fc", cin, arch.numClasses());
    }

    public Architecture architecture() {
        return arch;
    }

    /** The weights and batch-norm statistics (live tensors owned by the network). */
    public ParameterStore store() {
        return store;
    }

    /**
     * Loads weights; every tensor of the network (parameters and running statistics) must be
     * present with its shape, and nothing else.
     *
     * @throws IllegalArgumentException naming every missing, unexpected or mis-shaped tensor
     */
    public void load(Map<String, Tensor> values) {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : store.all().entrySet()) {
            if (!values.containsKey(e.getKey())) {
                missing.add("missing tensor " + e.getKey() + " " + Arrays.toString(store.shape(e.getKey())));
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("cannot load " + name + ": " + String.join("; ", missing));
        }
        store.load(values);
    }

    /**
     * The forward pass: the three heads for {@code x} [B, C, R, R]. With {@code training} the batch
     * norms use (and update) batch statistics and autograd records the graph; call it inside a
     * {@code PointerScope}.
     */
    Heads forward(Tensor x, boolean training) {
        Tensor spatial = null;
        int last = stages.size() - 1;
        for (int s = 0; s <= last; s++) {
            for (Conv c : stages.get(s)) {
                x = c.conv.forward(x);
                x = c.bn.forward(x, training);
                x = torch.relu(x);
            }
            if (s == arch.spatialStage()) {
                spatial = x.narrow(1, 0, arch.spatialChannels()).flatten(1, -1);
            }
        }
        Tensor features = GLOBAL_POOL.forward(x);
        Tensor logits = fc.forward(features);
        return new Heads(features, logits, spatial);
    }

    @Override
    Heads forwardEval(Tensor images) {
        return forward(toInputSize(images), false);
    }

    /** Whether inputs of another square size are resized (see the constructor). */
    @Override
    public boolean resizesInput() {
        return resizeInput;
    }

    /** {@code images} at the network's resolution (unchanged when they already are). */
    Tensor toInputSize(Tensor images) {
        int r = arch.resolution();
        long s = images.size(2);
        if (s == r) {
            return images;
        }
        io.github.diffusion4j.nn.Resample resize = s % r == 0 ? io.github.diffusion4j.nn.Resample.areaDown((int) (s / r))
                : io.github.diffusion4j.nn.Resample.bilinearTo(r, r);
        return resize.forward(images);
    }

    @Override
    int evalBatchSize() {
        return EVAL_BATCH;
    }

    @Override
    void checkInput(Tensor images) {
        int r = arch.resolution();
        if (resizeInput && images.size(1) == arch.inputChannels() && images.size(2) == images.size(3)) {
            return;
        }
        if (images.size(1) != arch.inputChannels() || images.size(2) != r || images.size(3) != r) {
            throw new IllegalArgumentException(name + " expects images [B, " + arch.inputChannels() + ", " + r + ", " + r
                    + "], got " + shape(images));
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int inputChannels() {
        return arch.inputChannels();
    }

    @Override
    public int inputResolution() {
        return arch.resolution();
    }

    @Override
    public int featureDim() {
        return arch.featureDim();
    }

    @Override
    public int numClasses() {
        return arch.numClasses();
    }

    @Override
    public int spatialDim() {
        return arch.spatialDim();
    }

    @Override
    public void close() {
        store.close();
    }
}
