package io.github.diffusion4j.param;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.Tensors;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link DualOutput} against the parametrisation contract (true x̂₀ and ε̂ with any mixing logit),
 * plus its two limits (s ≡ 1 is x₀-prediction, s ≡ 0 is ε-prediction, on the same heads) and the
 * stop-gradients of the mixture term (Benny &amp; Wolf 2022, Sec. 3; dual_diffusion diffusion.py:301-302).
 */
class DualOutputContractTest extends ParametrisationContract {
    private final DualOutput param = new DualOutput(DualOutput.MixWeight.edm());

    @Override
    protected Parametrisation parametrisation() {
        return param;
    }

    @Override
    protected Preconditioning preconditioning() {
        return EdmPreconditioning.edm();
    }

    @Override
    protected List<Tensor> trueHeads(Parametrisation.TrainingExample ex, Scalings[] s) {
        Tensor logit = ex.x0().narrow(1, 0, 1).mul(new Scalar(3.0)); // any logit: both branches are exact
        return List.of(Tensors.cat(1, ex.x0(), ex.noise(), logit));
    }

    private static Tensor head(double logit) {
        double[] v = new double[2 * 7 * 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.sin(0.37 * i + 1);
        }
        for (int b = 0; b < 2; b++) {
            for (int k = 0; k < 4; k++) {
                v[b * 28 + 24 + k] = logit;
            }
        }
        return Tensors.fromDoubles(v, 2, 7, 2, 2);
    }

    @Test
    void mixingWeightOneIsX0PredictionAndZeroIsEpsPredictionOnTheSameHeads() {
        try (PointerScope scope = new PointerScope()) {
            Preconditioning pre = EdmPreconditioning.edm();
            double[] sigma = {0.3, 4.0};
            Tensor x = Tensors.fromDoubles(new double[2 * 3 * 4], 2, 3, 2, 2).add(new Scalar(0.25));
            Scalings[] dual = {param.scalings(0.3, pre), param.scalings(4.0, pre)};
            SamplePrediction x0p = new SamplePrediction();
            EpsilonPrediction epsp = new EpsilonPrediction();
            Scalings[] sx = {x0p.scalings(sigma[0], pre), x0p.scalings(sigma[1], pre)};
            Scalings[] se = {epsp.scalings(sigma[0], pre), epsp.scalings(sigma[1], pre)};
            Tensor h1 = head(60), h0 = head(-60);
            Tensor viaX0 = x0p.denoised(List.of(h1.narrow(1, 0, 3)), x, sx);
            Tensor viaEps = epsp.denoised(List.of(h0.narrow(1, 3, 3)), x, se);
            assertThat(param.denoised(List.of(h1), x, dual).sub(viaX0).abs().max().item_double()).isLessThan(1e-12);
            assertThat(param.denoised(List.of(h0), x, dual).sub(viaEps).abs().max().item_double()).isLessThan(1e-12);
        }
    }

    @Test
    void theMixtureTermTrainsOnlyTheLogit() {
        try (PointerScope scope = new PointerScope()) {
            Preconditioning pre = EdmPreconditioning.edm();
            double[] sigma = {0.3, 4.0};
            Tensor head = head(0.2).requires_grad_(true);
            Tensor x0 = Tensors.fromDoubles(new double[2 * 3 * 4], 2, 3, 2, 2).add(new Scalar(0.1));
            Tensor n = Tensors.fromDoubles(new double[2 * 3 * 4], 2, 3, 2, 2).add(new Scalar(-0.4));
            Tensor x = x0.add(n.mul(Tensors.broadcastable(Tensors.fromDoubles(sigma, 2), n)));
            Scalings[] s = {param.scalings(0.3, pre), param.scalings(4.0, pre)};
            Loss loss = param.loss(List.of(head), new Parametrisation.TrainingExample(x0, n, sigma, x, 0.5), s, LossWeighting.NATURAL);
            loss.terms().get("mix").sum().backward();
            Tensor grad = head.grad();
            assertThat(grad.narrow(1, 0, 6).abs().max().item_double()).isZero();
            assertThat(grad.narrow(1, 6, 1).abs().max().item_double()).isPositive();
        }
    }
}
