package io.github.diffusion4j.param;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.schedule.DiscreteVpSchedule;
import io.github.diffusion4j.testing.Golden;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link DualOutput} against the official dual_diffusion code (yanivbenny/dual_diffusion bd785e1f,
 * {@code src/diffusion.py} predict_dualx / training_losses; arrays from shared/golden/dual.npz,
 * copied to test resources golden/dual.npz): linear β 1e-4…0.02, T = 1000, fixed network outputs
 * at t = 0, 10, 500, 999. The official code works in float32 on x_t; here x = x_t/√ᾱ_t (EDM units).
 */
class DualOutputGoldenTest {
    static Golden g;
    static final DiscreteVpSchedule DDPM = DiscreteVpSchedule.ddpm();

    @BeforeAll
    static void load() throws Exception {
        Engine.init();
        g = Golden.load("dual.npz");
    }

    /** σ_t of each sample and the batch in EDM units. */
    record Batch(double[] sigma, Tensor x, Parametrisation.TrainingExample ex, Scalings[] s, List<Tensor> heads) {}

    static Batch batch(DualOutput dual) {
        double[] steps = g.array("t").data();
        double[] sigma = Arrays.stream(steps).map(j -> DDPM.sigmaAt((int) j)).toArray();
        Tensor xt = g.tensor("x_t");
        double[] scale = Arrays.stream(sigma).map(s -> Math.sqrt(1 + s * s)).toArray();
        Tensor x = xt.mul(Tensors.broadcastable(Tensors.fromDoubles(scale, scale.length), xt));
        Scalings[] s = new Scalings[sigma.length];
        Preconditioning vp = new VpPreconditioning(DDPM, 1);
        for (int i = 0; i < s.length; i++) {
            s[i] = dual.scalings(sigma[i], vp);
        }
        var ex = new Parametrisation.TrainingExample(g.tensor("x0"), g.tensor("noise"), sigma, x, 1.0);
        return new Batch(sigma, x, ex, s, List.of(g.tensor("model_output")));
    }

    @Test
    void mixtureAndX0FromEpsMatchTheOfficialCode() {
        try (PointerScope scope = new PointerScope()) {
            DualOutput dual = new DualOutput(DualOutput.MixWeight.posteriorMean(DDPM));
            Batch b = batch(dual);
            g.assertClose(dual.denoised(b.heads(), b.x(), b.s()), "x0_mix", 2e-5);
        }
    }

    @Test
    void lossAndItsThreeTermsMatchTheOfficialCode() {
        try (PointerScope scope = new PointerScope()) {
            DualOutput dual = new DualOutput(DualOutput.MixWeight.posteriorMean(DDPM));
            Batch b = batch(dual);
            Loss loss = dual.loss(b.heads(), b.ex(), b.s(), LossWeighting.NATURAL);
            g.assertClose(loss.perSample(), "loss", 1e-5);
            g.assertClose(loss.terms().get("x0").mul(Tensors.scalar(3)), "loss_x_0", 1e-5);
            g.assertClose(loss.terms().get("eps").mul(Tensors.scalar(3)), "loss_noise", 1e-5);
            g.assertClose(loss.terms().get("mix").mul(Tensors.scalar(3)), "loss_mean", 1e-5);
        }
    }
}
