package io.github.diffusion4j.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.process.BlurSchedule;
import io.github.diffusion4j.schedule.KarrasSigmas;
import io.github.diffusion4j.schedule.TruncatedLogNormalSigma;
import io.github.diffusion4j.testing.Golden;
import io.github.diffusion4j.testing.NoiseTape;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RelaySampler} against the official {@code blur_sampler} (RelayDiffusion a97877fc
 * {@code generate.py:33}, with the repeat_dims patch of shared/golden/README.md; relay.npz item (d)):
 * the saved noise tapes are replayed in the official order (start ε, start block white noise, then per
 * step predictor and corrector pairs) with the stand-in denoiser D(x, σ) = x/(1 + σ²), and every
 * denoiser input, the grid and the output must agree to 1e-6 (the official α combinations are float32).
 */
class RelaySamplerGoldenTest {
    static Golden g;

    @BeforeAll
    static void load() {
        Engine.init();
        g = Golden.load("relay.npz");
    }

    /** D(x, σ) = x/(1 + σ²), the posterior mean for N(0, I) data, recording each input. */
    record Recording(List<double[]> inputs, List<Double> sigmas) implements Denoiser {
        Recording() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        @Override
        public Tensor denoise(Tensor x, Tensor sigma, Conditioning cond) {
            inputs.add(Tensors.toDoubles(x));
            sigmas.add(sigma.select(0, 0).item_double());
            return x.div(Tensors.broadcastable(sigma.mul(sigma).add(new Scalar(1.0)), x));
        }
    }

    static void run(String name, int p, double sNoise, double sBlock, double sigmaMin, double sigmaMax, int steps) {
        String k = "smp_" + name + "_";
        double[] sigmas = new KarrasSigmas(sigmaMin, sigmaMax, 7).truncatedAt(0.9).sigmas(steps);
        double[] wantSigmas = g.array(k + "t_steps").data();
        assertThat(sigmas).hasSize(wantSigmas.length);
        for (int i = 0; i < sigmas.length; i++) {
            assertThat(sigmas[i]).as("%s t_%d", name, i).isCloseTo(wantSigmas[i], org.assertj.core.data.Offset.offset(1e-12));
        }
        BlurSchedule schedule = new BlurSchedule(new TruncatedLogNormalSigma(-1.2, 1.2, 0.93, 0.0), 3.0, 0.001, p);
        RelaySampler sampler = RelaySampler.blur(schedule, sNoise, sBlock);
        try (PointerScope scope = new PointerScope()) {
            NoiseTape tape = new NoiseTape(g.tensor(k + "noise"), 0);
            Tensor start = sampler.start(g.tensor("smp_latents"), sigmas[0]).latent(tape, sigmas[0], new long[] {3, 16, 16});
            Recording d = new Recording();
            Tensor out = sampler.sample(d, start, sigmas, Conditioning.NONE, tape, StepListener.NONE);
            double[] netIn = g.array(k + "net_in").data();
            int per = 3 * 16 * 16;
            assertThat(d.inputs()).hasSize(netIn.length / per);
            assertThat(d.inputs()).hasSize(sampler.evaluations(sigmas.length - 1));
            for (int c = 0; c < d.inputs().size(); c++) {
                double[] got = d.inputs().get(c);
                for (int i = 0; i < per; i++) {
                    assertThat(got[i]).as("%s call %d element %d", name, c, i)
                            .isCloseTo(netIn[c * per + i], org.assertj.core.data.Offset.offset(1e-6));
                }
            }
            g.assertClose(out, k + "out", 1e-6);
            if (sNoise > 0) { // every draw of the tape is used (with s = 0 the zero-weighted step draws are skipped)
                assertThat(tape.position()).isEqualTo((int) g.tensor(k + "noise").size(0));
            }
        }
    }

    @Test
    void p4() {
        run("p4", 4, 0.2, 0.15, 0.008, 80, 18);
    }

    @Test
    void p4WithoutStochasticity() {
        run("p4_snoise0", 4, 0.0, 0.15, 0.008, 80, 18);
    }

    @Test
    void p2() {
        run("p2", 2, 0.2, 0.15, 0.008, 80, 18);
    }

    @Test
    void p4WithoutBlockNoise() {
        run("p4_noblock", 4, 0.2, 0.0, 0.008, 80, 18);
    }

    @Test
    void oneHeunTypeStepThenTheFinalDenoise() {
        run("onestep", 4, 0.2, 0.15, 0.5, 0.85, 2);
    }

    /** The sampler's α tables: get_alpha_t at each (σ_next, σ_cur) of the p4 run. */
    @Test
    void alphaTablesAreGetAlphaTs() {
        BlockDctBasis basis = new BlockDctBasis(new BlurSchedule(new TruncatedLogNormalSigma(-1.2, 1.2, 0.93, 0.0), 3.0, 0.001, 4));
        double[] at = g.array("smp_p4_alpha_t").data();
        double[] want = g.array("smp_p4_alpha").data();
        try (PointerScope scope = new PointerScope()) {
            for (int i = 0; i < at.length; i++) {
                double[] got = Tensors.toDoubles(basis.alpha(at[i]));
                for (int j = 0; j < 16; j++) {
                    assertThat(got[j]).isCloseTo(want[i * 16 + j], org.assertj.core.data.Offset.offset(1e-6));
                }
            }
        }
    }
}
