package io.github.diffusion4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.core.type.TypeReference;

/**
 * {@code d4j sample --mix-map} on a tiny dual-output run (Benny &amp; Wolf 2022): the picture's rows are
 * the first seeds and its last column their samples, the JSON has the mean s of every step, the
 * samples do not change, and a checkpoint that is not dual-output is refused.
 */
class SampleMixMapTest {
    static Path train(Path dir, String... extra) throws Exception {
        Path data = TinyRuns.imageFolder(dir);
        List<String> args = new ArrayList<>(List.of(TinyRuns.trainArgs(data, dir.resolve("runs"), 2)));
        for (String s : extra) {
            args.add("--set");
            args.add(s);
        }
        Cli.Result train = Cli.run(args.toArray(String[]::new));
        assertThat(train.code()).as(train.err()).isZero();
        return EndToEndTest.onlyRun(dir.resolve("runs"));
    }

    static Map<String, Object> json(Cli.Result r) {
        assertThat(r.code()).as(r.err()).isZero();
        return Json.MAPPER.readValue(r.out(), new TypeReference<Map<String, Object>>() {});
    }

    @Test
    @SuppressWarnings("unchecked")
    void mixMapShowsTheFirstSeedsAndLeavesTheSamplesAlone(@TempDir Path dir) throws Exception {
        Path run = train(dir, "diffusion.parametrisation=dual");
        Path map = dir.resolve("mix.png");
        Map<String, Object> with = json(Cli.run("sample", "--checkpoint", run.toString(), "--seeds", "0-10", "--batch", "4",
                "--out-dir", dir.resolve("with").toString(), "--mix-map", map.toString(), "--mix-steps", "0,2", "--json"));
        Map<String, Object> without = json(Cli.run("sample", "--checkpoint", run.toString(), "--seeds", "0-10", "--batch", "11",
                "--out-dir", dir.resolve("without").toString(), "--json"));
        for (int s = 0; s <= 10; s++) {
            String name = String.format("seed-%06d.png", s);
            assertThat(Files.readAllBytes(dir.resolve("with").resolve(name))).as(name)
                    .isEqualTo(Files.readAllBytes(dir.resolve("without").resolve(name)));
        }

        List<Map<String, Object>> means = (List<Map<String, Object>>) with.get("mixingWeight");
        assertThat(means).hasSize(3); // TinyRuns: sampling.steps = 3
        for (int i = 0; i < 3; i++) {
            assertThat(((Number) means.get(i).get("step")).intValue()).isEqualTo(i);
            assertThat(((Number) means.get(i).get("mean")).doubleValue()).isStrictlyBetween(0.0, 1.0);
        }
        assertThat(((Number) means.get(0).get("sigma")).doubleValue()).isGreaterThan(((Number) means.get(2).get("sigma")).doubleValue());
        assertThat(without.get("mixingWeight")).as("the same means at another batch size, with or without a map").isEqualTo(means);
        assertThat(with.get("samplingGflopPerImage")).as("the recorder's network is counted").isInstanceOf(Number.class)
                .isEqualTo(without.get("samplingGflopPerImage"));
        assertThat(without.get("mixMap")).isNull();
        Map<String, Object> mix = (Map<String, Object>) with.get("mixMap");
        assertThat(mix.get("seeds")).isEqualTo(List.of(0, 1, 2, 3, 4, 5, 6, 7));
        assertThat(mix.get("steps")).isEqualTo(List.of(0, 2));

        BufferedImage img = ImageIO.read(map.toFile());
        assertThat(img.getWidth()).isEqualTo(3 * 8); // steps 0 and 2, then the sample
        assertThat(img.getHeight()).isEqualTo(8 * 8); // the first 8 of 11 seeds
        for (int row = 0; row < 8; row++) {
            BufferedImage sample = ImageIO.read(dir.resolve("with").resolve(String.format("seed-%06d.png", row)).toFile());
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    int grey = sample.getRaster().getSample(x, y, 0);
                    assertThat(img.getRGB(16 + x, 8 * row + y) & 0xffffff).as("row %d pixel %d,%d", row, x, y)
                            .isEqualTo(grey << 16 | grey << 8 | grey);
                }
            }
        }
        Cli.Result stepOutside = Cli.run("sample", "--checkpoint", run.toString(), "--seeds", "0", "--out-dir",
                dir.resolve("x").toString(), "--mix-map", map.toString(), "--mix-steps", "3");
        EndToEndTest.assertUserError(stepOutside, "--mix-steps", "0..2");
        EndToEndTest.assertUserError(Cli.run("sample", "--checkpoint", run.toString(), "--mix-steps", "1"), "--mix-steps needs --mix-map");
    }

    @Test
    void aCheckpointThatIsNotDualOutputIsRefused(@TempDir Path dir) throws Exception {
        Path run = train(dir);
        Cli.Result r = Cli.run("sample", "--checkpoint", run.toString(), "--seeds", "0", "--out-dir", dir.resolve("s").toString(),
                "--mix-map", dir.resolve("mix.png").toString());
        EndToEndTest.assertUserError(r, "--mix-map", "dual-output");
        assertThat(dir.resolve("mix.png")).doesNotExist();
        assertThat(json(Cli.run("sample", "--checkpoint", run.toString(), "--seeds", "0", "--out-dir", dir.resolve("s").toString(),
                "--json")).get("mixingWeight")).isNull();
    }
}
