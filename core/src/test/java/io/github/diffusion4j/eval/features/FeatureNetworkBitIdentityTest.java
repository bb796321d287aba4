package io.github.diffusion4j.eval.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.testing.Digest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bit-identity of the feature networks across refactors: the SHA-256 of the committed networks'
 * outputs (mnist-v1, fashion-mnist-v1), of a training-mode forward and backward of a fresh
 * {@link SmallClassifier} (batch statistics, running-statistics update, gradients), and of the FID
 * Inception network on random weights, equals the digest recorded with the code before the
 * {@code nn} layer library (commit 9d21662). Recorded per {@link Digest#environment()}; skipped
 * elsewhere.
 */
class FeatureNetworkBitIdentityTest {

    /** Recorded with the pre-{@code nn} code (commit 9d21662), by environment then case. */
    static final Map<String, Map<String, String>> RECORDED = Map.of(
            "AVX2/threads=1", Map.of(
                    "mnist-v1", "ae4e57434be4e6feff50327e3304848b4e67d003912ceb143ded92f7b1352da9",
                    "fashion-mnist-v1", "f455ff112dabcfe068ccdd2aba5c267ffb5d4de7a2cccf1449c9582a913b8011",
                    "train", "212a332adfeedb28f3488bcea905655bb15a99e368a0e4c7cf33a4bec2179d6e",
                    "inception", "cd22ba277d07d775362eaab3d6b51e99ecc87f2ec14336926127c376d535ea8c"),
            "AVX2/threads=2", Map.of(
                    "mnist-v1", "ae4e57434be4e6feff50327e3304848b4e67d003912ceb143ded92f7b1352da9",
                    "fashion-mnist-v1", "f455ff112dabcfe068ccdd2aba5c267ffb5d4de7a2cccf1449c9582a913b8011",
                    "train", "854ac12715a75725c4cb9970873bbd175340811d7b0f6ee08836176a6477291e",
                    "inception", "75e31ab055e40c93cda44968c7d02dcca60f43355556e129a00241fd5613a6ed"));

    @TempDir
    static Path dir;

    @BeforeAll
    static void init() {
        Engine.init();
    }

    static Tensor images(int n, int c, int r) {
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) {
            seeds[i] = 300 + i;
        }
        return new SeededNoise(seeds).randn(c, r, r).to(ScalarType.Float).tanh();
    }

    static String digest(String name) throws IOException {
        Digest d = new Digest();
        try (PointerScope s = new PointerScope()) {
            switch (name) {
                case "mnist-v1", "fashion-mnist-v1" -> {
                    try (FeatureNetwork net = FeatureNetworks.load(name)) {
                        FeatureNetwork.Outputs o = net.run(images(7, 1, 28));
                        d.add(o.features()).add(o.logits()).add(o.spatial());
                    }
                }
                case "train" -> {
                    try (SmallClassifier net = new SmallClassifier("t", SmallClassifier.V1, 21)) {
                        BatchedFeatureNetwork.Heads h = net.forward(images(5, 1, 28), true);
                        d.add(h.features()).add(h.logits()).add(h.spatial());
                        h.logits().square().sum().add(h.spatial().sum()).backward();
                        for (Map.Entry<String, Tensor> e : net.store().all().entrySet()) {
                            d.add(e.getKey()).add(e.getValue());
                            if (e.getValue().requires_grad()) {
                                d.add(e.getValue().grad());
                            }
                        }
                    }
                }
                case "inception" -> {
                    Path file = dir.resolve("random-inception.safetensors");
                    InceptionV3Test.writeWeights(file, ScalarType.Float, Map.of(), true);
                    try (InceptionV3 net = InceptionV3.load(file)) {
                        FeatureNetwork.Outputs o = net.run(images(2, 3, 24));
                        d.add(o.features()).add(o.logits()).add(o.spatial());
                    }
                }
                default -> throw new IllegalArgumentException(name);
            }
        }
        return d.hex();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mnist-v1", "fashion-mnist-v1", "train", "inception"})
    void outputsAreBitIdenticalToThePreNnCode(String name) throws IOException {
        String got = digest(name);
        System.out.println("feature digest " + Digest.environment() + " " + name + " " + got);
        Map<String, String> recorded = RECORDED.get(Digest.environment());
        Assumptions.assumeTrue(recorded != null, "no digest recorded for " + Digest.environment());
        assertThat(got).as("digest of case %s", name).isEqualTo(recorded.get(name));
    }
}
