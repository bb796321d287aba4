package io.github.diffusion4j.denoise;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.testing.TinyNet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** bf16 autocast of a backbone (forced bf16, so it runs on any CPU: emulated where the CPU has no native bf16). */
class AutocastBackboneTest {

    /**
     * An optimizer moves the fp32 weights in place between forwards; the bf16 forward must follow them (libtorch caches bf16
     * copies of fp32 leaf weights inside an autocast region; AutocastBackbone drops that cache on leaving the outermost region,
     * as torch.autocast.__exit__ does; the resume test under bf16, ResumeTest, is the one that failed without it).
     */
    @Test
    void aForwardAfterAnInPlaceWeightUpdateUsesTheNewWeights() {
        try (PointerScope scope = new PointerScope()) {
            TinyNet net = new TinyNet(1, 0, 0);
            AutocastBackbone bf16 = new AutocastBackbone(net);
            double[] x = new double[2 * 8 * 8];
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.sin(0.37 * i);
            }
            Tensor in = Tensors.fromDoubles(x, 2, 1, 8, 8).to(ScalarType.Float);
            NoiseLevel level = new NoiseLevel(Tensors.fromDoubles(new double[] {0.1, -0.4}, 2).to(ScalarType.Float), new double[] {1, 2});
            net.train(false);
            double[] before = Tensors.toDoubles(bf16.forward(in, level, Conditioning.NONE, Exit.ALL).get(0));
            try (NoGradGuard g = new NoGradGuard()) {
                net.namedParameters().get("conv0.weight").mul_(new org.bytedeco.pytorch.Scalar(-1.5)); // as an optimizer step: in place
                net.namedParameters().get("conv1.weight").add_(new org.bytedeco.pytorch.Scalar(0.05));
            }
            double[] after = Tensors.toDoubles(bf16.forward(in, level, Conditioning.NONE, Exit.ALL).get(0));
            double[] fp32 = Tensors.toDoubles(net.forward(in, level, Conditioning.NONE, Exit.ALL).get(0));
            assertThat(after).as("the update changes the output").isNotEqualTo(before);
            double worst = 0;
            double scale = 0;
            for (int i = 0; i < fp32.length; i++) {
                worst = Math.max(worst, Math.abs(after[i] - fp32[i]));
                scale = Math.max(scale, Math.abs(fp32[i]));
            }
            assertThat(worst).as("the bf16 forward follows the updated fp32 weights (bf16 rounding only)").isLessThan(0.03 * scale);
        }
    }
}
