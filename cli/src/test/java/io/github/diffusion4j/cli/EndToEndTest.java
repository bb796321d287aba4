package io.github.diffusion4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.data.DataCache;
import io.github.diffusion4j.io.SafetensorsFile;
import io.github.diffusion4j.io.SafetensorsWriter;
import io.github.diffusion4j.io.TensorEntry;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end on a tiny model: run directory, batch-independent samples, resume after kill -9, bad input. */
class EndToEndTest {
    static Path onlyRun(Path out) throws Exception {
        try (Stream<Path> runs = Files.list(out)) {
            List<Path> all = runs.toList();
            assertThat(all).hasSize(1);
            return all.get(0);
        }
    }

    @Test
    void trainWritesTheRunDirectoryAndSamplesDoNotDependOnBatchSize(@TempDir Path dir) throws Exception {
        Path data = TinyRuns.imageFolder(dir);
        Cli.Result train = Cli.run(TinyRuns.trainArgs(data, dir.resolve("runs"), 4));
        assertThat(train.code()).as(train.err()).isZero();
        Path run = onlyRun(dir.resolve("runs"));
        for (String f : new String[] {"config.yaml", "log.txt", "stats.jsonl", "loss.png", "samples-000000.png",
                "ema-000000.safetensors", "state-000000.safetensors"}) {
            assertThat(run.resolve(f)).exists();
        }
        Cli.Result one = Cli.run("sample", "--checkpoint", run.toString(), "--seeds", "0-15", "--batch", "1",
                "--out-dir", dir.resolve("b1").toString(), "--sampler", "euler_a");
        Cli.Result sixteen = Cli.run("sample", "--checkpoint", run.toString(), "--seeds", "0-15", "--batch", "16",
                "--out-dir", dir.resolve("b16").toString(), "--sampler", "euler_a", "--grid", dir.resolve("grid.png").toString(),
                "--json");
        assertThat(one.code()).as(one.err()).isZero();
        assertThat(sixteen.code()).as(sixteen.err()).isZero();
        assertThat(sixteen.out().lines().count()).isEqualTo(1);
        assertThat(sixteen.out()).contains("seed-000015.png");
        for (int s = 0; s <= 15; s++) {
            String name = String.format("seed-%06d.png", s);
            assertThat(Files.readAllBytes(dir.resolve("b16").resolve(name))).as(name)
                    .isEqualTo(Files.readAllBytes(dir.resolve("b1").resolve(name)));
        }
        assertThat(dir.resolve("grid.png")).exists();
    }

