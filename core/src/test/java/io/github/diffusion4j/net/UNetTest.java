package io.github.diffusion4j.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.param.EdmPreconditioning;
import io.github.diffusion4j.param.PreconditionedF;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UNetTest {

    @BeforeAll
    static void init() {
        Engine.init();
    }

    /** 2×8×8 → 3 channels, two levels (8, 4), attention at 4, optionally class-conditional. */
    static UNetConfig tiny(int numClasses) {
        return new UNetConfig(8, 2, 3, 16, new int[] {1, 2}, 1, new int[] {4}, 0.0, numClasses, NoiseEmbeddingType.POSITIONAL);
    }

    static Tensor images(int batch, int channels, int res, long seed) {
        long[] seeds = new long[batch];
        for (int i = 0; i < batch; i++) {
            seeds[i] = seed * 1000 + i;
        }
        return new SeededNoise(seeds).randn(channels, res, res).to(ScalarType.Float);
    }

    static Tensor cNoise(double... values) {
        return Tensors.fromDoubles(values, values.length).to(ScalarType.Float);
    }

    static Tensor out(UNet net, Tensor x, Tensor c, Conditioning cond) {
        List<Tensor> heads = net.forward(x, c, cond);
        assertThat(heads).hasSize(1);
        return heads.get(0);
    }

    static double maxAbs(Tensor t) {
        return t.abs().max().item_double();
    }

    static long[] shape(Tensor t) {
        return Tensors.shape(t);
    }

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of("mnist-like 1x28x28, 3 levels (28,14,7), unconditional",
                        new UNetConfig(28, 1, 1, 16, new int[] {1, 2, 2}, 1, new int[] {7}, 0.1, 0, NoiseEmbeddingType.POSITIONAL)),
                Arguments.of("mnist-like 1x28x28, 10 classes",
                        new UNetConfig(28, 1, 1, 16, new int[] {1, 2, 2}, 1, new int[] {7}, 0.1, 10, NoiseEmbeddingType.POSITIONAL)),
                Arguments.of("cifar-like 3x32x32, attention at 8, fourier",
                        new UNetConfig(32, 3, 3, 16, new int[] {1, 2, 2}, 1, new int[] {8}, 0.0, 0, NoiseEmbeddingType.FOURIER)),
                Arguments.of("3x16x16 to 6 channels (dual head), 10 classes, attention at 16 and 8",
                        new UNetConfig(16, 3, 6, 32, new int[] {1, 2}, 2, new int[] {16, 8}, 0.0, 10, NoiseEmbeddingType.POSITIONAL)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void outputHasTheHeadShapeAndInputDtype(String label, UNetConfig config) {
        try (PointerScope s = new PointerScope(); UNet net = new UNet(config, 1)) {
            int batch = 3;
            Tensor x = images(batch, config.inChannels(), config.resolution(), 1);
            Conditioning cond = config.conditional() ? Conditioning.classes(0, 9, Conditioning.NULL_CLASS) : Conditioning.NONE;
            net.train(true);
            Tensor y = out(net, x, cNoise(-1.0, 0.0, 1.5), cond);
            assertThat(shape(y)).containsExactly(batch, config.outChannels(), config.resolution(), config.resolution());
            assertThat(y.scalar_type().intern()).isEqualTo(ScalarType.Float);
        }
    }

    @Test
    void initialOutputIsExactlyZeroAndTrainingOverfitsAFixedBatch() {
        try (PointerScope s = new PointerScope(); UNet net = new UNet(tiny(4), 7)) {
            Tensor x = images(4, 2, 8, 3);
            Tensor target = images(4, 3, 8, 4);
            Tensor c = cNoise(-2, -0.5, 0.3, 1.0);
            Conditioning cond = Conditioning.classes(0, 1, 3, Conditioning.NULL_CLASS);
            assertThat(maxAbs(out(net, x, c, cond))).isZero();

            net.train(true);
            AdamW opt = new AdamW(new TensorVector(net.parameters().toArray(new Tensor[0])), new AdamWOptions(2e-3));
            double[] losses = new double[21];
            for (int step = 0; step <= 20; step++) {
                try (PointerScope stepScope = new PointerScope()) {
                    opt.zero_grad();
                    Tensor loss = torch.mse_loss(out(net, x, c, cond), target);
                    losses[step] = loss.item_double();
                    if (step < 20) {
                        loss.backward();
                        opt.step();
                    }
                    if (step == 1) {
                        assertThat(maxAbs(out(net, x, c, cond))).as("output after one AdamW step").isGreaterThan(0);
                    }
                }
            }
            // Zero output: the initial loss is the target's mean square.
            assertThat(losses[0]).isCloseTo(target.square().mean().item_double(), org.assertj.core.data.Offset.offset(1e-6));
            assertThat(losses[20]).as("losses %s", java.util.Arrays.toString(losses)).isLessThan(0.7 * losses[0]);
            opt.close();
        }
    }

    @Test
    void sameSeedGivesBitIdenticalParametersAndOutputsAndOtherSeedsDiffer() {
        try (PointerScope s = new PointerScope();
                UNet a = new UNet(tiny(3), 42);
                UNet b = new UNet(tiny(3), 42);
                UNet other = new UNet(tiny(3), 43)) {
            assertThat(a.namedParameters().keySet()).containsExactlyElementsOf(b.namedParameters().keySet());
            boolean anyDiffers = false;
            for (Map.Entry<String, Tensor> e : a.namedParameters().entrySet()) {
                assertThat(e.getValue().equal(b.namedParameters().get(e.getKey()))).as(e.getKey()).isTrue();
                anyDiffers |= !e.getValue().equal(other.namedParameters().get(e.getKey()));
            }
            assertThat(anyDiffers).isTrue();
            assertThat(a.namedParameters().get("enc.8x8_block0.conv0.weight").equal(other.namedParameters().get("enc.8x8_block0.conv0.weight"))).isFalse();

            a.reinitialiseZeroLayers(5);
            b.reinitialiseZeroLayers(5);
            other.reinitialiseZeroLayers(5);
            Tensor x = images(2, 2, 8, 9);
            Tensor c = cNoise(0.1, -0.7);
            Conditioning cond = Conditioning.classes(2, 0);
            Tensor ya = out(a, x, c, cond);
            assertThat(ya.equal(out(b, x, c, cond))).isTrue();
            assertThat(ya.equal(out(a, x, c, cond))).as("repeatable").isTrue();
            assertThat(ya.equal(out(other, x, c, cond))).isFalse();
        }
    }

    /**
     * Hand count for res 4, in 1, out 1, base 8 (embedding 32), mult [1, 2] (levels at 4×4 and 2×2),
     * 1 res block, no attention resolutions, unconditional. P = pixels at the block's output
     * resolution (16 or 4); a conv costs 2·cin·cout·k²·P, a linear 2·in·out; each res block also has
     * an affine 32 → 2·cout.
     * <pre>
     * map_layer0   2·8·32                                   =     512
     * map_layer1   2·32·32                                  =   2 048
     * enc.4x4_conv 2·1·8·9·16                               =   2 304
     * enc.4x4_block0 (8→8, P=16):  2·8·8·9·16 ·2 + 2·32·16     =  37 888   (conv0 + conv1 + affine)
     * enc.2x2_down   (8→8, P=4):   2·8·8·9·4 ·2  + 2·32·16     =  10 240
     * enc.2x2_block0 (8→16, P=4):  2·8·16·9·4 + 2·16·16·9·4 + 2·32·32 + 2·8·16·4 (skip)
     *                             = 9 216 + 18 432 + 2 048 + 1 024 = 30 720
     * skips: [8, 8, 8, 16]
     * dec.2x2_in0 (16→16, P=4, attention, 1 head):
     *    conv0 18 432 + conv1 18 432 + affine 2 048 = 38 912;
     *    qkv 2·16·48·4 = 6 144; QKᵀ+AV 4·4²·16 = 1 024; proj 2·16·16·4 = 2 048  → 48 128
     * dec.2x2_in1 (16→16, P=4)                               =  38 912
     * dec.2x2_block0 (16+16=32→16, P=4): 2·32·16·9·4 + 18 432 + 2 048 + 2·32·16·4
     *                             = 36 864 + 18 432 + 2 048 + 4 096 = 61 440
     * dec.2x2_block1 (16+8=24→16, P=4): 2·24·16·9·4 + 18 432 + 2 048 + 2·24·16·4
     *                             = 27 648 + 18 432 + 2 048 + 3 072 = 51 200
     * dec.4x4_up (16→16, P=16): 2·16·16·9·16 ·2 + 2·32·32 = 147 456 + 2 048 = 149 504
     * dec.4x4_block0 (16+8=24→8, P=16): 2·24·8·9·16 + 2·8·8·9·16 + 2·32·16 + 2·24·8·16
     *                             = 55 296 + 18 432 + 1 024 + 6 144 = 80 896
     * dec.4x4_block1 (8+8=16→8, P=16): 2·16·8·9·16 + 18 432 + 1 024 + 2·16·8·16
     *                             = 36 864 + 18 432 + 1 024 + 4 096 = 60 416
     * out_conv 2·8·1·9·16                                    =   2 304
     * total = 512+2048+2304+37888+10240+30720+48128+38912+61440+51200+149504+80896+60416+2304 = 576 512
     * </pre>
     */
    @Test
    void flopCountMatchesAHandCalculation() {
        UNetConfig c = new UNetConfig(4, 1, 1, 8, new int[] {1, 2}, 1, new int[0], 0, 0, NoiseEmbeddingType.POSITIONAL);
        try (PointerScope s = new PointerScope(); UNet net = new UNet(c, 0)) {
            assertThat(net.flopsPerSample()).isEqualTo(576_512.0);
        }
    }

    /**
     * Hand count for the same config as {@link #flopCountMatchesAHandCalculation} with 3 classes:
     * linear(in,out) = in·out + out, conv(cin,cout,k) = cin·cout·k² + cout, norm(c) = 2c,
     * block(cin,cout) = norm(cin) + conv(cin,cout,3) + linear(32, 2cout) + norm(cout) + conv(cout,cout,3) [+ conv(cin,cout,1)].
     * <pre>
     * mapping: linear(8,32)=288, linear(32,32)=1056, class table 4·32=128              → 1 472
     * block(8,8)   = 16 + 584 + 528 + 16 + 584               = 1 728   (enc.4x4_block0, enc.2x2_down)
     * block(8,16)  = 16 + 1168 + 1056 + 32 + 2320 + 144       = 4 736   (enc.2x2_block0)
     * block(16,16) = 32 + 2320 + 1056 + 32 + 2320             = 5 760   (dec in0 [+ attention], in1, up)
     * attention(16) = norm 32 + qkv 16·48+48 = 816 + proj 272  = 1 120
     * block(32,16) = 64 + 4624 + 1056 + 32 + 2320 + 528        = 8 624
     * block(24,16) = 48 + 3472 + 1056 + 32 + 2320 + 400        = 7 328
     * block(24,8)  = 48 + 1736 + 528 + 16 + 584 + 200          = 3 112
     * block(16,8)  = 32 + 1160 + 528 + 16 + 584 + 136          = 2 456
     * enc.4x4_conv conv(1,8,3) = 80; out_norm 16; out_conv conv(8,1,3) = 73
     * total = 1472 + 80 + 1728·2 + 4736 + 5760·3 + 1120 + 8624 + 7328 + 3112 + 2456 + 16 + 73 = 49 753
     * </pre>
     */
    @Test
    void parameterCountMatchesAHandCalculationAndTheTensors() {
        UNetConfig c = new UNetConfig(4, 1, 1, 8, new int[] {1, 2}, 1, new int[0], 0, 3, NoiseEmbeddingType.POSITIONAL);
        try (PointerScope s = new PointerScope(); UNet net = new UNet(c, 0)) {
            assertThat(net.parameterCount()).isEqualTo(49_753L);
            long sum = net.parameters().stream().mapToLong(Tensor::numel).sum();
            assertThat(sum).isEqualTo(49_753L);
        }
    }

    @Test
    void namesAreStableDottedAndFreeOfPythonKeywords() {
        Set<String> keywords = Set.of("False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
                "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
                "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield");
        try (PointerScope s = new PointerScope(); UNet a = new UNet(UNetConfig.mnist(10), 0); UNet b = new UNet(UNetConfig.mnist(10), 1)) {
            assertThat(a.namedParameters().keySet()).containsExactlyElementsOf(b.namedParameters().keySet());
            assertThat(a.namedParameters()).containsKeys("enc.28x28_conv.weight", "enc.28x28_block0.conv0.weight",
                    "enc.14x14_down.conv0.weight", "enc.7x7_block1.qkv.weight", "dec.7x7_in0.proj.weight",
                    "dec.14x14_up.conv1.bias", "dec.28x28_block2.skip.weight", "map_label.weight", "out_conv.weight");
            for (String name : a.stateDict().keySet()) {
                assertThat(name).matches("[A-Za-z0-9_.]+");
                for (String part : name.split("\\.")) {
                    assertThat(keywords).as(name).doesNotContain(part);
                    assertThat(part).as(name).isNotEmpty();
                }
            }
        }
    }

    @Test
    void loadParametersRoundTripsAndNamesEveryBadTensor() {
        try (PointerScope s = new PointerScope(); UNet a = new UNet(tiny(3), 1); UNet b = new UNet(tiny(3), 2)) {
            a.reinitialiseZeroLayers(11);
            Tensor x = images(2, 2, 8, 1);
            Tensor c = cNoise(0.4, -1.1);
            Conditioning cond = Conditioning.classes(1, Conditioning.NULL_CLASS);
            Tensor ya = out(a, x, c, cond);
            assertThat(ya.equal(out(b, x, c, cond))).isFalse();

            b.loadParameters(a.namedParameters());
            assertThat(out(b, x, c, cond).equal(ya)).isTrue();

            Map<String, Tensor> missing = new LinkedHashMap<>(a.namedParameters());
            missing.remove("dec.4x4_in0.qkv.bias");
            assertThatThrownBy(() -> b.loadParameters(missing))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("missing tensor dec.4x4_in0.qkv.bias");

            Map<String, Tensor> misShaped = new LinkedHashMap<>(a.namedParameters());
            misShaped.put("enc.8x8_block0.affine.weight", torch.zeros(3, 3));
            assertThatThrownBy(() -> b.loadParameters(misShaped))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tensor enc.8x8_block0.affine.weight has shape [3, 3], expected [32, 64]");

            Map<String, Tensor> extra = new LinkedHashMap<>(a.namedParameters());
            extra.put("enc.8x8_block9.conv0.weight", torch.zeros(1));
            assertThatThrownBy(() -> b.loadParameters(extra))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unexpected tensor enc.8x8_block9.conv0.weight");
            // A failed load copies nothing.
            assertThat(out(b, x, c, cond).equal(ya)).isTrue();
        }
    }

    @Test
    void fourierFrequenciesTravelWithTheStateDict() {
        UNetConfig f = new UNetConfig(8, 1, 1, 16, new int[] {1, 2}, 1, new int[0], 0, 0, NoiseEmbeddingType.FOURIER);
        try (PointerScope s = new PointerScope(); UNet a = new UNet(f, 1); UNet b = new UNet(f, 2)) {
            a.reinitialiseZeroLayers(3);
            assertThat(a.stateDict()).containsKey("map_noise.freqs");
            assertThat(a.namedParameters()).doesNotContainKey("map_noise.freqs");
            assertThat(a.stateDict().get("map_noise.freqs").requires_grad()).isFalse();
            Tensor x = images(2, 1, 8, 1);
            Tensor c = cNoise(0.4, -1.1);
            b.loadParameters(a.stateDict());
            assertThat(out(b, x, c, Conditioning.NONE).equal(out(a, x, c, Conditioning.NONE))).isTrue();
        }
    }

    @Test
    void nullClassMatchesTheExplicitNullIndexAndMissingLabels() {
        try (PointerScope s = new PointerScope(); UNet net = new UNet(tiny(5), 3)) {
            net.reinitialiseZeroLayers(4); // so the class embedding reaches the output
            Tensor x = images(3, 2, 8, 2);
            Tensor c = cNoise(0.2, 0.2, -0.3);
            Tensor viaMinusOne = out(net, x, c, Conditioning.classes(Conditioning.NULL_CLASS, Conditioning.NULL_CLASS, Conditioning.NULL_CLASS));
            assertThat(out(net, x, c, Conditioning.classes(5, 5, 5)).equal(viaMinusOne)).isTrue();
            assertThat(out(net, x, c, Conditioning.NONE).equal(viaMinusOne)).isTrue();
            assertThat(out(net, x, c, null).equal(viaMinusOne)).isTrue();
            assertThat(out(net, x, c, Conditioning.classes(1, 2, 3).unconditional()).equal(viaMinusOne)).isTrue();
            Tensor conditional = out(net, x, c, Conditioning.classes(1, 2, 3));
            assertThat(maxAbs(conditional.sub(viaMinusOne))).isGreaterThan(1e-4);
            assertThatThrownBy(() -> net.forward(x, c, Conditioning.classes(1, 6, 0)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 6");
            assertThatThrownBy(() -> net.forward(x, c, Conditioning.classes(1, 2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 labels for a batch of 3");
        }
        try (PointerScope s = new PointerScope(); UNet uncond = new UNet(tiny(0), 3)) {
            Tensor x = images(2, 2, 8, 2);
            Tensor c = cNoise(0.2, 0.1);
            assertThat(shape(out(uncond, x, c, Conditioning.classes(Conditioning.NULL_CLASS, Conditioning.NULL_CLASS)))).containsExactly(2, 3, 8, 8);
            assertThatThrownBy(() -> uncond.forward(x, c, Conditioning.classes(0, 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unconditional");
        }
    }

    @Test
    void gradientReachesEveryParameter() {
        try (PointerScope s = new PointerScope(); UNet net = new UNet(tiny(3), 8)) {
            net.reinitialiseZeroLayers(9); // replace the zero init, else the layers behind it get zero gradients
            net.train(true);
            Tensor x = images(4, 2, 8, 5);
            Tensor y = out(net, x, cNoise(-1, 0, 1, 2), Conditioning.classes(0, 1, 2, Conditioning.NULL_CLASS));
            y.square().mean().backward();
            List<String> bad = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) {
                Tensor g = e.getValue().grad();
                if (!g.defined()) {
                    bad.add(e.getKey() + " (no grad)");
                } else if (!g.isfinite().all().item().toBool()) {
                    bad.add(e.getKey() + " (non-finite)");
                } else if (maxAbs(g) == 0) {
                    bad.add(e.getKey() + " (zero)");
                }
            }
            assertThat(bad).isEmpty();
        }
    }

    @Test
    void runsInBfloat16WithFloat32Weights() {
        try (PointerScope s = new PointerScope(); UNet net = new UNet(tiny(3), 8)) {
            net.reinitialiseZeroLayers(1);
            Tensor x = images(2, 2, 8, 5);
            Tensor c = cNoise(-1, 0.5);
            Conditioning cond = Conditioning.classes(0, 2);
            Tensor y32 = out(net, x, c, cond);
            Tensor y16 = out(net, x.to(ScalarType.BFloat16), c.to(ScalarType.BFloat16), cond);
            assertThat(y16.scalar_type().intern()).isEqualTo(ScalarType.BFloat16);
            double rel = maxAbs(y16.to(ScalarType.Float).sub(y32)) / maxAbs(y32);
            assertThat(rel).isLessThan(0.1);
            y16.to(ScalarType.Float).square().mean().backward();
            assertThat(net.namedParameters().get("enc.8x8_conv.weight").grad().scalar_type().intern()).isEqualTo(ScalarType.Float);
        }
    }

    @Test
    void forwardAndBackwardReleaseEveryNativeHandleWithTheCallersScope() {
        try (UNet net = new UNet(tiny(3), 8)) {
            net.train(true);
            net.reinitialiseZeroLayers(2);
            long[] counts = new long[4];
            for (int round = 0; round < counts.length; round++) {
                try (PointerScope s = new PointerScope()) {
                    Tensor x = images(2, 2, 8, round);
                    out(net, x, cNoise(0.1, 0.2), Conditioning.classes(0, 1)).square().mean().backward();
                }
                counts[round] = Pointer.totalCount();
            }
            // Steady state: no Java-side native handles accumulate from one step to the next.
            assertThat(counts[3]).isEqualTo(counts[1]);
        }
    }

    @Test
    void modelOutlivesTheScopeItWasBuiltIn() {
        UNet net;
        try (PointerScope s = new PointerScope()) {
            net = new UNet(tiny(0), 1);
        }
        try (PointerScope s = new PointerScope()) {
            Tensor y = out(net, images(1, 2, 8, 1), cNoise(0), Conditioning.NONE);
            assertThat(maxAbs(y)).isZero();
        } finally {
            net.close();
        }
    }

    @Test
    void plugsIntoThePreconditionedDenoiserAndStartsAtTheSkipPath() {
        UNetConfig mnist = new UNetConfig(28, 1, 1, 16, new int[] {1, 2, 2}, 1, new int[] {7}, 0, 10, NoiseEmbeddingType.POSITIONAL);
        try (PointerScope s = new PointerScope(); UNet net = new UNet(mnist, 1)) {
            EdmPreconditioning pre = EdmPreconditioning.edm();
            PreconditionedDenoiser d = new PreconditionedDenoiser(net, pre, new PreconditionedF());
            Tensor x = images(2, 1, 28, 3).to(ScalarType.Double);
            double[] sigma = {0.5, 3.0};
            Tensor denoised = d.denoise(x, Tensors.fromDoubles(sigma, 2), Conditioning.classes(4, Conditioning.NULL_CLASS));
            assertThat(shape(denoised)).containsExactly(2, 1, 28, 28);
            // F = 0 at initialisation, so D(x; σ) = c_skip(σ)·x exactly.
            for (int i = 0; i < 2; i++) {
                Tensor expected = x.select(0, i).mul(Tensors.scalar(pre.at(sigma[i]).cSkip()));
                assertThat(maxAbs(denoised.select(0, i).sub(expected))).isLessThan(1e-12);
            }
        }
    }

    @Test
    void rejectsInputOfTheWrongShape() {
        try (PointerScope s = new PointerScope(); UNet net = new UNet(tiny(0), 1)) {
            assertThatThrownBy(() -> net.forward(images(1, 2, 16, 1), cNoise(0), Conditioning.NONE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[B, 2, 8, 8]");
            assertThatThrownBy(() -> net.forward(images(2, 2, 8, 1), cNoise(0), Conditioning.NONE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cNoise");
        }
    }
}
