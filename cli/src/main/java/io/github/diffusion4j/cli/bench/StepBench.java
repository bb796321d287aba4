package io.github.diffusion4j.cli.bench;

import io.github.diffusion4j.cli.Json;
import io.github.diffusion4j.engine.Engine;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.global.torch.ScalarType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code d4j bench step}: one process's figures for one thread setting (run by {@code bench ops} per setting). */
@Command(name = "step", hidden = true, description = "Time the conv-block training step and a 1024² matmul at the current thread setting.")
final class StepBench implements Callable<Integer> {
    @Option(names = "--threads", description = "libtorch intra-op threads.")
    int threads = Engine.defaultThreads();

    @Option(names = "--reps", description = "Timed steps.")
    int reps = 10;

    @Override
    public Integer call() {
        Engine.init(threads);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("torchThreads", threads);
        out.put("openblasThreads", System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "unset"));
        out.put("stepMs", 1e3 * Workloads.convBlockStepSeconds(3, reps));
        out.put("matmul1024Gflops", Workloads.matmulGflops(1024, ScalarType.Float));
        Json.print(out);
        return 0;
    }
}
