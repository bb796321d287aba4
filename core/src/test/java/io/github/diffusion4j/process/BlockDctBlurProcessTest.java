package io.github.diffusion4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.schedule.TruncatedLogNormalSigma;
import io.github.diffusion4j.testing.Golden;
import io.github.diffusion4j.testing.NoiseTape;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * Relay's blurring process x = A_u(x₀) + σ(u)(ε + w·ε_blk) (Teng et al. 2024, Sec. 3.3): the
 * forward-process contract, A at σ = σ(u) is the blur at u, and the official BlurLoss network input
 * with block noise (RelayDiffusion a97877fc {@code loss.py:146-151}; relay.npz {@code bs_*}).
 */
class BlockDctBlurProcessTest extends ForwardProcessContract {
    static final TruncatedLogNormalSigma LEVELS = TruncatedLogNormalSigma.withFloor(-1.2, 1.2, 0.93, 0.0075);

    @Override
    protected ForwardProcess process() {
        return new BlockDctBlurProcess(new BlurSchedule(LEVELS, 3.0, 0.001, 2), 0.15);
    }

    @Test
    void signalAtSigmaOfUIsTheBlurAtU() {
        try (PointerScope scope = new PointerScope()) {
            BlurSchedule s = new BlurSchedule(LEVELS, 3.0, 0.001, 4);
            Tensor x0 = random(21);
            double[] u = {0.05, 0.5, 0.99};
            double[] sigma = {LEVELS.sigma(u[0]), LEVELS.sigma(u[1]), LEVELS.sigma(u[2])};
            Tensor got = new BlockDctBlurProcess(s, 0.15).signal(x0, sigma);
            for (int i = 0; i < 3; i++) {
                Tensor want = s.blur(x0.narrow(0, i, 1), u[i]);
                assertThat(got.narrow(0, i, 1).sub(want).abs().max().item_double()).isLessThan(1e-12);
            }
        }
    }

    @Test
    void noiseIsEpsilonPlusWeightTimesBlockNoiseNotRenormalised() {
        try (PointerScope scope = new PointerScope()) {
            BlockDctBlurProcess p = new BlockDctBlurProcess(new BlurSchedule(LEVELS, 3.0, 0.001, 2), 0.15);
            Tensor n = p.apply(random(22), SIGMA, new SeededNoise(SEEDS)).noise();
            SeededNoise twin = new SeededNoise(SEEDS);
            Tensor eps = twin.randn(SHAPE[1], SHAPE[2], SHAPE[3]);
            Tensor want = eps.add(BlockNoise.box(twin.randn(SHAPE[1], SHAPE[2], SHAPE[3]), 2).mul(new Scalar(0.15)));
            assertThat(Tensors.toDoubles(n)).containsExactly(Tensors.toDoubles(want));
        }
    }

    /** The official draws: [0] is discarded by loss.py:147, [1] is ε, [2] the white noise of the block noise. */
    @Test
    void blockNoiseTrainingInputMatchesBlurLoss() {
        Golden g = Golden.load("relay.npz");
        double official = TruncatedLogNormalSigma.officialUMin(-1.2, 1.2, 0.93, 0.0075);
        TruncatedLogNormalSigma levels = new TruncatedLogNormalSigma(-1.2, 1.2, 0.93, official);
        double[] u = g.array("bs_u").data();
        double[] sigma = {levels.sample(0, u[0]), levels.sample(0, u[1])};
        double[] wantSigma = g.array("bs_sigma").data();
        for (int i = 0; i < 2; i++) {
            assertThat(sigma[i]).isCloseTo(wantSigma[i], org.assertj.core.data.Offset.offset(1e-6 * wantSigma[i]));
        }
        try (PointerScope scope = new PointerScope()) {
            BlockDctBlurProcess p = new BlockDctBlurProcess(new BlurSchedule(levels, 3.0, 0.001, 4), 0.15);
            Tensor images = g.tensor("x").to(ScalarType.Float).expand(2, 3, 16, 16).contiguous();
            NoiseTape tape = new NoiseTape(g.tensor("bs_draws").to(ScalarType.Float), 1);
            ForwardProcess.Noised n = p.apply(images, sigma, tape);
            assertThat(tape.position()).isEqualTo(3);
            g.assertClose(n.x(), "bs_net_input", 1e-6);
        }
    }
}
