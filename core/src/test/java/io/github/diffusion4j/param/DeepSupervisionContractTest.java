package io.github.diffusion4j.param;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.Tensors;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** LEGO's deep supervision: three full-resolution heads read as EDM's F, averaged (LEGOEDMLoss, --joint). */
class DeepSupervisionContractTest extends ParametrisationContract {
    private final PreconditionedF f = new PreconditionedF();
    private final MultiHeadSupervision lego = new MultiHeadSupervision(f, List.of(1, 1, 1), List.of(),
            MultiHeadSupervision.Pooling.SUM);

    @Override
    protected Parametrisation parametrisation() {
        return lego;
    }

    @Override
    protected Preconditioning preconditioning() {
        return EdmPreconditioning.edm();
    }

    @Override
    protected List<Tensor> trueHeads(Parametrisation.TrainingExample ex, Scalings[] s) {
        return MultiHeadSupervisionContractTest.pooledTargets(f, lego, ex, s);
    }

    @Test
    void theLossIsTheMeanOfTheBricksLosses() {
        try (PointerScope scope = new PointerScope()) {
            double[] sigma = {0.2, 1.5};
            Tensor x0 = Tensors.fromDoubles(new double[2 * 3 * 16], 2, 3, 4, 4).add(new Scalar(0.4));
            Tensor n = Tensors.fromDoubles(new double[2 * 3 * 16], 2, 3, 4, 4).add(new Scalar(-1.0));
            Tensor x = x0.add(n.mul(Tensors.broadcastable(Tensors.fromDoubles(sigma, 2), n)));
            Scalings[] s = {lego.scalings(sigma[0], preconditioning()), lego.scalings(sigma[1], preconditioning())};
            var ex = new Parametrisation.TrainingExample(x0, n, sigma, x, 0.5);
            List<Tensor> heads = List.of(x0.mul(new Scalar(0.1)), x0.mul(new Scalar(-0.3)), x.mul(new Scalar(0.2)));
            Tensor mean = null;
            for (Tensor h : heads) {
                Tensor l = f.loss(List.of(h), ex, s, LossWeighting.NATURAL).perSample();
                mean = mean == null ? l : mean.add(l);
            }
            mean = mean.div(new Scalar(3.0));
            Tensor got = lego.loss(heads, ex, s, LossWeighting.NATURAL).perSample();
            assertThat(got.sub(mean).abs().max().item_double()).isLessThan(1e-14);
        }
    }
}
