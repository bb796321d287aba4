package io.github.diffusion4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.io.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.core.type.TypeReference;

/** {@code d4j info}: listing, JSON output, and one-line errors with exit code 2 for bad input. */
class InfoCommandTest {
    static Cli.Result run(String... args) {
        return Cli.run(args);
    }

    static Path sample(Path dir) throws Exception {
        Path f = dir.resolve("ema-000010.safetensors");
        SafetensorsWriter.create().metadata("config", "demo")
                .addFloats("net.w", new long[] {2, 3}, new float[6])
                .addLongs("step", new long[] {1}, new long[] {10})
                .write(f);
        return f;
    }

    @Test
    void listsTensorsAsJson(@TempDir Path dir) throws Exception {
        Path f = sample(dir);
        Cli.Result r = run("info", f.toString(), "--json");
        assertThat(r.code()).isZero();
        Map<String, Object> json = Json.MAPPER.readValue(r.out(), new TypeReference<Map<String, Object>>() {});
        assertThat(json.get("elements")).isEqualTo(7);
        assertThat(json.get("metadata")).isEqualTo(Map.of("config", "demo"));
        assertThat(r.out().lines().count()).isEqualTo(1);
    }

    @Test
    void runDirectoryUsesItsNewestEmaCheckpoint(@TempDir Path dir) throws Exception {
        sample(dir);
        Cli.Result r = run("info", dir.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("ema-000010.safetensors").contains("net.w").contains("[2, 3]");
    }

    @Test
    void malformedFileIsOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("broken.safetensors");
        byte[] bytes = Files.readAllBytes(sample(dir));
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        Cli.Result r = run("info", f.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("d4j: broken.safetensors:").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void missingFileAndBadOptionExitWith2(@TempDir Path dir) {
        Cli.Result missing = run("info", dir.resolve("nope.safetensors").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.safetensors").contains("no such file");
        Cli.Result badOption = run("info", "x.safetensors", "--no-such-option");
        assertThat(badOption.code()).isEqualTo(2);
        assertThat(badOption.err()).contains("--no-such-option");
    }

    @Test
    void verbosePrintsTheStackTrace(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("junk.safetensors");
        Files.writeString(f, "not a safetensors file at all");
        Cli.Result r = run("info", "--verbose", f.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("SafetensorsFormatException");
    }
}
