package io.github.diffusion4j.cli.bench;

import io.github.diffusion4j.cli.Json;
import io.github.diffusion4j.cli.UserException;
import io.github.diffusion4j.engine.Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.global.torch.ScalarType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.core.type.TypeReference;

/**
 * {@code d4j bench ops}: per-op overhead, fp32 and bf16 matmul GFLOP/s, and the comparison of
 * thread settings (each in a fresh process, since OpenBLAS reads its thread count at load time).
 */
@Command(name = "ops", mixinStandardHelpOptions = true,
        description = "Per-op overhead, fp32/bf16 matmul GFLOP/s and the thread-setting comparison.")
final class OpsBench implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Option(names = "--sizes", split = ",", description = "Matmul sizes (default: ${DEFAULT-VALUE}).")
    int[] sizes = {256, 512, 1024, 2048};

    @Option(names = "--no-threads", description = "Skip the thread-setting comparison.")
    boolean noThreads;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Engine.init();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("torchThreads", Engine.threads());
        out.put("openblasThreads", System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "unset"));
        double perOp = Workloads.perOpSeconds(20_000);
        out.put("perOpMicros", perOp * 1e6);
        say("per-op overhead (1-element add): %.2f us", perOp * 1e6);
        List<Map<String, Object>> mm = new ArrayList<>();
        for (int n : sizes) {
            double f32 = Workloads.matmulGflops(n, ScalarType.Float);
            double bf16 = Workloads.matmulGflops(n, ScalarType.BFloat16);
            mm.add(Map.of("n", n, "fp32Gflops", f32, "bf16Gflops", bf16));
            say("matmul %4d^2: fp32 %7.1f GFLOP/s, bf16 %7.1f GFLOP/s", n, f32, bf16);
        }
        out.put("matmul", mm);
        if (!noThreads) {
            out.put("threadSettings", compareThreadSettings());
        }
        if (json) {
            Json.print(out);
        }
        return 0;
    }

    private List<Map<String, Object>> compareThreadSettings() throws IOException, InterruptedException {
        int cores = Runtime.getRuntime().availableProcessors();
        List<Map<String, Object>> rows = new ArrayList<>();
        int[][] settings = cores >= 2 ? new int[][] {{1, 1}, {cores, 1}, {1, cores}, {cores, cores}} : new int[][] {{1, 1}};
        for (int[] s : settings) {
            Map<String, Object> row = child(s[0], s[1]);
            rows.add(row);
            say("threads torch=%d openblas=%d: conv-block step %.1f ms (median of 10), matmul 1024^2 %.1f GFLOP/s",
                    s[0], s[1], ((Number) row.get("stepMs")).doubleValue(), ((Number) row.get("matmul1024Gflops")).doubleValue());
        }
        return rows;
    }

    static Map<String, Object> child(int torchThreads, int blasThreads) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.github.diffusion4j.cli.Main", "bench", "step", "--threads", Integer.toString(torchThreads));
        pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(blasThreads));
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(torchThreads));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new UserException("thread benchmark child (torch=" + torchThreads + ", openblas=" + blasThreads + ") failed");
        }
        return Json.MAPPER.readValue(text, new TypeReference<Map<String, Object>>() {});
    }

    private void say(String fmt, Object... args) {
        (json ? System.err : System.out).println(String.format(fmt, args));
    }
}
