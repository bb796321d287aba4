package io.github.diffusion4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

    @TempDir
    Path dir;

    private static float f(int v) {
        return (float) (v / 127.5 - 1);
    }

    private static BufferedImage filled(int w, int h, int type, int argb) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, argb);
            }
        }
        return img;
    }

    private Path png(String name, BufferedImage img) throws IOException {
        return save(name, img, "png");
    }

    private Path save(String name, BufferedImage img, String format) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        assertThat(ImageIO.write(img, format, p.toFile())).isTrue();
        return p;
    }

    /** Channel {@code c} of image {@code i}, all values. */
    private static float[] plane(ImageDataset d, int i, int c) {
        int n = d.height() * d.width();
        return Arrays.copyOfRange(d.image(i), c * n, (c + 1) * n);
    }

    @Test
    void rgbValuesAreKeptExactly() throws IOException {
        png("a.png", filled(4, 4, BufferedImage.TYPE_INT_RGB, 0xFF0AC8FF));
        ImageDataset d = ImageFolder.read(dir, 4);
        assertThat(d.size()).isEqualTo(1);
        assertThat(new int[] {d.channels(), d.height(), d.width()}).containsExactly(3, 4, 4);
        assertThat(plane(d, 0, 0)).containsOnly(f(10));
        assertThat(plane(d, 0, 1)).containsOnly(f(200));
        assertThat(plane(d, 0, 2)).containsOnly(f(255));
        assertThat(d.numClasses()).isZero();
        assertThat(d.classNames()).isEmpty();
        assertThat(d.label(0)).isZero();
    }

    @Test
    void transparencyIsCompositedOntoWhite() throws IOException {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x00000000); // fully transparent black
        img.setRGB(0, 1, 0x00000000);
        img.setRGB(1, 0, 0x80FF0000); // half-transparent red
        img.setRGB(1, 1, 0xFF00FF00); // opaque green
        png("rgba.png", img);

        ImageDataset d = ImageFolder.read(dir, 2);

        int half = (0 * 128 + 255 * 127 + 127) / 255; // 127: white showing through half of the black channels
        assertThat(plane(d, 0, 0)).containsExactly(f(255), f(255), f(255), f(0));
        assertThat(plane(d, 0, 1)).containsExactly(f(255), f(half), f(255), f(255));
        assertThat(plane(d, 0, 2)).containsExactly(f(255), f(half), f(255), f(0));
    }

    @Test
    void grayscalePngKeepsItsStoredValues() throws IOException {
        BufferedImage gray = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSamples(0, 0, 2, 2, 0, new int[] {0, 50, 128, 255});
        png("g.png", gray);

        ImageDataset rgb = ImageFolder.read(dir, 2);
        for (int c = 0; c < 3; c++) {
            assertThat(plane(rgb, 0, c)).containsExactly(f(0), f(50), f(128), f(255));
        }
        ImageDataset one = ImageFolder.read(dir, 2, true);
        assertThat(one.channels()).isEqualTo(1);
        assertThat(one.image(0)).containsExactly(f(0), f(50), f(128), f(255));
    }

    @Test
    void sixteenBitGrayIsScaledToEightBits() throws IOException {
        BufferedImage gray = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
        gray.getRaster().setSample(0, 0, 0, 128 * 257);
        png("g16.png", gray);
        assertThat(ImageFolder.read(dir, 1, true).image(0)).containsExactly(f(128));
    }

    @Test
    void colourToGrayscaleUsesLuma() throws IOException {
        png("c.png", filled(1, 1, BufferedImage.TYPE_INT_RGB, 0xFF6496C8)); // (100, 150, 200)
        int luma = (299 * 100 + 587 * 150 + 114 * 200 + 500) / 1000;
        assertThat(ImageFolder.read(dir, 1, true).image(0)).containsExactly(f(luma));
    }

    @Test
    void jpegIsRead() throws IOException {
        save("photo.jpg", filled(16, 16, BufferedImage.TYPE_INT_RGB, 0xFF6496C8), "jpeg");
        ImageDataset d = ImageFolder.read(dir, 8);
        float[] r = plane(d, 0, 0);
        float[] b = plane(d, 0, 2);
        for (int k = 0; k < r.length; k++) {
            assertThat(r[k]).isCloseTo(f(100), within(4 / 127.5f));
            assertThat(b[k]).isCloseTo(f(200), within(4 / 127.5f));
        }
    }

    @Test
    void wideImageIsCentreCroppedAndBoxFiltered() throws IOException {
        // 12×8: two red columns at each side (cropped away), an 8×8 centre of 2×2 blocks with distinct greys.
        BufferedImage img = new BufferedImage(12, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 12; x++) {
                int v = 10 + 15 * ((y / 2) * 4 + (x - 2) / 2);
                img.setRGB(x, y, x < 2 || x >= 10 ? 0xFFFF0000 : 0xFF000000 | v << 16 | v << 8 | v);
            }
        }
        png("wide.png", img);
        ImageDataset d = ImageFolder.read(dir, 4);
        float[] expected = new float[16];
        for (int k = 0; k < 16; k++) {
            expected[k] = f(10 + 15 * k);
        }
        for (int c = 0; c < 3; c++) {
            assertThat(plane(d, 0, c)).containsExactly(expected);
        }
    }

    @Test
    void tallImageIsCroppedToItsMiddleRows() throws IOException {
        BufferedImage img = filled(2, 6, BufferedImage.TYPE_INT_RGB, 0xFF000000);
        for (int x = 0; x < 2; x++) {
            img.setRGB(x, 2, 0xFFFFFFFF);
            img.setRGB(x, 3, 0xFFFFFFFF);
        }
        png("tall.png", img);
        assertThat(ImageFolder.read(dir, 2, true).image(0)).containsOnly(1f);
    }

    @Test
    void imagesOfDifferentSizesAllComeOutAtTheResolution() throws IOException {
        png("a.png", filled(30, 20, BufferedImage.TYPE_INT_RGB, 0xFF808080));
        png("b.png", filled(7, 9, BufferedImage.TYPE_INT_ARGB, 0xFF808080));
        png("c.png", filled(64, 64, BufferedImage.TYPE_INT_RGB, 0xFF808080));
        save("d.jpeg", filled(3, 5, BufferedImage.TYPE_INT_RGB, 0xFF808080), "jpeg");
        ImageDataset d = ImageFolder.read(dir, 16);
        assertThat(d.size()).isEqualTo(4);
        assertThat(new int[] {d.channels(), d.height(), d.width()}).containsExactly(3, 16, 16);
        for (int i = 0; i < 3; i++) {
            assertThat(d.image(i)).containsOnly(f(128)); // a constant stays constant through any resize
        }
    }

    @Test
    void subFoldersAreSortedClassesAndHiddenOrOtherFilesAreSkipped() throws IOException {
        png("dog/d1.png", filled(2, 2, BufferedImage.TYPE_INT_RGB, 0xFF000000));
        png("cat/c1.png", filled(2, 2, BufferedImage.TYPE_INT_RGB, 0xFFFFFFFF));
        png("cat/kittens/c2.PNG", filled(2, 2, BufferedImage.TYPE_INT_RGB, 0xFFFFFFFF));
        Files.createDirectories(dir.resolve("empty"));
        Files.write(dir.resolve("cat/.hidden.png"), new byte[] {1, 2, 3}); // would fail if read
        Files.createDirectories(dir.resolve(".git"));
        Files.write(dir.resolve(".git/x.png"), new byte[] {1, 2, 3});
        Files.writeString(dir.resolve("dog/notes.txt"), "not an image");
        Files.writeString(dir.resolve("README.md"), "not an image either");

        ImageDataset d = ImageFolder.read(dir, 2);

        assertThat(d.classNames()).containsExactly("cat", "dog");
        assertThat(d.numClasses()).isEqualTo(2);
        assertThat(d.size()).isEqualTo(3);
        assertThat(d.labels(new int[] {0, 1, 2})).containsExactly(0, 0, 1);
        assertThat(d.image(0)).containsOnly(1f);
        assertThat(d.image(2)).containsOnly(-1f);
    }

    @Test
    void corruptImageIsNamed() throws IOException {
        png("ok.png", filled(2, 2, BufferedImage.TYPE_INT_RGB, 0xFF000000));
        byte[] noise = new byte[300];
        new Random(7).nextBytes(noise);
        Path bad = Files.write(dir.resolve("bad.png"), noise);
        assertThatThrownBy(() -> ImageFolder.read(dir, 2))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("cannot read image " + bad + ": ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void truncatedPngIsNamed() throws IOException {
        Path ok = png("ok.png", filled(32, 32, BufferedImage.TYPE_INT_RGB, 0xFF123456));
        byte[] all = Files.readAllBytes(ok);
        Path cut = Files.write(dir.resolve("cut.png"), Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> ImageFolder.read(dir, 2))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(cut.toString());
    }

    @Test
    void severalBadImagesAreCountedAndTheFirstNamed() throws IOException {
        png("a-ok.png", filled(2, 2, BufferedImage.TYPE_INT_RGB, 0xFF000000));
        Files.write(dir.resolve("b-bad.png"), new byte[] {1, 2, 3});
        Files.write(dir.resolve("c-bad.jpg"), new byte[] {4, 5, 6});
        assertThatThrownBy(() -> ImageFolder.read(dir, 2))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("cannot read 2 of 3 images under " + dir + "; the first is "
                        + dir.resolve("b-bad.png"));
    }

    @Test
    void folderErrorsNameTheFolder() throws IOException {
        assertThatThrownBy(() -> ImageFolder.read(dir.resolve("missing"), 8))
                .isInstanceOf(DataException.class).hasMessage(dir.resolve("missing") + " does not exist");
        Files.writeString(dir.resolve("only.txt"), "x");
        assertThatThrownBy(() -> ImageFolder.read(dir, 8))
                .isInstanceOf(DataException.class).hasMessage(dir + " contains no PNG or JPEG images");
        assertThatThrownBy(() -> ImageFolder.read(dir.resolve("only.txt"), 8))
                .isInstanceOf(DataException.class).hasMessage(dir.resolve("only.txt") + " is not a folder");
        png("loose.png", filled(2, 2, BufferedImage.TYPE_INT_RGB, 0));
        png("a/in.png", filled(2, 2, BufferedImage.TYPE_INT_RGB, 0));
        assertThatThrownBy(() -> ImageFolder.read(dir, 8))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("has images both in class sub-folders (a) and directly inside it (loose.png)");
    }
}
