package io.github.diffusion4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** The EDM process x = x₀ + σn (Karras et al. 2022, Eq. 2): A_σ is the identity and n is the seeded stream itself. */
class AdditiveProcessTest extends ForwardProcessContract {
    @Override
    protected ForwardProcess process() {
        return new AdditiveProcess();
    }

    @Test
    void signalIsTheIdentity() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x0 = random(7);
            assertThat(Tensors.toDoubles(process().signal(x0, SIGMA))).containsExactly(Tensors.toDoubles(x0));
        }
    }

    @Test
    void noiseIsTheFirstDrawOfEachSeedsStream() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x0 = random(8);
            Tensor n = process().apply(x0, SIGMA, new SeededNoise(SEEDS)).noise();
            Tensor expected = new SeededNoise(SEEDS).randn(SHAPE[1], SHAPE[2], SHAPE[3]);
            assertThat(Tensors.toDoubles(n)).containsExactly(Tensors.toDoubles(expected));
        }
    }

    @Test
    void noisyInputIsExactlyX0PlusSigmaN() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x0 = random(9);
            ForwardProcess.Noised noised = process().apply(x0, SIGMA, new SeededNoise(SEEDS));
            double[] x = Tensors.toDoubles(noised.x()), a = Tensors.toDoubles(x0), n = Tensors.toDoubles(noised.noise());
            int per = x.length / SIGMA.length;
            for (int i = 0; i < x.length; i++) {
                assertThat(x[i]).isEqualTo(a[i] + SIGMA[i / per] * n[i]);
            }
        }
    }
}
