package io.github.diffusion4j.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.process.BlurSchedule;
import io.github.diffusion4j.schedule.KarrasSigmas;
import io.github.diffusion4j.schedule.TruncatedLogNormalSigma;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay sampler (Teng et al. 2024, Sec. 3.4) is the generalised DDIM step with α as a parameter:
 * with α ≡ 1 in the pixel basis its predictor is the DDIM step bit for bit and, with s = 0, the whole
 * is EDM's Heun sampler; in the block-DCT basis with α ≡ 1 it equals the pixel one up to the DCT's
 * round trip.
 */
class RelaySamplerTest {
    static final double[] SIGMAS = new KarrasSigmas(0.008, 80, 7).truncatedAt(0.9).sigmas(18);

    @BeforeAll
    static void init() {
        Engine.init();
    }

    static Tensor start(long seed) {
        return new SeededNoise(seed, seed + 1).randn(3, 8, 8).mul(new org.bytedeco.pytorch.Scalar(SIGMAS[0]));
    }

    @Test
    void withAlphaOneAndNoStochasticityThePredictorIsTheDdimStepBitForBit() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x = start(1);
            RelaySamplerGoldenTest.Recording d = new RelaySamplerGoldenTest.Recording();
            new RelaySampler(SignalBasis.IDENTITY, 0.0, 1, 0.0).sample(d, x, SIGMAS, Conditioning.NONE, new SeededNoise(7, 8),
                    StepListener.NONE);
            RelaySamplerGoldenTest.Recording e = new RelaySamplerGoldenTest.Recording();
            double[] ddim = Tensors.toDoubles(AncestralSampler.ddim().sample(e, x, new double[] {SIGMAS[0], SIGMAS[1]},
                    Conditioning.NONE, new SeededNoise(7, 8), StepListener.NONE));
            assertThat(d.inputs().get(1)).containsExactly(ddim);
        }
    }

    @Test
    void withAlphaOneThePredictorIsTheGeneralisedStepInPixelsWithSigmaUpSTimesSigmaNextBitForBit() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x = start(2);
            double s = 0.2;
            RelaySamplerGoldenTest.Recording d = new RelaySamplerGoldenTest.Recording();
            new RelaySampler(SignalBasis.IDENTITY, s, 1, 0.0).sample(d, x, SIGMAS, Conditioning.NONE, new SeededNoise(7, 8),
                    StepListener.NONE);
            Tensor denoised = new RelaySamplerGoldenTest.Recording().denoise(x, SIGMAS[0], Conditioning.NONE);
            double[] want = Tensors.toDoubles(GeneralizedDdimStep.EDM.apply(x, denoised, SIGMAS[0], SIGMAS[1], s * SIGMAS[1],
                    new SeededNoise(7, 8)));
            assertThat(d.inputs().get(1)).containsExactly(want);
        }
    }

    /** Karras et al. 2022, Alg. 1: the averaged-slope correction with α ≡ 1 and s = 0 is Heun's step. */
    @Test
    void withAlphaOneAndNoStochasticityItIsEdmsHeunSampler() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x = start(3);
            RelaySamplerGoldenTest.Recording d = new RelaySamplerGoldenTest.Recording();
            double[] relay = Tensors.toDoubles(new RelaySampler(SignalBasis.IDENTITY, 0.0, 1, 0.0).sample(d, x, SIGMAS,
                    Conditioning.NONE, new SeededNoise(1, 2), StepListener.NONE));
            double[] heun = Tensors.toDoubles(EdmSampler.heun().sample(new RelaySamplerGoldenTest.Recording(), x, SIGMAS,
                    Conditioning.NONE, new SeededNoise(1, 2), StepListener.NONE));
            for (int i = 0; i < heun.length; i++) {
                assertThat(relay[i]).isCloseTo(heun[i], org.assertj.core.data.Offset.offset(1e-12));
            }
        }
    }

    @Test
    void inTheBlockDctBasisWithAlphaOneItIsThePixelSamplerUpToTheRoundTrip() {
        BlurSchedule noBlur = new BlurSchedule(new TruncatedLogNormalSigma(-1.2, 1.2, 0.93, 0.0), 0.0, 0.001, 4);
        try (PointerScope scope = new PointerScope()) {
            for (double a : Tensors.toDoubles(new BlockDctBasis(noBlur).alpha(0.5))) {
                assertThat(a).isEqualTo(1.0);
            }
            Tensor x = start(4);
            double[] dct = Tensors.toDoubles(RelaySampler.blur(noBlur, 0.2, 0.15).sample(new RelaySamplerGoldenTest.Recording(), x,
                    SIGMAS, Conditioning.NONE, new SeededNoise(5, 6), StepListener.NONE));
            double[] pixels = Tensors.toDoubles(new RelaySampler(SignalBasis.IDENTITY, 0.2, 4, 0.15).sample(
                    new RelaySamplerGoldenTest.Recording(), x, SIGMAS, Conditioning.NONE, new SeededNoise(5, 6), StepListener.NONE));
            for (int i = 0; i < pixels.length; i++) {
                assertThat(dct[i]).isCloseTo(pixels[i], org.assertj.core.data.Offset.offset(1e-12));
            }
        }
    }
}
