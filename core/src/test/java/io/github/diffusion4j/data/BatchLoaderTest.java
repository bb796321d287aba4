package io.github.diffusion4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BatchLoaderTest {

    /** n images of 1×2×3 whose pixels encode the index, labels index mod 3. */
    static ImageDataset data(int n) {
        byte[] px = new byte[n * 6];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 6; k++) {
                px[i * 6 + k] = (byte) (i * 6 + k);
            }
            labels[i] = i % 3;
        }
        return new ImageDataset(px, labels, 1, 2, 3, List.of("a", "b", "c"));
    }

    private static List<int[]> take(BatchLoader loader, int batches) {
        List<int[]> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            out.add(loader.next().indices());
        }
        return out;
    }

    @Test
    void orderIsDeterministicForASeedAndDiffersBetweenSeeds() {
        ImageDataset d = data(40);
        try (BatchLoader a = BatchLoader.open(d, 7, 11); BatchLoader b = BatchLoader.open(d, 7, 11);
                BatchLoader c = BatchLoader.open(d, 7, 12)) {
            List<int[]> x = take(a, 20);
            List<int[]> y = take(b, 20);
            List<int[]> z = take(c, 20);
            for (int i = 0; i < 20; i++) {
                assertThat(x.get(i)).containsExactly(y.get(i));
            }
            assertThat(x.stream().flatMapToInt(Arrays::stream).toArray())
                    .isNotEqualTo(z.stream().flatMapToInt(Arrays::stream).toArray());
        }
    }

    @ParameterizedTest(name = "n={0}, batch={1}")
    @CsvSource({"10, 3", "10, 10", "7, 16", "1, 4", "64, 8"})
    void everyIndexAppearsOncePerEpoch(int n, int batch) {
        ImageDataset d = data(n);
        int epochs = 4;
        try (BatchLoader loader = new BatchLoader(d, batch, 5, BatchLoader.Position.START, Augment.NONE, 3)) {
            List<Integer> stream = new ArrayList<>();
            while (stream.size() < epochs * n) {
                for (int i : loader.next().indices()) {
                    stream.add(i);
                }
            }
            for (int e = 0; e < epochs; e++) {
                int[] epoch = stream.subList(e * n, (e + 1) * n).stream().mapToInt(Integer::intValue).sorted().toArray();
                int[] expected = new int[n];
                Arrays.setAll(expected, i -> i);
                assertThat(epoch).as("epoch %d", e).containsExactly(expected);
                assertThat(stream.subList(e * n, (e + 1) * n).stream().mapToInt(Integer::intValue).toArray())
                        .containsExactly(EpochOrder.permutation(5, e, n));
            }
        }
    }

    @Test
    void batchesCarryPixelsLabelsAndPositions() {
        ImageDataset d = data(10);
        try (BatchLoader loader = BatchLoader.open(d, 4, 3)) {
            assertThat(loader.position()).isEqualTo(BatchLoader.Position.START);
            Batch b1 = loader.next();
            assertThat(b1.size()).isEqualTo(4);
            assertThat(b1.pixels()).containsExactly(d.images(b1.indices()));
            assertThat(b1.labels()).containsExactly(d.labels(b1.indices()));
            assertThat(b1.start()).isEqualTo(new BatchLoader.Position(0, 0));
            assertThat(b1.end()).isEqualTo(new BatchLoader.Position(0, 4));
            assertThat(loader.position()).isEqualTo(new BatchLoader.Position(0, 4));
            loader.next();
            Batch b3 = loader.next(); // 8, 9 of epoch 0, then 0, 1 of epoch 1
            assertThat(b3.end()).isEqualTo(new BatchLoader.Position(1, 2));
            assertThat(loader.position()).isEqualTo(new BatchLoader.Position(1, 2));
        }
    }

    @ParameterizedTest(name = "stop after {0} batches")
    @CsvSource({"0", "1", "3", "7", "12"})
    void resumingFromASavedPositionContinuesBitForBit(int stopAfter) {
        ImageDataset d = data(23);
        Augment flip = new Augment(true);
        List<Batch> uninterrupted = new ArrayList<>();
        BatchLoader.Position saved;
        try (BatchLoader a = new BatchLoader(d, 5, 99, BatchLoader.Position.START, flip, 4)) {
            for (int i = 0; i < stopAfter; i++) {
                a.next();
            }
            saved = a.position();
            for (int i = 0; i < 10; i++) {
                uninterrupted.add(a.next());
            }
        }
        try (BatchLoader b = new BatchLoader(d, 5, 99, saved, flip, 1)) {
            for (int i = 0; i < 10; i++) {
                Batch x = b.next();
                Batch y = uninterrupted.get(i);
                assertThat(x.indices()).containsExactly(y.indices());
                assertThat(x.pixels()).containsExactly(y.pixels());
                assertThat(x.labels()).containsExactly(y.labels());
                assertThat(x.end()).isEqualTo(y.end());
            }
        }
    }

    @Test
    void flipsAreAppliedPerSeedEpochAndIndex() {
        ImageDataset d = data(30);
        Augment flip = new Augment(true);
        int flipped = 0;
        try (BatchLoader loader = new BatchLoader(d, 6, 4, BatchLoader.Position.START, flip, 2)) {
            for (int b = 0; b < 10; b++) {
                Batch batch = loader.next();
                for (int k = 0; k < 6; k++) {
                    int idx = batch.indices()[k];
                    float[] expected = d.image(idx);
                    long e = (b * 6 + k) / 30; // position in the endless sequence → epoch
                    if (flip.flips(4, e, idx)) {
                        Augment.flipHorizontal(expected, 0, 1, 2, 3);
                        flipped++;
                    }
                    assertThat(Arrays.copyOfRange(batch.pixels(), k * 6, k * 6 + 6)).containsExactly(expected);
                }
            }
        }
        assertThat(flipped).isBetween(10, 50); // about half of 60
    }

    @Test
    void closeEndsTheThread() throws InterruptedException {
        BatchLoader loader = new BatchLoader(data(50), 4, 1, BatchLoader.Position.START, Augment.NONE, 2);
        loader.next();
        Thread worker = loader.worker();
        assertThat(worker.isDaemon()).isTrue();
        Thread.sleep(50); // let it fill the queue and block
        assertThat(worker.isAlive()).isTrue();
        loader.close();
        assertThat(worker.isAlive()).isFalse();
        assertThatThrownBy(loader::next).isInstanceOf(IllegalStateException.class);
        loader.close(); // idempotent
    }

    @Test
    void rejectsBadArguments() {
        ImageDataset d = data(5);
        assertThatThrownBy(() -> new BatchLoader(d, 0, 1, BatchLoader.Position.START, Augment.NONE, 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BatchLoader(d, 2, 1, new BatchLoader.Position(0, 5), Augment.NONE, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset 5");
        assertThatThrownBy(() -> new BatchLoader.Position(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
