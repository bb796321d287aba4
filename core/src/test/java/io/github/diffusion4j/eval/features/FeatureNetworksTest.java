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
        assertThat(FeatureNetworks.names()).containsExactly("fashion-mnist-v1", "mnist-v1");
        for (String name : FeatureNetworks.names()) {
            try (InputStream in = FeatureNetworks.class.getResourceAsStream(FeatureNetworks.resource(name))) {
                assertThat(in).as(name).isNotNull();
                assertThat(FeatureNetworks.sha256(in.readAllBytes())).as(name).isEqualTo(FeatureNetworks.SHA256.get(name));
            }
        }
    }

    @Test
    void committedNetworksLoadWithTheV1Architecture() {
        for (String name : FeatureNetworks.names()) {
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
        assertThatThrownBy(() -> FeatureNetworks.withVerifiedFile("emoji-v1", "00", f -> "loaded"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("weight file /io/github/diffusion4j/features/emoji-v1.safetensors")
                .hasMessageContaining("is not on the class path");
    }
}