    @Test
    void killedRunResumesFromItsLastCompleteCheckpoint(@TempDir Path dir) throws Exception {
        Path data = TinyRuns.imageFolder(dir);
        Path out = dir.resolve("runs");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "io.github.diffusion4j.cli.Main"));
        cmd.addAll(List.of(TinyRuns.trainArgs(data, out, 100_000)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile());
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        pb.environment().put("D4J_THREADS", "1"); // the test JVM keeps the other core
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Path run = null;
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(out)) {
                try (Stream<Path> runs = Files.list(out)) {
                    run = runs.findFirst().orElse(null);
                }
            }
            if (run != null && countStates(run) >= 2) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(run).as("child never checkpointed; log: %s", Files.readString(dir.resolve("child.log"))).isNotNull();
        Thread.sleep(137); // somewhere in the middle of a step or a checkpoint write
        p.destroyForcibly(); // SIGKILL
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        try (Stream<Path> files = Files.list(run)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("(state|ema)-\\d+\\.safetensors")).toList()) {
                try (SafetensorsFile ok = SafetensorsFile.open(f)) {
                    assertThat(ok.tensors()).as(f.toString()).isNotEmpty();
                }
            }
        }
        long before;
        try (SafetensorsFile f = SafetensorsFile.open(latestState(run))) {
            before = Long.parseLong(f.metadata().get("step"));
        }
        Cli.Result resumed = Cli.run("train", "--resume", run.toString(), "--steps", Long.toString(before + 4));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        try (SafetensorsFile f = SafetensorsFile.open(latestState(run))) {
            assertThat(Long.parseLong(f.metadata().get("step"))).isEqualTo(before + 4);
        }
    }

    static long countStates(Path run) throws Exception {
        try (Stream<Path> files = Files.list(run)) {
            return files.filter(f -> f.getFileName().toString().matches("state-\\d+\\.safetensors")).count();
        }
    }

    static Path latestState(Path run) throws Exception {
        try (Stream<Path> files = Files.list(run)) {
            return files.filter(f -> f.getFileName().toString().matches("state-\\d+\\.safetensors"))
                    .max(java.util.Comparator.comparing(Path::toString)).orElseThrow();
        }
    }

    static void assertUserError(Cli.Result r, String... phrases) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines().filter(l -> !l.isBlank()).count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("d4j: ").doesNotContain("\tat ");
        for (String p : phrases) {
            assertThat(r.err()).contains(p);
        }
    }

    @Test
    void unknownConfigKeyIsNamed(@TempDir Path dir) throws Exception {
        Cli.Result r = Cli.run("train", "--config", "mnist-unet", "--out", dir.toString(), "--set", "training.bach=4");
        assertUserError(r, "training.bach", "training.batch");
    }

    @Test
    void corruptImageIsNamedBeforeTrainingStarts(@TempDir Path dir) throws Exception {
        Path data = TinyRuns.imageFolder(dir);
        Files.write(data.resolve("a").resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Path out = dir.resolve("runs");
        assertUserError(Cli.run(TinyRuns.trainArgs(data, out, 4)), "broken.png");
        assertThat(out).doesNotExist();
    }

    @Test
    void truncatedIdxFileIsNamed(@TempDir Path dir) throws Exception {
        Path images = dir.resolve("train-images-idx3-ubyte");
        ByteBuffer b = ByteBuffer.allocate(16 + 100);
        b.putInt(0x00000803).putInt(10).putInt(8).putInt(8);
        Files.write(images, b.array()); // 10 images promised, 100 bytes present
        ByteBuffer l = ByteBuffer.allocate(8 + 10);
        l.putInt(0x00000801).putInt(10);
        Files.write(dir.resolve("train-labels-idx1-ubyte"), l.array());
        List<String> args = new ArrayList<>(List.of("train", "--config", "mnist-unet", "--out", dir.resolve("runs").toString()));
        args.addAll(TinyRuns.sets(images, 4));
        assertUserError(Cli.run(args.toArray(String[]::new)), "train-images-idx3-ubyte", "truncated");
    }

    @Test
    void missingDatasetSaysHowToFetchIt(@TempDir Path dir) {
        String old = System.getProperty(DataCache.PROPERTY);
        System.setProperty(DataCache.PROPERTY, dir.resolve("empty-cache").toString());
        try {
            assertUserError(Cli.run("train", "--config", "mnist-unet", "--out", dir.resolve("runs").toString()),
                    "d4j data fetch mnist");
        } finally {
            if (old == null) {
                System.clearProperty(DataCache.PROPERTY);
            } else {
                System.setProperty(DataCache.PROPERTY, old);
            }
        }
    }

    @Test
    void checkpointThatDoesNotMatchItsConfigIsRejected(@TempDir Path dir) throws Exception {
        Path data = TinyRuns.imageFolder(dir);
        assertThat(Cli.run(TinyRuns.trainArgs(data, dir.resolve("runs"), 2)).code()).isZero();
        Path run = onlyRun(dir.resolve("runs"));
        Path state = latestState(run);
        // Rewrite the state with a config whose U-Net is wider than the stored weights.
        SafetensorsWriter w = SafetensorsWriter.create();
        try (SafetensorsFile f = SafetensorsFile.open(state)) {
            f.metadata().forEach((k, v) -> w.metadata(k, k.equals("config") ? v.replace("baseChannels: 8", "baseChannels: 16") : v));
            for (TensorEntry e : f.tensors()) {
                w.add(e.name(), e.dtype(), e.shape(), f.data(e.name()));
            }
        }
        w.write(state);
        assertUserError(Cli.run("train", "--resume", run.toString(), "--steps", "4"), "does not match the config");
    }
}
