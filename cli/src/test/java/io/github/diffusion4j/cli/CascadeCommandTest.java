package io.github.diffusion4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A two-stage 4 → 8 px cascade end to end: train each stage, inspect, sample the chain, refuse out-of-range levels (issue 11). */
class CascadeCommandTest {
    @TempDir
    Path dir;

    static final String CONFIG = """
            name: tiny-cdm
            data: {dataset: %s, resolution: 8, channels: 1}
            stages:
              - resolution: 4
                model: {type: unet, baseChannels: 8, channelMult: [1], numResBlocks: 1, attentionResolutions: [], classes: 2}
                sampling: {steps: 3, gridSeeds: 4}
              - model: {type: unet, baseChannels: 8, channelMult: [1, 2], numResBlocks: 1, attentionResolutions: [4], classes: 2}
                sampling: {steps: 3, gridSeeds: 4}
                coupling:
                  type: sr
                  augmentation: {type: gaussian, max: 0.5}
            training: {batch: 4, steps: 2, minutes: 0, checkpointEvery: 2, logEvery: 1}
            """;

    @Test
    void eachStageTrainsAsItsOwnRunAndTheCascadeSamplesWithinTheTrainedRange() throws Exception {
        Path data = TinyRuns.imageFolder(dir);
        Path cfg = Files.writeString(dir.resolve("cascade.yaml"), CONFIG.formatted(data));
        Path runs = dir.resolve("runs");

        Cli.Result whole = Cli.run("train", "--config", cfg.toString(), "--out", runs.toString());
        assertThat(whole.code()).isEqualTo(2);
        assertThat(whole.err()).contains("--stage K");

        Cli.Result t0 = Cli.run("train", "--config", cfg.toString(), "--stage", "0", "--out", runs.toString());
        assertThat(t0.code()).as(t0.err()).isZero();
        Path run0 = Path.of(t0.out().strip());
        Cli.Result t1 = Cli.run("train", "--config", cfg.toString(), "--stage", "1", "--out", runs.toString());
        assertThat(t1.code()).as(t1.err()).isZero();
        Path run1 = Path.of(t1.out().strip());
        assertThat(Files.exists(run0.resolve("samples-000000.png")) || Files.list(run0).anyMatch(p -> p.toString().endsWith(".png")))
                .as("the base stage writes its grid").isTrue();

        Cli.Result info = Cli.run("info", run1.toString());
        assertThat(info.code()).isZero();
        assertThat(info.out()).contains("cascade stage:").contains("stage: 1 of 2").contains("coupling: sr from 4 px")
                .contains("gaussian").contains("trained levels: [0, 0.5]");
        Cli.Result infoJson = Cli.run("info", run1.toString(), "--json");
        assertThat(infoJson.out()).contains("\"stage\"").contains("\"coupling.augmentationRange\":\"[0, 0.5]\"");

        Cli.Result resumed = Cli.run("train", "--resume", run1.toString(), "--steps", "4");
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(Cli.run("info", run1.toString()).out()).as("a resumed stage run keeps its cascade metadata")
                .contains("stage: 1 of 2").contains("trained levels: [0, 0.5]").contains("imagesSeen: 16");

        Cli.Result outside = Cli.run("sample", "--checkpoint", run0.toString(), "--checkpoint", run1.toString(), "--aug-level", "0.8",
                "--seeds", "0-1", "--out-dir", dir.resolve("x").toString());
        assertThat(outside.code()).isEqualTo(2);
        assertThat(outside.err().strip().lines().count()).isEqualTo(1);
        assertThat(outside.err()).contains("[0.0, 0.5]").contains("stage 1");

        Cli.Result alone = Cli.run("sample", "--checkpoint", run1.toString(), "--seeds", "0", "--out-dir", dir.resolve("y").toString());
        assertThat(alone.code()).isEqualTo(2);
        assertThat(alone.err()).contains("super-resolution stage");

        Path cascadeDir = Files.createDirectories(dir.resolve("cdm"));
        Files.writeString(cascadeDir.resolve("cascade.yaml"), "stages:\n  - ../runs/" + run0.getFileName() + "\n  - ../runs/"
                + run1.getFileName() + "\n");
        Path out = dir.resolve("samples");
        Path grid = dir.resolve("grid.png");
        for (String variant : new String[] {"", "--truncated"}) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("sample", "--checkpoint", cascadeDir.toString(),
                    "--aug-level", "0.3", "--seeds", "0-2", "--batch", "2", "--out-dir", out.toString(), "--grid", grid.toString()));
            if (!variant.isEmpty()) {
                args.add(variant);
            }
            Cli.Result s = Cli.run(args.toArray(String[]::new));
            assertThat(s.code()).as(s.err()).isZero();
            assertThat(out.resolve("seed-000002.png")).exists();
            var img = javax.imageio.ImageIO.read(grid.toFile());
            var one = javax.imageio.ImageIO.read(out.resolve("seed-000000.png").toFile());
            assertThat(one.getWidth()).isEqualTo(8);
            assertThat(img.getWidth()).as("two columns, one per stage").isGreaterThanOrEqualTo(16).isLessThan(3 * 8);
            assertThat(img.getHeight()).as("three rows, one per seed").isGreaterThanOrEqualTo(24);
        }
    }

    @Test
    void evalMeasuresTheWholeChainAndASweepReportsTheBestLevel() throws Exception {
        Path data = TinyRuns.imageFolder(dir);
        Path cfg = Files.writeString(dir.resolve("cascade.yaml"), CONFIG.formatted(data).replace("channels: 1", "channels: 3"));
        Path runs = dir.resolve("runs");
        Path run0 = Path.of(Cli.run("train", "--config", cfg.toString(), "--stage", "0", "--out", runs.toString()).out().strip());
        Path run1 = Path.of(Cli.run("train", "--config", cfg.toString(), "--stage", "1", "--out", runs.toString()).out().strip());
        Cli.Result e = Cli.run("eval", "--checkpoint", run0.toString(), "--checkpoint", run1.toString(), "--ref", data.toString(),
                "--features", "emoji-v1", "--metrics", "is,fd", "--seeds", "0-11", "--batch", "5", "--sweep-aug", "0,0.3", "--json");
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).contains("\"measured\":\"final output of the whole chain from generated low-resolution inputs\"")
                .contains("\"sweptStage\":1").contains("\"bestBy\":\"fd\"").contains("\"sweep\":[")
                .as("each row reports its own level").contains("\"augLevels\":[0.0]").contains("\"augLevels\":[0.3]");
        Cli.Result bad = Cli.run("eval", "--checkpoint", run0.toString(), "--checkpoint", run1.toString(), "--ref", data.toString(),
                "--features", "emoji-v1", "--metrics", "is,fd", "--seeds", "0-3", "--sweep-aug", "0,0.9");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("[0.0, 0.5]");
    }

    static final String RELAY = """
            name: tiny-relay
            data: {dataset: %s, resolution: 8, channels: 3}
            stages:
              - resolution: 4
                model: {type: unet, baseChannels: 8, channelMult: [1], numResBlocks: 1, attentionResolutions: [], classes: 2}
                sampling: {steps: 3, gridSeeds: 4}
              - model: {type: unet, baseChannels: 8, channelMult: [1, 2], numResBlocks: 1, attentionResolutions: [4], classes: 2}
                diffusion:
                  process: {type: blur, patch: 2}
                sampling: {steps: 12, gridSeeds: 4}
                coupling: {type: relay}
            training: {batch: 4, steps: 2, minutes: 0, checkpointEvery: 2, logEvery: 1}
            """;

    /** A 4 → 8 px relay cascade (Relay Diffusion, issue 12): trained per stage, sampled as a chain, its truncation σ swept. */
    @Test
    void aRelayCascadeTrainsPerStageSamplesAsAChainAndSweepsItsTruncationSigma() throws Exception {
        Path data = TinyRuns.imageFolder(dir);
        Path cfg = Files.writeString(dir.resolve("relay.yaml"), RELAY.formatted(data));
        Path runs = dir.resolve("runs");
        Cli.Result t0 = Cli.run("train", "--config", cfg.toString(), "--stage", "0", "--out", runs.toString());
        assertThat(t0.code()).as(t0.err()).isZero();
        Path run0 = Path.of(t0.out().strip());
        Cli.Result t1 = Cli.run("train", "--config", cfg.toString(), "--stage", "1", "--out", runs.toString());
        assertThat(t1.code()).as(t1.err()).isZero();
        Path run1 = Path.of(t1.out().strip());
        assertThat(Cli.run("info", run1.toString()).out()).contains("coupling: relay from 4 px").contains("truncation sigma 0.9");

        Cli.Result alone = Cli.run("sample", "--checkpoint", run1.toString(), "--seeds", "0", "--out-dir", dir.resolve("y").toString());
        assertThat(alone.code()).isEqualTo(2);
        assertThat(alone.err()).contains("relay stage");

        Path out = dir.resolve("samples");
        Path grid = dir.resolve("grid.png");
        Cli.Result s = Cli.run("sample", "--checkpoint", run0.toString(), "--checkpoint", run1.toString(), "--seeds", "0-2", "--batch", "2",
                "--out-dir", out.toString(), "--grid", grid.toString(), "--json");
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(s.out()).contains("\"augLevels\":[0.9]");
        assertThat(javax.imageio.ImageIO.read(out.resolve("seed-000002.png").toFile()).getWidth()).isEqualTo(8);
        var g = javax.imageio.ImageIO.read(grid.toFile());
        assertThat(g.getWidth()).as("three columns: the 4 px sample, its upsampling, the relay result").isEqualTo(24);
        assertThat(g.getHeight()).as("one row per seed").isEqualTo(24);
        for (int row = 0; row < 3; row++) {
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean inside = x >= 2 && x < 6 && y >= 2 && y < 6;
                    int native4 = g.getRGB(x, 8 * row + y) & 0xFFFFFF;
                    if (!inside) {
                        assertThat(native4).as("the 4 px sample is centred on white").isEqualTo(0xFFFFFF);
                    }
                    assertThat(g.getRGB(8 + x, 8 * row + y) & 0xFFFFFF).as("column 2 is column 1's sample nearest-upsampled")
                            .isEqualTo(g.getRGB(2 + x / 2, 8 * row + 2 + y / 2) & 0xFFFFFF);
                }
            }
        }

        Cli.Result tooHigh = Cli.run("sample", "--checkpoint", run0.toString(), "--checkpoint", run1.toString(), "--aug-level", "1.9",
                "--seeds", "0", "--out-dir", out.toString());
        assertThat(tooHigh.code()).isEqualTo(2);
        assertThat(tooHigh.err()).contains("relay truncation σ 1.9");

        Cli.Result e = Cli.run("eval", "--checkpoint", run0.toString(), "--checkpoint", run1.toString(), "--ref", data.toString(),
                "--features", "emoji-v1", "--metrics", "is,fd", "--seeds", "0-7", "--batch", "4", "--sweep-aug", "0.5,0.9", "--json");
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).contains("\"sweptStage\":1").contains("\"augLevels\":[0.5]").contains("\"augLevels\":[0.9]");
    }
}
