package io.github.diffusion4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PyramidTest {

    @TempDir
    Path tmp;

    /** Byte {@code (c, y, x)} of image {@code i}, read back from the [−1, 1] floats. */
    private static int px(ImageDataset d, int i, int c, int y, int x) {
        float v = d.image(i)[(c * d.height() + y) * d.width() + x];
        return (int) Math.round((v + 1) * 127.5);
    }

    /** Every pixel of {@code low} is the 2×2 mean of {@code high}'s, rounded half up. */
    private static void assertAreaMean(ImageDataset high, ImageDataset low) {
        assertThat(low.size()).isEqualTo(high.size());
        assertThat(low.height() * 2).isEqualTo(high.height());
        assertThat(low.channels()).isEqualTo(high.channels());
        for (int i = 0; i < high.size(); i++) {
            assertThat(low.label(i)).isEqualTo(high.label(i));
            for (int c = 0; c < high.channels(); c++) {
                for (int y = 0; y < low.height(); y++) {
                    for (int x = 0; x < low.width(); x++) {
                        int sum = px(high, i, c, 2 * y, 2 * x) + px(high, i, c, 2 * y, 2 * x + 1)
                                + px(high, i, c, 2 * y + 1, 2 * x) + px(high, i, c, 2 * y + 1, 2 * x + 1);
                        double mean = sum / 4.0;
                        assertThat(px(low, i, c, y, x)).as("image %d (%d, %d, %d)", i, c, y, x)
                                .isEqualTo((int) Math.floor(mean + 0.5));
                    }
                }
            }
        }
    }

    private Path folder(int n, int side) throws IOException {
        Path root = tmp.resolve("imgs");
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < n; i++) {
            Path dir = Files.createDirectories(root.resolve(i % 2 == 0 ? "even" : "odd"));
            BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_ARGB);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    img.setRGB(x, y, rnd.nextInt() | 0xFF000000);
                }
            }
            ImageIO.write(img, "png", dir.resolve("img" + i + ".png").toFile());
        }
        return root;
    }

    @Test
    void eachLevelIsTheAreaMeanOfTheLevelAbove() throws IOException {
        Path root = folder(5, 64);
        Pyramid p = Datasets.pyramid(root.toString(), 64, false, tmp);
        ImageDataset previous = p.level(64);
        assertThat(previous.classNames()).containsExactly("even", "odd");
        for (int r : new int[] {32, 16, 8, 4, 2, 1}) {
            ImageDataset level = p.level(r);
            assertAreaMean(previous, level);
            previous = level;
        }
        // computed once, shared by every caller
        assertThat(Datasets.pyramid(root.toString(), 64, false, tmp).level(16)).isSameAs(p.level(16));
        assertThatThrownBy(() -> p.level(24)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("24 is not a power-of-two fraction of 64");
    }

    @Test
    void cachedDatasetsServeTheirPyramidThroughResolve() throws IOException {
        Path cache = tmp.resolve("cache");
        TestFiles.mnistLike(cache.resolve("mnist"), 4, 2, false);
        DataCache.markComplete(cache.resolve("mnist"), "test");
        ImageDataset d28 = Datasets.resolve("mnist:train", 28, cache);
        ImageDataset d14 = Datasets.resolve("mnist:train", 14, cache);
        ImageDataset d7 = Datasets.resolve("mnist", 7, cache);
        assertAreaMean(d28, d14);
        assertAreaMean(d14, d7);
        assertThat(Datasets.resolve("mnist:train", 14, cache)).isSameAs(d14);
        assertThat(Datasets.pyramid("mnist:train", 28, true, cache).level(7)).isSameAs(d7);
    }

    @Test
    void aChangedFolderIsReadAgain() throws IOException {
        Path root = folder(2, 8);
        ImageDataset before = Datasets.resolve(root.toString(), 4, false, tmp);
        assertThat(Datasets.resolve(root.toString(), 4, false, tmp)).isSameAs(before);
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
        ImageIO.write(img, "png", root.resolve("even/extra.png").toFile());
        assertThat(Datasets.resolve(root.toString(), 4, false, tmp).size()).isEqualTo(3);
    }

    @Test
    void halvingRoundsHalfUpAndKeepsLabels() {
        byte[] px = {0, 1, 2, 3, (byte) 255, (byte) 255, (byte) 254, (byte) 255};
        ImageDataset d = new ImageDataset(px, new int[] {1, 0}, 1, 2, 2, List.of("a", "b"));
        ImageDataset h = Pyramid.halve(d);
        assertThat(h.size()).isEqualTo(2);
        assertThat(px(h, 0, 0, 0, 0)).isEqualTo(2); // mean 1.5 -> 2
        assertThat(px(h, 1, 0, 0, 0)).isEqualTo(255); // mean 254.75 -> 255
        assertThat(h.labels(new int[] {0, 1})).containsExactly(1, 0);
        assertThatThrownBy(() -> Pyramid.halve(new ImageDataset(new byte[9], null, 1, 3, 3, List.of())))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
