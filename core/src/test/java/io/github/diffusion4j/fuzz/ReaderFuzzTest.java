package io.github.diffusion4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.config.ConfigException;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.data.DataException;
import io.github.diffusion4j.data.IdxReader;
import io.github.diffusion4j.data.ImageDataset;
import io.github.diffusion4j.data.ImageFolder;
import io.github.diffusion4j.io.Npy;
import io.github.diffusion4j.io.Npz;
import io.github.diffusion4j.io.SafetensorsFile;
import io.github.diffusion4j.io.SafetensorsFormatException;
import io.github.diffusion4j.io.SafetensorsWriter;
import io.github.diffusion4j.io.TensorEntry;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project fuzzes itself (issue 14): for each reader, a few hundred seeded mutations of a valid
 * input ({@link Mutations}) are each either read or rejected with the reader's own exception type,
 * on one line naming the input. Any other outcome fails the test with the seeds that produced it,
 * so that {@code Mutations.mutate(base, seed)} reproduces the input.
 */
class ReaderFuzzTest {
    /** Mutations per reader; {@code -Dd4j.fuzz.cases=N} runs more. */
    static final int CASES = Integer.getInteger("d4j.fuzz.cases", 300);

    @TempDir
    Path dir;

    /** Reads one mutated input; returns normally when it was read. */
    @FunctionalInterface
    interface Reader {
        void read(Path file) throws Exception;
    }

    /**
     * Runs {@link #CASES} mutations of {@code base} through {@code reader}; each must succeed or
     * throw {@code expected} with a one-line message containing {@code file}'s name (or one of
     * {@code alsoNaming}, for readers that name a key rather than the file).
     */
    void fuzz(String name, byte[] base, java.util.function.LongFunction<byte[]> mutator, Class<? extends Throwable> expected,
            Reader reader, String... alsoNaming) throws Exception {
        List<String> failures = new ArrayList<>();
        int read = 0;
        int rejected = 0;
        for (long seed = 1; seed <= CASES; seed++) {
            Path file = dir.resolve(name.replace("*", Long.toString(seed)));
            Files.write(file, mutator.apply(seed));
            try {
                reader.read(file);
                read++;
            } catch (Throwable t) {
                String msg = String.valueOf(t.getMessage());
                boolean names = msg.contains(file.getFileName().toString());
                for (String n : alsoNaming) {
                    names |= msg.contains(n);
                }
                if (expected.isInstance(t) && names && !msg.contains("\n")) {
                    rejected++;
                } else {
                    failures.add("seed " + seed + ": " + t.getClass().getName() + ": " + msg);
                }
            } finally {
                Files.deleteIfExists(file);
            }
        }
        assertThat(failures).as("mutations of %s that were neither read nor rejected with %s naming the input (seeds reproduce"
                + " them: Mutations.mutate(base, seed))", name, expected.getSimpleName()).isEmpty();
        assertThat(rejected).as("rejected mutations of " + name).isPositive();
        assertThat(read + rejected).isEqualTo(CASES);
    }

