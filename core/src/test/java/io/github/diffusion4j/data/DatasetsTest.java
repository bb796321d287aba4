package io.github.diffusion4j.data;

import static io.github.diffusion4j.data.TestFiles.gzip;
import static io.github.diffusion4j.data.TestFiles.idxImages;
import static io.github.diffusion4j.data.TestFiles.idxLabels;
import static io.github.diffusion4j.data.TestFiles.pattern;
import static io.github.diffusion4j.data.TestFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatasetsTest {

    @TempDir
    Path tmp;

    private Path cacheWithMnist() throws IOException {
        Path cache = tmp.resolve("cache");
        TestFiles.mnistLike(cache.resolve("mnist"), 4, 2, false);
        DataCache.markComplete(cache.resolve("mnist"), "test");
        return cache;
    }

    @ParameterizedTest
    @ValueSource(strings = {"mnist", "mnist:train", "mnist:test", "fashion-mnist:test", "emoji"})
    void missingCachedDatasetSaysHowToFetchIt(String ref) {
        String name = ref.contains(":") ? ref.substring(0, ref.indexOf(':')) : ref;
        assertThatThrownBy(() -> Datasets.resolve(ref, 28, tmp))
                .isInstanceOf(DataException.class)
                .hasMessage("dataset '" + name + "' is not in " + tmp + "; run: d4j data fetch " + name);
    }

    @Test
    void cachedMnistSplits() throws IOException {
        Path cache = cacheWithMnist();
        ImageDataset train = Datasets.resolve("mnist:train", 28, cache);
        ImageDataset plain = Datasets.resolve("mnist", 28, cache);
        ImageDataset test = Datasets.resolve("mnist:test", 28, cache);
        assertThat(train.size()).isEqualTo(4);
        assertThat(plain.size()).isEqualTo(4);
        assertThat(test.size()).isEqualTo(2);
        assertThat(train.classNames()).isEqualTo(Datasets.MNIST_CLASSES);
        assertThat(new int[] {train.channels(), train.height(), train.width()}).containsExactly(1, 28, 28);
        assertThatThrownBy(() -> Datasets.resolve("mnist:valid", 28, cache))
                .isInstanceOf(DataException.class)
                .hasMessage("unknown split 'valid' of mnist; use mnist:train or mnist:test");
    }

    @Test
    void mnistAt32IsPaddedWithBackground() throws IOException {
        Path cache = cacheWithMnist();
        ImageDataset native28 = Datasets.resolve("mnist:train", 28, cache);
        ImageDataset padded = Datasets.resolve("mnist:train", 32, cache);
        assertThat(new int[] {padded.height(), padded.width()}).containsExactly(32, 32);
        assertThat(padded.labels(new int[] {0, 1, 2, 3})).containsExactly(native28.labels(new int[] {0, 1, 2, 3}));
        for (int i = 0; i < 4; i++) {
            float[] big = padded.image(i);
            float[] small = native28.image(i);
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    boolean inside = y >= 2 && y < 30 && x >= 2 && x < 30;
                    float expected = inside ? small[(y - 2) * 28 + (x - 2)] : -1f;
                    assertThat(big[y * 32 + x]).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void mnistAt14IsBoxFiltered() throws IOException {
        ImageDataset d = Datasets.resolve("mnist:test", 14, cacheWithMnist());
        assertThat(new int[] {d.height(), d.width()}).containsExactly(14, 14);
        // pattern: pixel k of image 0 is k mod 256; the top-left 2×2 block holds 0, 1, 28, 29.
        assertThat(d.image(0)[0]).isEqualTo((float) (15 / 127.5 - 1)); // 14.5 rounds up
    }

    @Test
    void idxFileWithSiblingLabels() {
        Path images = write(tmp.resolve("idx/train-images-idx3-ubyte.gz"), gzip(idxImages(3, 28, 28, pattern(3, 784))));
        write(tmp.resolve("idx/train-labels-idx1-ubyte"), idxLabels(7, 8, 9));
        ImageDataset d = Datasets.resolve(images.toString(), 28, tmp);
        assertThat(d.labels(new int[] {0, 1, 2})).containsExactly(7, 8, 9);

        Path lonely = write(tmp.resolve("other/t10k-images-idx3-ubyte"), idxImages(1, 28, 28, new byte[784]));
        assertThatThrownBy(() -> Datasets.resolve(lonely.toString(), 28, tmp))
                .isInstanceOf(DataException.class)
                .hasMessage("no labels file beside " + lonely
                        + " (looked for t10k-labels-idx1-ubyte and t10k-labels-idx1-ubyte.gz)");

        Path random = write(tmp.resolve("other/photo.bin"), new byte[10]);
        assertThatThrownBy(() -> Datasets.resolve(random.toString(), 28, tmp))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(random + " is neither a folder nor an IDX images file");
    }

    @Test
    void folderPath() throws IOException {
        Path folder = tmp.resolve("pics");
        Files.createDirectories(folder.resolve("a"));
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", folder.resolve("a/x.png").toFile());
        ImageDataset rgb = Datasets.resolve(folder.toString(), 4, tmp);
        assertThat(new int[] {rgb.channels(), rgb.height(), rgb.width()}).containsExactly(3, 4, 4);
        assertThat(rgb.classNames()).containsExactly("a");
        assertThat(Datasets.resolve(folder.toString(), 4, true, tmp).channels()).isEqualTo(1);
    }

    @Test
    void missingPathIsNamed() {
        Path missing = tmp.resolve("nothing-here");
        assertThatThrownBy(() -> Datasets.resolve(missing.toString(), 32, tmp))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(missing + " does not exist");
    }
}
