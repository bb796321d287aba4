package io.github.diffusion4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM in the middle of training ends the JVM without a native crash: before the shutdown
 * guard, 1 in 4 such signals left an hs_err_pid*.log with a SIGSEGV inside {@code backward()}, because
 * the JVM's exit ran libtorch's static destructors under a running step.
 */
class SignalTest {
    @Test
    void sigtermDuringTrainingLeavesNoCrashLog(@TempDir Path dir) throws Exception {
        Path data = TinyRuns.imageFolder(dir);
        for (int attempt = 0; attempt < 3; attempt++) {
            Path work = Files.createDirectories(dir.resolve("attempt" + attempt));
            Path out = work.resolve("runs");
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
            cmd.addAll(LauncherFlags.javacpp());
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.github.diffusion4j.cli.Main"));
            cmd.addAll(List.of(TinyRuns.trainArgs(data, out, 100_000)));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("child.log").toFile());
            pb.environment().put("OPENBLAS_NUM_THREADS", "1");
            pb.environment().put("D4J_THREADS", "1");
            Process p = pb.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && !trained(out)) {
                Thread.sleep(50);
            }
            assertThat(trained(out)).as("child never checkpointed; log: %s", Files.readString(work.resolve("child.log"))).isTrue();
            Thread.sleep(50 + 97L * attempt); // somewhere in a step
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("child exited after SIGTERM").isTrue();
            try (Stream<Path> files = Files.list(work)) {
                assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("hs_err")).toList())
                        .as("crash logs; child log: %s", Files.readString(work.resolve("child.log"))).isEmpty();
            }
            assertThat(p.exitValue()).as("exit status after SIGTERM").isEqualTo(143);
        }
    }

    private static boolean trained(Path out) throws Exception {
        if (!Files.isDirectory(out)) {
            return false;
        }
        try (Stream<Path> runs = Files.list(out)) {
            for (Path run : runs.toList()) {
                if (EndToEndTest.countStates(run) >= 1) {
                    return true;
                }
            }
        }
        return false;
    }
}
