package io.github.diffusion4j.data;

import static io.github.diffusion4j.data.TestFiles.gzip;
import static io.github.diffusion4j.data.TestFiles.idxImages;
import static io.github.diffusion4j.data.TestFiles.idxLabels;
import static io.github.diffusion4j.data.TestFiles.pattern;
import static io.github.diffusion4j.data.TestFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {

    @TempDir
    Path dir;

    private static final int N = 5;
    private static final int ROWS = 3;
    private static final int COLS = 4;

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void roundTrip(boolean gz) {
        byte[] pixels = pattern(N, ROWS * COLS);
        // Names deliberately say the opposite of the content: gzip is detected from the magic bytes.
        Path images = write(dir.resolve(gz ? "images-idx3" : "images-idx3.gz"),
                gz ? gzip(idxImages(N, ROWS, COLS, pixels)) : idxImages(N, ROWS, COLS, pixels));
        Path labels = write(dir.resolve("labels-idx1"), gz ? gzip(idxLabels(3, 1, 4, 1, 5)) : idxLabels(3, 1, 4, 1, 5));

        ImageDataset d = IdxReader.read(images, labels);

        assertThat(d.size()).isEqualTo(N);
        assertThat(new int[] {d.channels(), d.height(), d.width()}).containsExactly(1, ROWS, COLS);
        assertThat(d.numClasses()).isEqualTo(10);
        assertThat(d.classNames()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        for (int i = 0; i < N; i++) {
            float[] img = d.image(i);
            for (int k = 0; k < ROWS * COLS; k++) {
                assertThat(img[k]).isEqualTo((float) ((pixels[i * ROWS * COLS + k] & 0xFF) / 127.5 - 1));
            }
        }
        assertThat(d.labels(new int[] {0, 1, 2, 3, 4})).containsExactly(3, 1, 4, 1, 5);
    }

    @Test
    void scalesTheExtremesExactly() {
        byte[] pixels = {0, (byte) 255, (byte) 128, 127};
        ImageDataset d = IdxReader.read(write(dir.resolve("i"), idxImages(1, 2, 2, pixels)),
                write(dir.resolve("l"), idxLabels(0)));
        assertThat(d.image(0)).containsExactly(-1f, 1f, (float) (128 / 127.5 - 1), (float) (127 / 127.5 - 1));
    }

    @Test
    void limitReadsTheFirstItems() {
        byte[] pixels = pattern(N, ROWS * COLS);
        ImageDataset d = IdxReader.read(write(dir.resolve("i"), gzip(idxImages(N, ROWS, COLS, pixels))),
                write(dir.resolve("l"), idxLabels(3, 1, 4, 1, 5)), 2);
        assertThat(d.size()).isEqualTo(2);
        assertThat(d.label(1)).isEqualTo(1);
        assertThat(d.image(1)[0]).isEqualTo((float) (17 / 127.5 - 1));
    }

    @Test
    void customClassNamesBoundTheLabels() {
        ImageDataset d = IdxReader.read(write(dir.resolve("i"), idxImages(2, 1, 1, new byte[2])),
                write(dir.resolve("l"), idxLabels(0, 1)), 0, List.of("no", "yes"));
        assertThat(d.classNames()).containsExactly("no", "yes");
        assertThatThrownBy(() -> IdxReader.read(dir.resolve("i"), write(dir.resolve("l2"), idxLabels(0, 2)), 0,
                List.of("no", "yes")))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("l2: label 2 of item 1 is out of range 0..1");
    }

    static Stream<Arguments> malformed() {
        byte[] good = idxImages(N, ROWS, COLS, pattern(N, ROWS * COLS));
        byte[] cut = Arrays.copyOf(good, good.length - 10);
        byte[] gzCut = gzip(good);
        gzCut = Arrays.copyOf(gzCut, gzCut.length / 2);
        byte[] wrongType = good.clone();
        wrongType[2] = 0x0D; // float32 elements
        byte[] labelsFile = idxLabels(1, 2, 3, 4, 5);
        byte[] badCount = ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC).putInt(N).putInt(0).putInt(COLS)
                .array();
        return Stream.of(
                arguments("truncated pixels", cut, idxLabels(1, 2, 3, 4, 5),
                        "images is truncated: expected 60 bytes of pixel data, found 50"),
                arguments("truncated gzip", gzCut, idxLabels(1, 2, 3, 4, 5), "images is truncated: expected 60 bytes"),
                arguments("empty file", new byte[0], idxLabels(1), "images is truncated: expected a 16-byte IDX header"),
                arguments("header cut", Arrays.copyOf(good, 10), idxLabels(1), "images is truncated"),
                arguments("labels given as images", labelsFile, labelsFile,
                        "images is not an IDX images file: magic 0x00000801, expected 0x00000803"),
                arguments("random bytes", "hello, world!!!!!!".getBytes(), idxLabels(1),
                        "images is not an IDX images file: magic 0x68656C6C"),
                arguments("float elements", wrongType, idxLabels(1),
                        "images is not an IDX images file: magic 0x00000D03, expected 0x00000803 (element type 0x0D;"
                                + " only unsigned bytes, 0x08, are supported)"),
                arguments("zero rows", badCount, idxLabels(1), "images has an invalid rows in its IDX header: 0"),
                arguments("count mismatch", good, idxLabels(1, 2, 3, 4),
                        "images holds 5 images but " + "LABELS" + " holds 4 labels"),
                arguments("truncated labels", good, Arrays.copyOf(idxLabels(1, 2, 3, 4, 5), 11),
                        "labels is truncated: expected 5 bytes of label data, found 3"),
                arguments("label out of range", good, idxLabels(1, 2, 12, 4, 5),
                        "labels: label 12 of item 2 is out of range 0..9"),
                arguments("not gzip after the magic", new byte[] {0x1F, (byte) 0x8B, 1, 2, 3}, idxLabels(1),
                        "images is not a valid gzip file"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsWithTheFileAndTheProblem(String name, byte[] images, byte[] labels, String expected) {
        Path imagesFile = write(dir.resolve("images"), images);
        Path labelsFile = write(dir.resolve("labels"), labels);
        String message = expected.replace("LABELS", labelsFile.toString());
        assertThatThrownBy(() -> IdxReader.read(imagesFile, labelsFile))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(message)
                .hasMessageNotContaining("\n");
        String full = catchMessage(imagesFile, labelsFile);
        assertThat(full).containsAnyOf(imagesFile.toString(), labelsFile.toString());
    }

    @Test
    void missingFileIsNamed() {
        Path labels = write(dir.resolve("l"), idxLabels(1));
        assertThatThrownBy(() -> IdxReader.read(dir.resolve("nope-images"), labels))
                .isInstanceOf(DataException.class)
                .hasMessage(dir.resolve("nope-images") + " does not exist");
    }

    @Test
    void hugeHeaderCountOnAGzipFileIsReportedAsTruncatedWithoutAllocatingIt() {
        byte[] lying = ByteBuffer.allocate(16 + 4).putInt(IdxReader.IMAGES_MAGIC).putInt(2_000_000).putInt(30)
                .putInt(30).array();
        Path images = write(dir.resolve("lying"), gzip(lying));
        Path labels = write(dir.resolve("lying-labels"), ByteBuffer.allocate(8).putInt(IdxReader.LABELS_MAGIC)
                .putInt(2_000_000).array());
        assertThatThrownBy(() -> IdxReader.read(images, labels))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("lying is truncated: expected 1800000000 bytes of pixel data, found 4");
    }

    private static String catchMessage(Path images, Path labels) {
        try {
            IdxReader.read(images, labels);
            return "";
        } catch (DataException e) {
            return e.getMessage();
        }
    }
}
