package io.github.diffusion4j.sample;

import io.github.diffusion4j.denoise.Backbone;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.param.DualOutput;
import io.github.diffusion4j.param.VpPreconditioning;
import io.github.diffusion4j.schedule.DiscreteSigmas;
import io.github.diffusion4j.schedule.DiscreteVpSchedule;
import io.github.diffusion4j.testing.Golden;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DDIM over the dual-output mixture against the official dual_diffusion sampler (bd785e1f,
 * {@code SpacedDiffusion(..., is_implicit=True).p_sample} and {@code p_sample_loop}; arrays from
 * shared/golden/dual.npz, copied to test resources golden/dual.npz). The official code works on x_t
 * in float32; here x = x_t/√ᾱ (EDM units) and the step is {@link GeneralizedDdimStep#EDM}.
 */
class DualOutputDdimGoldenTest {
    static Golden g;
    static final DiscreteVpSchedule DDPM = DiscreteVpSchedule.ddpm();

    @BeforeAll
    static void load() throws Exception {
        Engine.init();
        g = Golden.load("dual.npz");
    }

    /** One step per row (model timesteps 900, 500, 100, 0 of the 10-step 'ddim' spacing), with and without clipping. */
    @Test
    void oneDdimStepWithAndWithoutClippingMatchesTheOfficialCode() {
        try (PointerScope scope = new PointerScope()) {
            double[] steps = g.array("step_model_t").data();
            Tensor xt = g.tensor("step_x"), mix = g.tensor("step_pred_x0_noclip");
            int per = (int) (xt.numel() / steps.length);
            double[] clip = new double[(int) xt.numel()], noclip = new double[(int) xt.numel()];
            for (int r = 0; r < steps.length; r++) {
                int step = (int) steps[r];
                double sigma = DDPM.sigmaAt(step), next = step == 0 ? 0 : DDPM.sigmaAt(step - 100);
                Tensor x = xt.narrow(0, r, 1).mul(new Scalar(Math.sqrt(1 + sigma * sigma)));
                Tensor d = mix.narrow(0, r, 1);
                Tensor clipped = d.clamp(new ScalarOptional(new Scalar(-1.0)), new ScalarOptional(new Scalar(1.0)));
                double back = 1 / Math.sqrt(1 + next * next);
                double[] a = Tensors.toDoubles(GeneralizedDdimStep.EDM.apply(x, d, clipped, sigma, next, 0, null).mul(new Scalar(back)));
                double[] b = Tensors.toDoubles(GeneralizedDdimStep.EDM.apply(x, d, sigma, next, 0, null).mul(new Scalar(back)));
                System.arraycopy(a, 0, clip, r * per, per);
                System.arraycopy(b, 0, noclip, r * per, per);
            }
            long[] shape = Tensors.shape(xt);
            g.assertClose(Tensors.fromDoubles(clip, shape), "step_x_prev_clip", 1e-5);
            g.assertClose(Tensors.fromDoubles(noclip, shape), "step_x_prev_noclip", 1e-5);
        }
    }

    /**
     * The official 5-step loop with its closed-form network cf(x_t, t) = cat(0.9 tanh x_t,
     * 0.5 x_t + 0.1 t/1000, 3(2t/1000 − 1) + mean_c x_t): dual-output + VP preconditioning +
     * DiscreteSigmas(LEADING, 5) + {@link AncestralSampler#ddimClipped()} give the official samples.
     */
    @Test
    void theFiveStepClippedLoopMatchesTheOfficialCode() {
        try (PointerScope scope = new PointerScope()) {
            Backbone cf = (xIn, level, cond, exit) -> {
                Tensor step = Tensors.broadcastable(level.cNoise(), xIn.narrow(1, 0, 1)).div(new Scalar(1000.0));
                Tensor x0 = torch.tanh(xIn).mul(new Scalar(0.9));
                Tensor eps = xIn.mul(new Scalar(0.5)).add(step.mul(new Scalar(0.1)));
                Tensor logit = step.mul(new Scalar(2.0)).sub(new Scalar(1.0)).mul(new Scalar(3.0))
                        .add(xIn.mean(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()));
                return List.of(Tensors.cat(1, x0, eps, logit));
            };
            var denoiser = new PreconditionedDenoiser(cf, new VpPreconditioning(DDPM, 1),
                    new DualOutput(DualOutput.MixWeight.posteriorMean(DDPM)));
            double[] sigmas = new DiscreteSigmas(DDPM, DiscreteSigmas.Spacing.LEADING).sigmas(5);
            Tensor start = g.tensor("loop_z").mul(new Scalar(Math.sqrt(1 + sigmas[0] * sigmas[0])));
            Tensor out = AncestralSampler.ddimClipped().sample(denoiser, start, sigmas, Conditioning.NONE, null, StepListener.NONE);
            g.assertClose(out, "loop_out", 1e-5);
        }
    }
}
