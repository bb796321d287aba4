package io.github.diffusion4j.eval.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The committed feature networks: pinned SHA-256s, loading, provenance metadata. */
class FeatureNetworksTest {

    @Test
    void committedFilesMatchTheirPinnedSha256() throws IOException {
        assertThat(FeatureNetworks.names()).containsExactly("emoji-v1", "fashion-mnist-v1", "mnist-v1");
        for (String name : FeatureNetworks.names()) {
            try (InputStream in = FeatureNetworks.class.getResourceAsStream(FeatureNetworks.resource(name))) {
                assertThat(in).as(name).isNotNull();
                assertThat(FeatureNetworks.sha256(in.readAllBytes())).as(name).isEqualTo(FeatureNetworks.SHA256.get(name));
            }
        }
    }

    @Test
    void committedNetworksLoadWithTheV1Architecture() {
        for (String name : java.util.List.of("mnist-v1", "fashion-mnist-v1")) {
            try (FeatureNetwork net = FeatureNetworks.load(name)) {
                assertThat(net.name()).isEqualTo(name);
                assertThat(net).isInstanceOf(SmallClassifier.class);
                assertThat(((SmallClassifier) net).architecture()).isEqualTo(SmallClassifier.V1);
                assertThat(new int[] {net.inputChannels(), net.inputResolution(), net.featureDim(), net.numClasses(),
                        net.spatialDim()}).containsExactly(1, 28, 96, 10, 1568);
            }
            Map<String, String> meta = FeatureNetworks.metadata(name);
            assertThat(meta).containsEntry("name", name).containsEntry("version", "1")
                    .containsEntry("stages", "24x1-48x2-96x2").containsKeys("test_accuracy", "recipe", "seed", "dataset");
            assertThat(meta.get("dataset")).startsWith(name.substring(0, name.length() - 3) + " ");
        }
    }

    @Test
    void emojiV1LoadsWithItsArchitectureAndResizesInputs() {
        try (FeatureNetwork net = FeatureNetworks.load("emoji-v1")) {
            assertThat(((SmallClassifier) net).architecture()).isEqualTo(SmallClassifier.EMOJI_V1);
            assertThat(((SmallClassifier) net).resizesInput()).isTrue();
            assertThat(new int[] {net.inputChannels(), net.inputResolution(), net.featureDim(), net.numClasses(),
                    net.spatialDim()}).containsExactly(3, 32, 256, 10, 2048);
        }
        try (FeatureNetwork net = FeatureNetworks.load("mnist-v1")) {
            assertThat(((SmallClassifier) net).resizesInput()).isFalse();
        }
        Map<String, String> meta = FeatureNetworks.metadata("emoji-v1");
        assertThat(meta).containsEntry("name", "emoji-v1").containsEntry("version", "1")
                .containsEntry("stages", "32x1-64x2-128x2-256x2").containsEntry("input_resize", SmallClassifier.RESIZE_RULE)
                .containsEntry("dataset", "emoji (train split, 9811 images)").containsKeys("test_accuracy", "recipe", "seed");
    }

    @Test
    void aWrongChecksumIsAnErrorNamingTheFile() {
        String wrong = "ab".repeat(32);
        assertThatThrownBy(() -> FeatureNetworks.withVerifiedFile("mnist-v1", wrong, f -> "loaded"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/io/github/diffusion4j/features/mnist-v1.safetensors")
                .hasMessageContaining("expected " + wrong);
    }

    @Test
    void unknownAndMissingNetworksAreErrors() {
        assertThatThrownBy(() -> FeatureNetworks.load("cifar10-v1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown feature network 'cifar10-v1'")
                .hasMessageContaining("mnist-v1");
        assertThatThrownBy(() -> FeatureNetworks.withVerifiedFile("emoji-v0", "00", f -> "loaded"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("weight file /io/github/diffusion4j/features/emoji-v0.safetensors")
                .hasMessageContaining("is not on the class path");
    }
}
