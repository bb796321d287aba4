package io.github.diffusion4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.io.Npz;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code d4j eval fd} on statistics files, and eval's errors for bad input. */
class EvalCommandTest {
    @Test
    void fdOfTwoStatisticsFiles(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.npz");
        Path b = dir.resolve("b.npz");
        Npz.writeStats(a, new double[] {0, 0}, new double[][] {{1, 0}, {0, 4}});
        Npz.writeStats(b, new double[] {3, 4}, new double[][] {{4, 0}, {0, 1}});
        Cli.Result r = Cli.run("eval", "fd", a.toString(), b.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        // ‖μ1−μ2‖² = 25; commuting covariances: Σ(√λ1 − √λ2)² = (1−2)² + (2−1)² = 2
        assertThat(r.out()).contains("\"fd\":27.0");
    }

    @Test
    void badInputIsOneLineWithExitCode2(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.npz");
        Files.writeString(junk, "not a zip");
        Cli.Result r = Cli.run("eval", "fd", junk.toString(), junk.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("d4j: ").contains("junk.npz").doesNotContain("\tat ");
        Cli.Result none = Cli.run("eval");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("--checkpoint");
        Cli.Result metric = Cli.run("eval", "--checkpoint", dir.toString(), "--metrics", "fd,nope");
        assertThat(metric.code()).isEqualTo(2);
        assertThat(metric.err()).contains("nope");
    }

    @Test
    void theReferenceOfAModelIsTheTestSplitOfItsData() {
        assertThat(EvalCommand.testSplitOf("mnist:train")).isEqualTo("mnist:test");
        assertThat(EvalCommand.testSplitOf("emoji")).isEqualTo("emoji:apple+google+twitter+facebook:test:category");
        assertThat(EvalCommand.testSplitOf("emoji:vendor:google+apple")).isEqualTo("emoji:apple+google:test:vendor");
        assertThat(EvalCommand.testSplitOf("/data/faces")).isEqualTo("/data/faces");
    }

    @Test
    void aMissingOrCorruptEmojiCacheAndABadPrecisionAreUserErrors(@TempDir Path dir) throws Exception {
        Cli.Result p = Cli.run("sample", "--checkpoint", dir.toString(), "--precision", "fp16");
        assertThat(p.code()).isEqualTo(2);
        assertThat(p.err()).startsWith("d4j: --precision: unknown 'fp16' (expected auto, fp32 or bf16)");
        Cli.Result bad = Cli.run("eval", "classify", "--data", "emoji:samsung", "--features", "mnist-v1");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("unknown qualifier 'samsung'").doesNotContain("\tat ");
    }
}