    @Test
    void safetensors() throws Exception {
        Path f = dir.resolve("base.safetensors");
        SafetensorsWriter.create().metadata("config", "model:\n  baseChannels: 8\n")
                .addFloats("net.w", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6})
                .addLongs("step", new long[] {2}, new long[] {10, 11})
                .write(f);
        byte[] base = Files.readAllBytes(f);
        fuzz("fuzz-*.safetensors", base, seed -> Mutations.mutate(base, seed), SafetensorsFormatException.class, file -> {
            try (SafetensorsFile st = SafetensorsFile.open(file)) {
                for (TensorEntry e : st.tensors()) {
                    st.bytes(e.name());
                }
                st.metadata().size();
            }
        });
    }

    @Test
    void npy() throws Exception {
        byte[] base = Npy.toBytes(Npy.Array.of(new double[][] {{1, 2, 3}, {4, 5, 6}}));
        fuzz("fuzz-*.npy", base, seed -> Mutations.mutate(base, seed), Npy.FormatException.class, Npy::read);
    }

    @Test
    void npzStatistics() throws Exception {
        Path f = dir.resolve("base.npz");
        Npz.writeStats(f, new double[] {0.5, -1}, new double[][] {{2, 0.5}, {0.5, 1}});
        byte[] base = Files.readAllBytes(f);
        fuzz("fuzz-*.npz", base, seed -> Mutations.mutate(base, seed), Npy.FormatException.class, Npz::readStats);
    }

    @Test
    void idx() throws Exception {
        int n = 6;
        ByteBuffer img = ByteBuffer.allocate(16 + n * 16).putInt(IdxReader.IMAGES_MAGIC).putInt(n).putInt(4).putInt(4);
        for (int i = 0; i < n * 16; i++) {
            img.put((byte) (i * 7));
        }
        ByteBuffer lab = ByteBuffer.allocate(8 + n).putInt(IdxReader.LABELS_MAGIC).putInt(n);
        for (int i = 0; i < n; i++) {
            lab.put((byte) (i % 3));
        }
        byte[] images = img.array();
        byte[] labels = lab.array();
        Path goodImages = dir.resolve("good-images-idx3-ubyte");
        Path goodLabels = dir.resolve("good-labels-idx1-ubyte");
        Files.write(goodImages, images);
        Files.write(goodLabels, labels);
        fuzz("fuzz-*-images-idx3-ubyte", images, seed -> Mutations.mutate(images, seed), DataException.class,
                file -> IdxReader.read(file, goodLabels));
        fuzz("fuzz-*-labels-idx1-ubyte", labels, seed -> Mutations.mutate(labels, seed), DataException.class,
                file -> IdxReader.read(goodImages, file));
    }

    @Test
    void pngFolder() throws Exception {
        Path root = dir.resolve("folder");
        for (String cls : new String[] {"a", "b"}) {
            Files.createDirectories(root.resolve(cls));
            for (int k = 0; k < 2; k++) {
                BufferedImage im = new BufferedImage(6, 5, k == 0 ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 5; y++) {
                    for (int x = 0; x < 6; x++) {
                        im.setRGB(x, y, 0xFF000000 | (x * 40) << 16 | (y * 50) << 8 | (k * 100));
                    }
                }
                ImageIO.write(im, "png", root.resolve(cls).resolve("img" + k + ".png").toFile());
            }
        }
        Path victim = root.resolve("a").resolve("img0.png");
        byte[] base = Files.readAllBytes(victim);
        // the mutated file replaces one image of the folder; the reader reads the whole folder
        fuzz("fuzz-*.bin", base, seed -> Mutations.mutate(base, seed), DataException.class, file -> {
            Files.copy(file, victim, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            ImageDataset d = ImageFolder.read(root, 8, true);
            assertThat(d.size()).isEqualTo(4);
        }, victim.toString());
    }

    @Test
    void yamlConfig() throws Exception {
        String base = """
                name: fuzz
                data:
                  dataset: mnist:train
                  resolution: 16
                model:
                  baseChannels: 16
                  channelMult: [1, 2]
                  attentionResolutions: [8]
                  classes: 10
                training:
                  batch: 8
                  lr: 2.0e-4
                  gradClip: 1.0
                sampling:
                  sigmaMax: 80
                  guidance: 1.5
                """;
        ConfigLoader.load(write(base), List.of()); // the base is valid
        byte[] bytes = base.getBytes(StandardCharsets.UTF_8);
        fuzz("fuzz-*.yaml", bytes, seed -> Mutations.mutateYaml(base, seed), ConfigException.class,
                file -> ConfigLoader.load(file.toString(), List.of()), "config key", "--set");
    }

    private String write(String text) throws Exception {
        Path f = dir.resolve("base.yaml");
        Files.writeString(f, text);
        return f.toString();
    }

}
