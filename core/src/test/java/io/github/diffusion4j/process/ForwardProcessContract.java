package io.github.diffusion4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What every forward process x = A_σ(x₀) + σñ must satisfy: A_σ is linear, x − A_σ(x₀) = σñ, ñ
 * comes from the caller's per-seed source, and a row depends only on its own seed and x₀ row.
 * Implementations extend this class and say what A_σ is.
 */
public abstract class ForwardProcessContract {
    static final long[] SHAPE = {3, 2, 4, 4};
    static final long[] SEEDS = {11, 12, 13};
    static final double[] SIGMA = {0.02, 0.7, 5.0};

    @BeforeAll
    static void init() {
        Engine.init();
    }

    /** The process under test. */
    protected abstract ForwardProcess process();

    protected static Tensor random(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[(int) (SHAPE[0] * SHAPE[1] * SHAPE[2] * SHAPE[3])];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextDouble(-1, 1);
        }
        return Tensors.fromDoubles(v, SHAPE);
    }

    @Test
    void signalOperatorIsLinear() {
        try (PointerScope scope = new PointerScope()) {
            Tensor a = random(1), b = random(2);
            Tensor lhs = process().signal(a.mul(new Scalar(0.3)).add(b.mul(new Scalar(-1.7))), SIGMA);
            Tensor rhs = process().signal(a, SIGMA).mul(new Scalar(0.3)).add(process().signal(b, SIGMA).mul(new Scalar(-1.7)));
            assertThat(lhs.sub(rhs).abs().max().item_double()).isLessThan(1e-12);
        }
    }

    @Test
    void noisyInputIsSignalPlusSigmaTimesReturnedNoise() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x0 = random(3);
            ForwardProcess.Noised n = process().apply(x0, SIGMA, new SeededNoise(SEEDS));
            Tensor sigma = Tensors.broadcastable(Tensors.fromDoubles(SIGMA, SIGMA.length), x0);
            Tensor residual = n.x().sub(process().signal(x0, SIGMA)).sub(n.noise().mul(sigma));
            assertThat(residual.abs().max().item_double()).isLessThan(1e-12);
            assertThat(Tensors.scalarType(n.x())).isEqualTo(Tensors.scalarType(x0));
            assertThat(n.x().shape()).containsExactly(SHAPE);
        }
    }

    @Test
    void aRowDependsOnlyOnItsSeedAndImage() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x0 = random(4);
            Tensor all = process().apply(x0, SIGMA, new SeededNoise(SEEDS)).x();
            for (int i = 0; i < SEEDS.length; i++) {
                Tensor row = x0.narrow(0, i, 1).contiguous();
                Tensor alone = process().apply(row, new double[] {SIGMA[i]}, new SeededNoise(SEEDS[i])).x();
                assertThat(Tensors.toDoubles(alone)).containsExactly(Tensors.toDoubles(all.narrow(0, i, 1).contiguous()));
            }
        }
    }

    @Test
    void float32InputStaysFloat32() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x0 = random(5).to(ScalarType.Float);
            ForwardProcess.Noised n = process().apply(x0, SIGMA, new SeededNoise(SEEDS));
            assertThat(Tensors.scalarType(n.x())).isEqualTo(ScalarType.Float);
            assertThat(Tensors.scalarType(n.noise())).isEqualTo(ScalarType.Float);
        }
    }
}
