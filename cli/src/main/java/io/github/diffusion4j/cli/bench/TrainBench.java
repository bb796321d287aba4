package io.github.diffusion4j.cli.bench;

import io.github.diffusion4j.assemble.NetworkAssembly;
import io.github.diffusion4j.cli.Json;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.data.ImageDataset;
import io.github.diffusion4j.engine.CounterRng;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.net.Network;
import io.github.diffusion4j.train.ResidentMemory;
import io.github.diffusion4j.train.RunDirectory;
import io.github.diffusion4j.train.TrainListener;
import io.github.diffusion4j.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch.ScalarType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code d4j bench train}: full training steps (data, forward, backward, AdamW, EMA) of a config's
 * model on synthetic data of its shape, in fp32 and under bf16 autocast.
 *
 * <p>Reported per precision: img/s; model GFLOP/s = 3 × forward FLOPs × img/s (backward ≈ 2 ×
 * forward); the ratio to a 2048² fp32 matmul measured in the same run (OpenBLAS on one thread, as
 * the launcher sets it) and to a 1024² matmul with OpenBLAS on all cores (a child process, since
 * OpenBLAS reads its thread count at start); the fixed per-step share,
 * i.e. the intercept a of step time t(B) = a + b·B (from batches B and B/4) over t(B), an upper
 * bound on the time spent outside batch-proportional native kernels (Java, dispatch, optimizer);
 * and the peak resident memory.
 */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Training-step throughput of a config's model (fp32 and bf16).")
final class TrainBench implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE.yaml|PRESET", description = "The model to measure.")
    String config;

    @Option(names = "--batch", description = "Batch size (default: the config's).")
    Integer batch;

    @Option(names = "--steps", description = "Timed steps per measurement (default: ${DEFAULT-VALUE}).")
    int steps = 8;

    @Option(names = "--precision", split = ",", description = "fp32, bf16 or both (default: ${DEFAULT-VALUE}).")
    List<String> precisions = List.of("fp32", "bf16");

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Engine.init();
        ExperimentConfig base = ConfigLoader.load(config, List.of());
        int b = batch != null ? batch : base.training().batch();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", base.name());
        out.put("batch", b);
        out.put("torchThreads", Engine.threads());
        double matmul = Workloads.matmulGflops(2048, ScalarType.Float);
        out.put("matmulFp32Gflops", matmul);
        int cores = Runtime.getRuntime().availableProcessors();
        double matmulAllCores = ((Number) OpsBench.child(1, cores).get("matmul1024Gflops")).doubleValue();
        out.put("matmulFp32GflopsAllCores", matmulAllCores);
        say("fp32 matmul 2048^2 in this run: %.1f GFLOP/s (OpenBLAS on 1 thread, the launcher's setting); "
                + "1024^2 with OpenBLAS on %d threads (child process): %.1f GFLOP/s", matmul, cores, matmulAllCores);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String p : precisions) {
            if (!p.equals("fp32") && !p.equals("bf16")) {
                throw new io.github.diffusion4j.cli.UserException("--precision: unknown '" + p + "' (expected fp32 or bf16)");
            }
            ExperimentConfig cfg = ConfigLoader.load(config, List.of("training.bf16=" + p.equals("bf16"), "training.batch=" + b));
            double tFull = medianStep(cfg, b);
            int small = Math.max(1, b / 4);
            double tSmall = medianStep(ConfigLoader.load(config, List.of("training.bf16=" + p.equals("bf16"), "training.batch=" + small)), small);
            double intercept = (b * tSmall - small * tFull) / (b - small == 0 ? 1 : b - small);
            double flops = NetworkAssembly.build(cfg).flopsPerSample();
            double imgPerSec = b / tFull;
            double modelGflops = 3 * flops * imgPerSec / 1e9;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("precision", p);
            row.put("stepSeconds", tFull);
            row.put("imgPerSec", imgPerSec);
            row.put("forwardGflopPerSample", flops / 1e9);
            row.put("modelGflops", modelGflops);
            row.put("ratioToMatmul", modelGflops / matmul);
            row.put("ratioToMatmulAllCores", modelGflops / matmulAllCores);
            row.put("fixedStepShare", Math.max(0, intercept) / tFull);
            ResidentMemory.peakMegabytes().ifPresent(mb -> row.put("peakRssMb", mb));
            rows.add(row);
            say("%s batch %d: %.3f s/step, %.1f img/s, model %.1f GFLOP/s (%.2fx same-run matmul, %.2fx all-core matmul), "
                    + "fixed per-step share %.1f%%, peak RSS %.0f MiB",
                    p, b, tFull, imgPerSec, modelGflops, modelGflops / matmul, modelGflops / matmulAllCores,
                    100 * Math.max(0, intercept) / tFull,
                    ResidentMemory.peakMegabytes().orElse(Double.NaN));
        }
        out.put("results", rows);
        if (json) {
            Json.print(out);
        }
        return 0;
    }

    /** Median seconds per full training step at batch {@code b}, on random data of the config's shape. */
    private double medianStep(ExperimentConfig cfg, int b) throws Exception {
        Path tmp = Files.createTempDirectory("d4j-bench");
        try (PointerScope scope = new PointerScope()) {
            var d = cfg.data();
            int n = Math.max(256, 4 * b);
            byte[] px = new byte[n * d.channels() * d.resolution() * d.resolution()];
            long key = CounterRng.streamKey(1, 1);
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) (CounterRng.uniform(key, i) * 256);
            }
            int classes = Math.max(cfg.model().classes(), 0);
            int[] labels = IntStream.range(0, n).map(i -> classes == 0 ? 0 : i % classes).toArray();
            List<String> names = IntStream.range(0, classes).mapToObj(Integer::toString).collect(Collectors.toList());
            ImageDataset data = new ImageDataset(px, classes == 0 ? null : labels, d.channels(), d.resolution(), d.resolution(), names);
            Network net = NetworkAssembly.build(cfg);
            Network ema = NetworkAssembly.build(cfg);
            try (Trainer t = Trainer.start(cfg, data, net, ema, RunDirectory.create(tmp, "bench"), TrainListener.NONE)) {
                return Timing.median(2, steps, t::step);
            }
        } finally {
            try (var files = Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void say(String fmt, Object... args) {
        (json ? System.err : System.out).println(String.format(fmt, args));
    }
}
