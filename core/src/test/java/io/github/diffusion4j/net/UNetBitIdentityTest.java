package io.github.diffusion4j.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.testing.Digest;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bit-identity of the U-Net across refactors: the SHA-256 of its initial state, forward output,
 * gradients of every parameter, FLOP and parameter counts, for fixed inputs, equals the digest
 * recorded with the code before the {@code nn} layer library (commit 9d21662, with these tests as of
 * 0a40d13). Float results depend
 * on libtorch's CPU kernels and thread count, so the digests are recorded per
 * {@link Digest#environment()}; elsewhere the test is skipped (re-record by running it on the old
 * code, which prints the digest).
 */
class UNetBitIdentityTest {

    /** Recorded with the pre-{@code nn} code (commit 9d21662), by environment then case. */
    static final Map<String, Map<String, String>> RECORDED = Map.of(
            "AVX2/threads=1", Map.of(
                    "conditional", "c31760ed3cd105fd480a4c8375f4472b70f47190a2bb588881192d60e683d3ef",
                    "fourier", "ad1dbff1a5aabf13330f78686930ff344a51111f3027016d6f58ae141a64eb1f",
                    "bf16", "9f2fd9ac600fdddde3c27a45dec9f00c92141c475f4ac6a720f12aaa9e4c3803",
                    "deep", "aaab17055fbb0e969127100803513939b760e62d00112d60767c86fa9955b208"),
            "AVX2/threads=2", Map.of(
                    "conditional", "32eb64d2b105af666ebacd8a9f3f54604ff4a34cea66f3eb1d9464f3ce850d4c",
                    "fourier", "0ba18a9b712cbdfb5dad47a740c36537c6f391aed21f02eddf2d31b48a231770",
                    "bf16", "9f2fd9ac600fdddde3c27a45dec9f00c92141c475f4ac6a720f12aaa9e4c3803",
                    "deep", "da34ec4092907334a4dbb6d8a7b40da50eae6e411cafee8e196469a313a292ce"));

    @BeforeAll
    static void init() {
        Engine.init();
    }

    static UNetConfig config(String name) {
        return switch (name) {
            // conditional, positional embedding, attention at 4 (in the bottleneck too), dropout
            case "conditional" -> new UNetConfig(8, 2, 3, 16, new int[] {1, 2}, 1, new int[] {4}, 0.1, 10,
                    NoiseEmbeddingType.POSITIONAL);
            // unconditional, Fourier embedding, two res blocks, attention at 16 and 8, 64 channels (1 head), 6 outputs
            case "fourier", "bf16" -> new UNetConfig(16, 3, 6, 32, new int[] {1, 2}, 2, new int[] {16, 8}, 0.0, 0,
                    NoiseEmbeddingType.FOURIER);
            // three levels with a channel change at each, 128 channels at the bottom (2 heads)
            case "deep" -> new UNetConfig(16, 1, 1, 32, new int[] {1, 2, 4}, 1, new int[] {4}, 0.0, 3,
                    NoiseEmbeddingType.POSITIONAL);
            default -> throw new IllegalArgumentException(name);
        };
    }

    static String digest(String name) {
        UNetConfig config = config(name);
        Digest d = new Digest();
        try (PointerScope s = new PointerScope(); UNet net = new UNet(config, 11)) {
            net.reinitialiseZeroLayers(12); // every path carries signal
            d.add(net.flopsPerSample()).add(net.parameterCount());
            for (Map.Entry<String, Tensor> e : net.stateDict().entrySet()) {
                d.add(e.getKey()).add(e.getValue());
            }
            int batch = 3;
            long[] seeds = {101, 102, 103};
            Tensor x = new SeededNoise(seeds).randn(config.inChannels(), config.resolution(), config.resolution())
                    .to(ScalarType.Float);
            Tensor c = Tensors.fromDoubles(new double[] {-1.2, 0.1, 2.3}, batch).to(ScalarType.Float);
            Conditioning cond = config.conditional() ? Conditioning.classes(0, config.numClasses() - 1, Conditioning.NULL_CLASS) : Conditioning.NONE;
            if (name.equals("bf16")) {
                x = x.to(ScalarType.BFloat16);
            }
            net.train(config.dropout() > 0);
            torch.manual_seed(5);
            Tensor y = net.forward(x, c, cond).get(0);
            d.add(y);
            Tensor w = new SeededNoise(new long[] {201, 202, 203})
                    .randn(config.outChannels(), config.resolution(), config.resolution()).to(Tensors.scalarType(y));
            y.mul(w).sum().backward();
            for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) {
                d.add(e.getKey()).add(e.getValue().grad());
            }
        }
        return d.hex();
    }

    @ParameterizedTest
    @ValueSource(strings = {"conditional", "fourier", "bf16", "deep"})
    void forwardAndBackwardAreBitIdenticalToThePreNnCode(String name) {
        String got = digest(name);
        System.out.println("UNet digest " + Digest.environment() + " " + name + " " + got);
        Map<String, String> recorded = RECORDED.get(Digest.environment());
        Assumptions.assumeTrue(recorded != null, "no digest recorded for " + Digest.environment());
        assertThat(got).as("digest of case %s", name).isEqualTo(recorded.get(name));
    }
}
