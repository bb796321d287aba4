package io.github.diffusion4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code d4j sample --resolution HxW}: a LEGO stack samples a larger, non-square canvas (with skipping); a U-Net refuses one (exit 2). */
class CanvasSampleTest {
    static String[] legoTrain(Path data, Path out) {
        List<String> a = new ArrayList<>(List.of("train", "--config", "mnist-unet", "--out", out.toString()));
        for (String s : new String[] {"data.dataset=" + data, "data.resolution=8", "data.channels=1", "model.type=lego",
                "model.bricks=[{size: 4, patch: 2, depth: 1, width: 16, heads: 2}, {size: 8, patch: 2, depth: 1, width: 16, heads: 2}]",
                "model.classes=2", "training.batch=4", "training.steps=2", "training.minutes=0", "training.checkpointEvery=2",
                "training.logEvery=1", "sampling.gridSeeds=4", "sampling.steps=4", "sampling.skip={mode: late, fraction: 0.5}"}) {
            a.add("--set");
            a.add(s);
        }
        return a.toArray(String[]::new);
    }

    @Test
    void legoSamplesANonSquareCanvasAndReportsPerStepFlopsOfItsSkipSchedule(@TempDir Path dir) throws Exception {
        Path data = TinyRuns.imageFolder(dir);
        Cli.Result train = Cli.run(legoTrain(data, dir.resolve("runs")));
        assertThat(train.code()).as(train.err()).isZero();
        Path run = EndToEndTest.onlyRun(dir.resolve("runs"));
        Cli.Result wide = Cli.run("sample", "--checkpoint", run.toString(), "--seeds", "0-1", "--resolution", "8x16",
                "--out-dir", dir.resolve("wide").toString(), "--json");
        assertThat(wide.code()).as(wide.err()).isZero();
        BufferedImage img = ImageIO.read(dir.resolve("wide").resolve("seed-000000.png").toFile());
        assertThat(img.getHeight()).isEqualTo(8);
        assertThat(img.getWidth()).isEqualTo(16);
        assertThat(wide.out()).contains("\"resolution\":\"8x16\"");
        assertThat(wide.err()).contains("brick skipping (late, fraction 0.5)");
        // 4 steps, the last 2 after brick 0: the per-step cost drops by brick 1's share.
        String gflops = wide.out().replaceAll(".*\"stepGflops\":\\[([^\\]]*)\\].*", "$1").strip();
        String[] v = gflops.split(",");
        assertThat(v).hasSize(4);
        assertThat(Double.parseDouble(v[0])).isEqualTo(Double.parseDouble(v[1])).isGreaterThan(Double.parseDouble(v[2]));
        assertThat(Double.parseDouble(v[2])).isEqualTo(Double.parseDouble(v[3])).isGreaterThan(0);

        Cli.Result refused = Cli.run("sample", "--checkpoint", run.toString(), "--seeds", "0", "--resolution", "8x12");
        MalformedInputTest.assertUserError(refused, "--resolution 8x12", "multiples of every brick size");
        MalformedInputTest.assertUserError(Cli.run("sample", "--checkpoint", run.toString(), "--resolution", "8by8"), "--resolution");
    }

    @Test
    void aUNetRefusesAnotherCanvas(@TempDir Path dir) throws Exception {
        Path data = TinyRuns.imageFolder(dir);
        Cli.Result train = Cli.run(TinyRuns.trainArgs(data, dir.resolve("runs"), 2));
        assertThat(train.code()).as(train.err()).isZero();
        Path run = EndToEndTest.onlyRun(dir.resolve("runs"));
        MalformedInputTest.assertUserError(Cli.run("sample", "--checkpoint", run.toString(), "--resolution", "16x16"),
                "--resolution 16x16", "unet", "8x8 training resolution");
        Cli.Result same = Cli.run("sample", "--checkpoint", run.toString(), "--seeds", "0", "--resolution", "8x8",
                "--out-dir", dir.resolve("s").toString());
        assertThat(same.code()).as(same.err()).isZero();
    }
}
