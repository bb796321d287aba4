package io.github.diffusion4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.testing.TinyNet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run with Relay's blurring process ({@code diffusion.process: {type: blur}}, Teng et al. 2024,
 * Sec. 3.3) trains through the same Objective: finite losses, reproducible per seed, and different
 * weights from the additive process on the same data and seed (the process is really used).
 */
class BlurTrainingTest {
    @BeforeAll
    static void init() {
        Engine.init();
    }

    static List<String> sets(String... extra) {
        List<String> s = new ArrayList<>(List.of("data.resolution=8", "model.classes=4", "training.batch=6",
                "training.warmupImages=20", "training.checkpointEvery=1000", "training.logEvery=4", "training.minutes=0",
                "sampling.gridSeeds=4", "sampling.steps=2"));
        s.addAll(List.of(extra));
        return s;
    }

    static Map<String, double[]> train(Path dir, String name, List<String> sets) throws Exception {
        ExperimentConfig cfg = ConfigLoader.load("mnist-unet", sets);
        try (PointerScope scope = new PointerScope()) {
            TinyNet net = new TinyNet(1, 4, 0), ema = new TinyNet(1, 4, 0);
            try (Trainer t = Trainer.start(cfg, ResumeTest.data(), net, ema, RunDirectory.create(dir, name), TrainListener.NONE)) {
                Trainer.Outcome o = t.run(4, 0);
                assertThat(o.lastLoss()).as(name).isFinite();
                Map<String, double[]> out = new java.util.TreeMap<>();
                for (Map.Entry<String, Tensor> e : t.parameters().entrySet()) {
                    out.put(e.getKey(), Tensors.toDoubles(e.getValue()));
                }
                return out;
            }
        }
    }

    @Test
    void blurRunsAreFiniteReproducibleAndDifferFromAdditive(@TempDir Path dir) throws Exception {
        List<String> blur = sets("diffusion.process=blur", "diffusion.process.patch=2");
        Map<String, double[]> a = train(dir, "blur-a", blur);
        Map<String, double[]> b = train(dir, "blur-b", blur);
        Map<String, double[]> additive = train(dir, "additive", sets());
        boolean differs = false;
        for (String k : a.keySet()) {
            assertThat(b.get(k)).as(k).containsExactly(a.get(k));
            differs |= !java.util.Arrays.equals(a.get(k), additive.get(k));
        }
        assertThat(differs).isTrue();
    }
}
