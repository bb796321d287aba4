package io.github.diffusion4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ExperimentConfig;
import io.github.diffusion4j.denoise.BackboneSpec;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Exit;
import io.github.diffusion4j.denoise.NoiseLevel;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.io.SafetensorsFile;
import io.github.diffusion4j.net.Network;
import io.github.diffusion4j.testing.TinyNet;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A NaN/Inf loss skips the update; repeated, the run stops cleanly and leaves the last checkpoint intact. */
class NanGuardTest {
    @BeforeAll
    static void init() {
        Engine.init();
    }

    /** TinyNet whose output turns into NaN while {@code poisoned} is set. */
    static final class PoisonableNet implements Network {
        final TinyNet inner = new TinyNet(1, 4, 0);
        boolean poisoned;

        @Override
        public List<Tensor> forward(Tensor xIn, NoiseLevel level, Conditioning cond, Exit exit) {
            Tensor out = inner.forward(xIn, level, cond, exit).get(0);
            return List.of(poisoned ? out.mul(new Scalar(Double.NaN)) : out);
        }

        @Override
        public Map<String, Tensor> namedParameters() {
            return inner.namedParameters();
        }

        @Override
        public void loadParameters(Map<String, Tensor> values) {
            inner.loadParameters(values);
        }

        @Override
        public void train(boolean on) {
            inner.train(on);
        }

        @Override
        public BackboneSpec spec() {
            return inner.spec();
        }

        @Override
        public double flopsPerSample() {
            return 0;
        }
    }

    @Test
    void badStepsAreSkippedAndRepeatedOnesStopTheRun(@TempDir Path dir) throws Exception {
        ExperimentConfig cfg = ConfigLoader.load("mnist-unet", List.of("data.resolution=8", "model.classes=4",
                "training.batch=4", "training.maxBadSteps=3", "training.checkpointEvery=4", "training.logEvery=1",
                "sampling.gridSeeds=4", "sampling.steps=2"));
        try (PointerScope scope = new PointerScope()) {
            PoisonableNet net = new PoisonableNet();
            RunDirectory run = RunDirectory.create(dir, "nan");
            try (Trainer t = Trainer.start(cfg, ResumeTest.data(), net, new TinyNet(1, 4, 0), run, TrainListener.NONE)) {
                t.run(4, 0);
                Path goodState = run.latestState().orElseThrow();
                Map<String, double[]> before = snapshot(t.parameters());
                long imagesBefore = t.imagesSeen();

                net.poisoned = true;
                Trainer.StepResult r = t.step();
                assertThat(r.applied()).isFalse();
                assertThat(r.loss()).isNaN();
                assertUnchanged(before, snapshot(t.parameters()));

                Trainer.Outcome o = t.run(100, 0);
                assertThat(o.reason()).contains("NaN/Inf");
                assertThat(o.step()).isLessThan(100);
                assertThat(t.imagesSeen()).isEqualTo(imagesBefore);
                assertUnchanged(before, snapshot(t.parameters()));
                assertThat(run.latestState()).contains(goodState);
                try (SafetensorsFile f = SafetensorsFile.open(goodState)) {
                    assertThat(f.metadata().get("step")).isEqualTo("4");
                }
            }
        }
    }

    static void assertUnchanged(Map<String, double[]> before, Map<String, double[]> after) {
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((k, v) -> assertThat(after.get(k)).as("a skipped step changes no weight: %s", k).isEqualTo(v));
    }

    static Map<String, double[]> snapshot(Map<String, Tensor> params) {
        Map<String, double[]> m = new HashMap<>();
        params.forEach((k, v) -> m.put(k, Tensors.toDoubles(v)));
        return m;
    }
}
